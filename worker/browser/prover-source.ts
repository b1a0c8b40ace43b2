/**
 * The page worker's ProverSource: the first proof-requiring task loads the prover (the manifest
 * from the orchestrator over the artifact protocol; each circuit's keys on its first proof,
 * checked, cached in OPFS); later tasks reuse it. A failed load (orchestrator unreachable, bad artifact) is not kept: the next
 * proof-requiring task tries again.
 */
import type { Libp2p } from '@libp2p/interface';
import type { Prover } from '../prover/index.ts';
import { remoteArtifacts } from '../prover/remote-artifacts.ts';
import type { ProverSource } from '../runtime/prove.ts';
import { artifactStore } from './artifact-store.ts';

export interface BrowserProverSourceOptions {
  node: Libp2p;
  /** The orchestrator's multiaddr (with /p2p/<id>), one the dial policy allows. */
  orchestrator: string;
  threadUrl: string;
  log: (line: string) => void;
  signal: AbortSignal;
}

export interface BrowserProverSource {
  source: ProverSource;
  /** Ends the prover thread if one was started. */
  close(): Promise<void>;
}

export function browserProverSource(opts: BrowserProverSourceOptions): BrowserProverSource {
  const { log, signal } = opts;
  let prover: Promise<Prover> | undefined;
  // The manifest now; each circuit's keys on its first proof (createBrowserProver).
  const load = async (): Promise<Prover> => {
    // Lazy, so a split bundle could fetch it on the first proof; today circomlibjs is also
    // reached statically (prove-batch.ts), so build.ts does not split the worker (see there).
    const { createBrowserProver } = await import('./prover.ts');
    const remote = remoteArtifacts(opts.node, { orchestrator: opts.orchestrator });
    return createBrowserProver({
      manifest: await remote.manifest({ signal }),
      store: artifactStore({ fetchArtifact: remote.fetchArtifact, log }),
      threadUrl: opts.threadUrl,
      signal,
      onLoaded: (c) =>
        log(
          `prover: ${c.circuit} v${c.version} ready in ${Math.round(c.ms)} ms ` +
            `(keys from ${[...new Set(c.from)].join(' and ')})`,
        ),
    });
  };
  return {
    source: () => {
      prover ??= load();
      prover.catch((err: unknown) => {
        log(`prover unavailable: ${err instanceof Error ? err.message : String(err)}`);
        prover = undefined;
      });
      return prover;
    },
    async close() {
      await prover?.then((p) => p.close()).catch(() => {});
    },
  };
}
