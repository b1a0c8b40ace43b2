/**
 * createProver: loads each circuit's wasm and zkey once, checks them against the manifest's
 * SHA-256 before use, and proves in a dedicated Worker (prover-thread.ts), one proof at a time.
 *
 * Artifacts come from `fetchArtifact(sha256)` when given (a worker fetching from its orchestrator
 * by hash) or else from `artifactsDir` (default: the committed development artifacts).
 * Aborting a proof terminates the thread (snarkjs cannot be interrupted); the next proof starts a
 * fresh one from the bytes already checked.
 */
import type { Groth16Proof } from 'snarkjs';
import { ProofError } from '../../circuits/lib/errors.ts';
import { checkArtifact, findEntry, type Manifest, type ManifestEntry } from '../../circuits/lib/manifest.ts';
import { DEFAULT_ARTIFACTS_DIR, readArtifact, readManifest } from '../../circuits/lib/manifest-fs.ts';
import { CIRCUIT_IDS, type CircuitId } from '../../circuits/lib/params.ts';
import { ErrorCode, throwIfAborted } from '../../protocol/errors.ts';
import {
  type BatchRequest,
  type CircuitInput,
  type PoseidonChainRequest,
  proveMethods,
  type ResultBindingRequest,
} from './inputs.ts';
import { ProverThread } from './thread-client.ts';
import type { ProverEngine, ProverEngineChoice } from './thread-protocol.ts';

export interface ProverOptions {
  /** Default: circuits/artifacts (the committed development keys). */
  artifactsDir?: string;
  /** Default: artifactsDir/manifest.json. A worker would take it from its orchestrator. */
  manifest?: Manifest;
  /** Fetches an artifact by its SHA-256 (checked again here). Default: read from artifactsDir. */
  fetchArtifact?: (sha256: string, opts: { signal?: AbortSignal }) => Promise<Uint8Array>;
  /** Circuits to load. Default: every circuit in the manifest. */
  circuits?: readonly CircuitId[];
  /** Version per circuit. Default: the highest version in the manifest. */
  versions?: Partial<Record<CircuitId, number>>;
  /**
   * Prove with ffjavascript's thread pool (one thread per core) inside the prover thread (true,
   * default), or on the prover thread alone (false: one core, no nested Workers). The pool was
   * ~25% faster even on a loaded 2-core machine; `bun bench/proofs.bench.ts --threads` compares.
   */
  curveThreads?: boolean;
  /**
   * 'auto' (default): the native prover (native-bn254/, ~3-4x faster) when its library loads,
   * else snarkjs, with one log line from the thread saying why; 'native': fail to start without
   * it (PROVER_FAILED); 'snarkjs': never the native one.
   */
  engine?: ProverEngineChoice;
  signal?: AbortSignal;
}

export interface ProofBundle<Circuit extends CircuitId = CircuitId> {
  circuit: Circuit;
  version: number;
  proof: Groth16Proof;
  /** Decimal strings, in the circuit's PUBLIC_SIGNALS order. */
  publicSignals: string[];
  /** engine: who proved (the native library or snarkjs). */
  timings: { witnessMs: number; proveMs: number; engine: ProverEngine };
}

export interface Prover {
  /** The version loaded for each circuit. */
  readonly versions: Readonly<Partial<Record<CircuitId, number>>>;
  proveResultBinding(
    req: ResultBindingRequest,
    opts?: { signal?: AbortSignal },
  ): Promise<ProofBundle<'result_binding'> & { resultDigest: bigint; outputLen: number }>;
  provePoseidonChain(
    req: PoseidonChainRequest,
    opts?: { signal?: AbortSignal },
  ): Promise<ProofBundle<'poseidon_chain'> & { result: bigint }>;
  proveBatch(
    req: BatchRequest,
    opts?: { signal?: AbortSignal },
  ): Promise<ProofBundle<'result_batch'> & { root: bigint; leafDigests: bigint[] }>;
  /** Ends the thread (and its curve threads). Idempotent. */
  close(): Promise<void>;
}

interface LoadedCircuit {
  entry: ManifestEntry;
  wasm: Uint8Array;
  zkey: Uint8Array;
}

async function loadArtifacts(entry: ManifestEntry, opts: ProverOptions, dir: string): Promise<LoadedCircuit> {
  const { signal } = opts;
  const fetchOne = async (file: ManifestEntry['wasm']): Promise<Uint8Array> => {
    if (opts.fetchArtifact === undefined) return readArtifact(dir, file, signal ? { signal } : {});
    const bytes = await opts.fetchArtifact(file.sha256, signal ? { signal } : {});
    throwIfAborted(signal);
    return checkArtifact(bytes, file);
  };
  const [wasm, zkey] = await Promise.all([fetchOne(entry.wasm), fetchOne(entry.zkey)]);
  return { entry, wasm, zkey };
}

export async function createProver(opts: ProverOptions = {}): Promise<Prover> {
  const dir = opts.artifactsDir ?? DEFAULT_ARTIFACTS_DIR;
  const manifest = opts.manifest ?? (await readManifest(dir, opts.signal ? { signal: opts.signal } : {}));
  const wanted = opts.circuits ?? CIRCUIT_IDS.filter((c) => findEntry(manifest, c) !== undefined);
  const circuits = new Map<CircuitId, LoadedCircuit>();
  for (const circuit of wanted) {
    const entry = findEntry(manifest, circuit, opts.versions?.[circuit]);
    if (entry === undefined) {
      throw new ProofError(ErrorCode.ProofUnknownVersion, `no ${circuit} version in the manifest`, {
        circuit,
        version: opts.versions?.[circuit],
      });
    }
    circuits.set(circuit, await loadArtifacts(entry, opts, dir));
  }

  const thread = new ProverThread({ curveThreads: opts.curveThreads ?? true, engine: opts.engine ?? 'auto' });
  for (const c of circuits.values()) thread.addCircuit(c.entry.circuit, c.entry.version, c.wasm, c.zkey);
  await thread.start(opts.signal);

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  // One proof at a time: a second proof would only compete for the same cores.
  function enqueue<T>(circuit: CircuitId, input: CircuitInput, signal?: AbortSignal): Promise<T> {
    if (closed) return Promise.reject(new ProofError(ErrorCode.ProverFailed, 'prover is closed'));
    const loaded = circuits.get(circuit);
    if (loaded === undefined) {
      return Promise.reject(
        new ProofError(ErrorCode.ProofUnknownVersion, `${circuit} is not loaded`, { circuit }),
      );
    }
    const run = async () => {
      throwIfAborted(signal);
      const result = await thread.prove(circuit, input, signal);
      return { circuit, version: loaded.entry.version, ...result } as T;
    };
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  }

  return {
    versions: Object.fromEntries([...circuits].map(([id, c]) => [id, c.entry.version])),
    ...proveMethods(enqueue),
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      await thread.close();
    },
  };
}
