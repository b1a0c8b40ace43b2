/**
 * Fetching the prover's manifest and artifacts from the orchestrator a worker serves, over
 * ARTIFACT_PROTOCOL, so a worker needs no local copy of the keys. Nothing fetched here is
 * trusted: createProver checks every artifact against the manifest's SHA-256 before use.
 *
 * Artifacts are cached in memory per process by hash (content-addressed, so one cache serves
 * every orchestrator and every worker in the process); concurrent requests for one hash share a
 * single fetch. The manifest is not cached: it is each orchestrator's current set of versions.
 */
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { sha256Hex } from '../../circuits/lib/field.ts';
import { type Manifest, parseManifest } from '../../circuits/lib/manifest.ts';
import {
  ARTIFACT_PROTOCOL,
  type ArtifactRequest,
  type ArtifactStream,
  DEFAULT_MAX_RESPONSE_BYTES,
  encodeRequest,
  readResponse,
  sendAll,
} from '../../orchestrator/proofs/artifact-wire.ts';
import { AbortError, throwIfAborted } from '../../protocol/errors.ts';

export interface RemoteArtifactsOptions {
  /** The orchestrator's multiaddr (ending in /p2p/<peer id>). */
  orchestrator: string;
  /** Largest response accepted. Default 64 MiB. */
  maxResponseBytes?: number;
  /** Per request. Default 60 s (a zkey is a few MB through pure-JS Noise). */
  timeoutMs?: number;
}

export interface RemoteArtifacts {
  manifest(opts?: { signal?: AbortSignal }): Promise<Manifest>;
  /** The bytes the orchestrator serves for this hash (unchecked: the prover checks them). */
  fetchArtifact(sha256: string, opts?: { signal?: AbortSignal }): Promise<Uint8Array>;
}

/** Per-process cache of fetched artifacts, keyed by SHA-256. */
const cache = new Map<string, Promise<Uint8Array>>();

/** Drops every cached artifact (tests; memory pressure). */
export function clearArtifactCache(): void {
  cache.clear();
}

export function remoteArtifacts(node: Libp2p, opts: RemoteArtifactsOptions): RemoteArtifacts {
  const request = async (req: ArtifactRequest, signal?: AbortSignal): Promise<Uint8Array> => {
    throwIfAborted(signal);
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const stream = (await node.dialProtocol(multiaddr(opts.orchestrator), ARTIFACT_PROTOCOL, {
      signal: combined,
    })) as unknown as ArtifactStream;
    try {
      await sendAll(stream, encodeRequest(req), { signal: combined });
      await stream.close({ signal: combined }); // half-close: the request is complete
      return await readResponse(stream, {
        maxBytes: opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        signal: combined,
      });
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  };

  return {
    async manifest(o = {}) {
      const body = await request({ kind: 'manifest' }, o.signal);
      return parseManifest(JSON.parse(new TextDecoder().decode(body)));
    },
    fetchArtifact(sha256, o = {}) {
      let bytes = cache.get(sha256);
      if (bytes === undefined) {
        // Not tied to this caller's signal: another caller may share the fetch.
        bytes = request({ kind: 'artifact', sha256 }).then((b) => {
          // Bad bytes are returned (the prover refuses them, typed) but never cached: a retry refetches.
          if (sha256Hex(b) !== sha256) cache.delete(sha256);
          return b;
        });
        cache.set(sha256, bytes);
        bytes.catch(() => cache.delete(sha256));
      }
      return o.signal ? untilAborted(bytes, o.signal) : bytes;
    },
  };
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
