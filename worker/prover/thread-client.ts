/**
 * Owns the prover Worker: starts it, sends it the (already checked) artifacts, matches replies
 * to requests, and replaces it after an abort or a crash. Used only by createProver.
 */

import type { Groth16Proof } from 'snarkjs';
import { ProofError } from '../../circuits/lib/errors.ts';
import { AbortError, ErrorCode, throwIfAborted } from '../../protocol/errors.ts';
import type { CircuitInput } from './inputs.ts';
import type { FromThread, ProverEngine, ProverEngineChoice, ToThread } from './thread-protocol.ts';

export interface ThreadProof {
  proof: Groth16Proof;
  publicSignals: string[];
  timings: { witnessMs: number; proveMs: number; engine: ProverEngine };
}

interface Pending {
  resolve: (value: ThreadProof) => void;
  reject: (err: Error) => void;
}

const THREAD_URL = new URL('./prover-thread.ts', import.meta.url).href;
const CLOSE_GRACE_MS = 2000;

export class ProverThread {
  private readonly circuits: Array<{ circuit: string; version: number; wasm: Uint8Array; zkey: Uint8Array }> =
    [];
  private readonly pending = new Map<number, Pending>();
  private worker: Worker | undefined;
  private starting: Promise<void> | undefined;
  private nextId = 1;

  constructor(private readonly opts: { curveThreads: boolean; engine: ProverEngineChoice }) {}

  addCircuit(circuit: string, version: number, wasm: Uint8Array, zkey: Uint8Array): void {
    this.circuits.push({ circuit, version, wasm, zkey });
  }

  /** Starts the Worker (if not running) and resolves once every circuit is loaded in it. */
  start(signal?: AbortSignal): Promise<void> {
    this.starting ??= this.spawn(signal).catch((err: unknown) => {
      this.kill();
      throw err;
    });
    return this.starting;
  }

  private spawn(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const worker = new Worker(THREAD_URL);
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      const waiting = new Set(this.circuits.map((c) => c.circuit));
      const onAbort = () => reject(new AbortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.onmessage = (event: MessageEvent<FromThread>) => {
        const msg = event.data;
        if (msg.type === 'loaded') {
          waiting.delete(msg.circuit);
          if (waiting.size === 0) {
            signal?.removeEventListener('abort', onAbort);
            worker.onmessage = (e: MessageEvent<FromThread>) => this.onMessage(e.data);
            resolve();
          }
        } else if (msg.type === 'failed') {
          reject(new ProofError(ErrorCode.ProverFailed, `prover thread failed to load: ${msg.message}`));
        }
      };
      worker.onerror = (event) => {
        const err = new ProofError(ErrorCode.ProverFailed, `prover thread crashed: ${event.message}`);
        reject(err);
        this.failAll(err);
        this.kill();
      };
      for (const c of this.circuits) {
        const msg: ToThread = {
          type: 'load',
          ...c,
          singleThread: !this.opts.curveThreads,
          engine: this.opts.engine,
        };
        worker.postMessage(msg);
      }
    });
  }

  private onMessage(msg: FromThread): void {
    if (msg.type === 'proved') {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      p?.resolve({
        proof: msg.proof,
        publicSignals: msg.publicSignals,
        timings: { witnessMs: msg.witnessMs, proveMs: msg.proveMs, engine: msg.engine },
      });
    } else if (msg.type === 'failed' && msg.id !== null) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      p?.reject(new ProofError(ErrorCode.ProverFailed, `proving failed: ${msg.message}`));
    }
  }

  async prove(circuit: string, input: CircuitInput, signal?: AbortSignal): Promise<ThreadProof> {
    await this.start(signal);
    throwIfAborted(signal);
    const worker = this.worker as Worker;
    const id = this.nextId++;
    return new Promise<ThreadProof>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        // snarkjs has no cancellation point: the only way to stop a running proof is to end
        // the thread. The next prove() starts a new one.
        this.kill();
        reject(new AbortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      const msg: ToThread = { type: 'prove', id, circuit, input };
      worker.postMessage(msg);
    });
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private kill(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.starting = undefined;
  }

  /** Asks the thread to end its curve threads, then terminates it (after a grace period). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_GRACE_MS);
      worker.onmessage = (e: MessageEvent<FromThread>) => {
        if (e.data.type === 'closed') {
          clearTimeout(timer);
          resolve();
        }
      };
      const msg: ToThread = { type: 'close' };
      worker.postMessage(msg);
    });
    this.failAll(new ProofError(ErrorCode.ProverFailed, 'prover closed'));
    this.kill();
  }
}
