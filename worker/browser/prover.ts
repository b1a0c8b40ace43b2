/**
 * The browser's Groth16 prover: the same `Prover` contract as worker/prover's createProver, for
 * the page's dedicated worker. Proving runs in a nested Web Worker (/worker/prover-thread.js,
 * worker/prover/prover-thread.ts bundled for browsers), so the task loop keeps heartbeating
 * during the ~1-2 s a proof costs.
 *
 * Each circuit's artifacts (~4-10 MB) are loaded on its first proof, not up front: a contributor
 * whose jobs only need result_binding never downloads the batch circuit. They come from an
 * ArtifactStore (fetched from the orchestrator by hash, checked with SHA-256, cached in OPFS)
 * and are sent to the thread once; after an abort (snarkjs cannot be interrupted, so the thread
 * is terminated) the next proof starts a fresh thread from the bytes already checked.
 *
 * The thread proves with a single-threaded curve: ffjavascript's thread pool starts its workers
 * from blob: URLs, which the page's CSP (`worker-src 'self'`) refuses, deliberately.
 */
import { ProofError } from '../../circuits/lib/errors.ts';
import { findEntry, type Manifest } from '../../circuits/lib/manifest.ts';
import type { CircuitId } from '../../circuits/lib/params.ts';
import { AbortError, ErrorCode, throwIfAborted } from '../../protocol/errors.ts';
import type { ProofBundle, Prover } from '../prover/index.ts';
import { type CircuitInput, proveMethods } from '../prover/inputs.ts';
import type { FromThread, ToThread } from '../prover/thread-protocol.ts';
import type { ArtifactStore } from './artifact-store.ts';

export interface BrowserProverOptions {
  manifest: Manifest;
  store: ArtifactStore;
  /** URL of the bundled prover thread. */
  threadUrl: string;
  /** Circuits to load before returning (default none: each loads on its first proof). */
  preload?: readonly CircuitId[];
  /** Called once per circuit when it is ready in the thread (for logs). */
  onLoaded?: (info: CircuitLoaded) => void;
  signal?: AbortSignal;
}

export interface CircuitLoaded {
  circuit: CircuitId;
  version: number;
  /** From the store's first request to the thread's 'loaded'. */
  ms: number;
  /** Where the wasm and the zkey came from. */
  from: Array<'cache' | 'orchestrator'>;
}

interface Loaded {
  circuit: CircuitId;
  version: number;
  wasm: Uint8Array;
  zkey: Uint8Array;
}

type ThreadProof = Omit<ProofBundle, 'circuit' | 'version'>;
type Waiter<T> = { resolve: (v: T) => void; reject: (e: Error) => void };

/** One thread at a time, one proof at a time; replaced after an abort or a crash. */
class BrowserProverThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly circuits: Loaded[] = [];
  private readonly loads = new Map<string, Waiter<void>>();
  private readonly pending = new Map<number, Waiter<ThreadProof>>();

  constructor(private readonly url: string) {}

  /** Adds a circuit (kept for replacement threads) and waits until the thread has it. */
  async add(c: Loaded): Promise<void> {
    // Once: after a failed load the circuit may already be listed for replacement threads.
    if (!this.circuits.some((x) => x.circuit === c.circuit)) this.circuits.push(c);
    await this.send(c);
  }

  private send(c: Loaded): Promise<void> {
    const worker = this.spawn();
    return new Promise<void>((resolve, reject) => {
      this.loads.set(c.circuit, { resolve, reject });
      // A copy, not a transfer: the checked bytes stay here for a replacement thread.
      // snarkjs: a browser has no native library to load.
      const msg: ToThread = { type: 'load', ...c, singleThread: true, engine: 'snarkjs' };
      worker.postMessage(msg);
    });
  }

  private spawn(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(this.url, { type: 'module' });
    this.worker = worker;
    worker.onmessage = (event: MessageEvent<FromThread>) => this.onMessage(event.data);
    worker.onerror = (event) => {
      this.kill(new ProofError(ErrorCode.ProverFailed, `prover thread crashed: ${event.message}`));
    };
    return worker;
  }

  private onMessage(msg: FromThread): void {
    if (msg.type === 'loaded') {
      this.loads.get(msg.circuit)?.resolve();
      this.loads.delete(msg.circuit);
    } else if (msg.type === 'proved') {
      this.pending.get(msg.id)?.resolve({
        proof: msg.proof,
        publicSignals: msg.publicSignals,
        timings: { witnessMs: msg.witnessMs, proveMs: msg.proveMs, engine: msg.engine },
      });
      this.pending.delete(msg.id);
    } else if (msg.type === 'failed') {
      const err = new ProofError(ErrorCode.ProverFailed, `prover thread: ${msg.message}`);
      if (msg.id === null)
        this.kill(err); // a load failed: the thread is of no use
      else {
        this.pending.get(msg.id)?.reject(err);
        this.pending.delete(msg.id);
      }
    }
  }

  async prove(circuit: CircuitId, input: CircuitInput, signal?: AbortSignal): Promise<ThreadProof> {
    if (this.worker === undefined) await Promise.all(this.circuits.map((c) => this.send(c)));
    throwIfAborted(signal);
    const worker = this.spawn();
    const id = this.nextId++;
    return new Promise<ThreadProof>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(id);
        this.kill(new AbortError());
        reject(new AbortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (v) => {
          settle();
          resolve(v);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      const msg: ToThread = { type: 'prove', id, circuit, input };
      worker.postMessage(msg);
    });
  }

  kill(reason: Error): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const w of [...this.loads.values(), ...this.pending.values()]) w.reject(reason);
    this.loads.clear();
    this.pending.clear();
  }
}

export async function createBrowserProver(opts: BrowserProverOptions): Promise<Prover> {
  const thread = new BrowserProverThread(opts.threadUrl);
  const versions: Partial<Record<CircuitId, number>> = {};
  const loading = new Map<CircuitId, Promise<Loaded>>();

  const load = (circuit: CircuitId, signal?: AbortSignal): Promise<Loaded> => {
    let p = loading.get(circuit);
    if (p === undefined) {
      p = (async () => {
        const started = performance.now();
        const entry = findEntry(opts.manifest, circuit);
        if (entry === undefined) {
          throw new ProofError(ErrorCode.ProofUnknownVersion, `no ${circuit} version in the manifest`, {
            circuit,
          });
        }
        const o = signal ? { signal } : {};
        const [wasm, zkey] = await Promise.all([
          opts.store.load(entry.wasm, o),
          opts.store.load(entry.zkey, o),
        ]);
        const loaded = { circuit, version: entry.version, wasm, zkey };
        await thread.add(loaded);
        versions[circuit] = entry.version;
        opts.onLoaded?.({
          circuit,
          version: entry.version,
          ms: performance.now() - started,
          from: [entry.wasm, entry.zkey].map((f) => opts.store.sources.get(f.sha256) ?? 'orchestrator'),
        });
        return loaded;
      })();
      loading.set(circuit, p);
      p.catch(() => loading.delete(circuit)); // a failed load is retried by the next proof
    }
    return p;
  };
  for (const circuit of opts.preload ?? []) await load(circuit, opts.signal);

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  // One proof at a time: a second would only compete for the same core.
  function enqueue<T>(circuit: CircuitId, input: CircuitInput, signal?: AbortSignal): Promise<T> {
    if (closed) return Promise.reject(new ProofError(ErrorCode.ProverFailed, 'prover is closed'));
    const run = async () => {
      throwIfAborted(signal);
      const loaded = await load(circuit, signal);
      const result = await thread.prove(circuit, input, signal);
      return { circuit, version: loaded.version, ...result } as T;
    };
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  }

  return {
    versions,
    ...proveMethods(enqueue),
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      thread.kill(new ProofError(ErrorCode.ProverFailed, 'prover closed'));
    },
  };
}
