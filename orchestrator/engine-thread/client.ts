/**
 * The main thread's side of the engine thread (./thread.ts): a CommitLane that posts each group
 * commit's ops there and settles them from the reply. The reply's engine events are delivered to
 * the main thread's TaskEngine (SSE, tests and the mesh listen there) and its digest-log records
 * handed to `onRecords` (the replicator publishes them), both before the ops settle, as an
 * in-process batch does.
 */
import { AbortError, EngineError, ErrorCode, throwIfAborted } from '../../protocol/errors.ts';
import type { CommitLane } from '../dispatch/commit-lane.ts';
import type { EngineOp, OpOutcome } from '../dispatch/engine-ops.ts';
import type { TaskEngine } from '../engine/index.ts';
import type { LogRecord } from '../mesh/record.ts';
import type { FromThread, ThreadInit } from './protocol.ts';
import { fromWire } from './wire-error.ts';

const THREAD_URL = new URL('./thread.ts', import.meta.url).href;
/** How long close() waits for the thread to close its database before it ends it anyway. */
const CLOSE_GRACE_MS = 5_000;

export interface EngineThreadOptions {
  /** The main thread's engine on the same database: the thread's events are delivered to it. */
  engine: TaskEngine;
  dbPath: string;
  leaseMs: number;
  /** The digest log the thread appends accepted tasks to, and where its records go. */
  log?: { origin: string; keyProtobuf: Uint8Array; onRecords: (records: LogRecord[]) => void };
  /** Told about what the thread reports (a failed log append) and about its crash. */
  onLog: (line: string) => void;
}

interface Pending {
  resolve: (outcomes: OpOutcome[]) => void;
  reject: (err: unknown) => void;
}

export class EngineThread implements CommitLane {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  /** Set once the thread crashed or closed: every later commit is refused with it. */
  #stopped: Error | undefined;
  #onClosed: (() => void) | undefined;

  private constructor(private readonly opts: EngineThreadOptions) {
    this.#worker = new Worker(THREAD_URL);
  }

  /** Starts the thread and resolves once it opened the database (rejects if it could not). */
  static async start(opts: EngineThreadOptions, signal?: AbortSignal): Promise<EngineThread> {
    const thread = new EngineThread(opts);
    try {
      await thread.#init(signal);
    } catch (err) {
      thread.#worker.terminate();
      throw err;
    }
    return thread;
  }

  #init(signal?: AbortSignal): Promise<void> {
    const { dbPath, leaseMs, log } = this.opts;
    return new Promise<void>((resolve, reject) => {
      throwIfAborted(signal);
      const onAbort = () => reject(new AbortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#worker.onmessage = (event: MessageEvent<FromThread>) => {
        const msg = event.data;
        if (msg.type === 'ready') {
          signal?.removeEventListener('abort', onAbort);
          this.#worker.onmessage = (e: MessageEvent<FromThread>) => this.#onMessage(e.data);
          resolve();
        } else if (msg.type === 'init-failed') reject(fromWire(msg.error));
      };
      this.#worker.onerror = (event) => {
        const err = new EngineError(ErrorCode.Internal, `engine thread crashed: ${event.message}`);
        reject(err);
        this.#stop(err);
        this.opts.onLog(err.message);
      };
      const init: ThreadInit = {
        type: 'init',
        dbPath,
        leaseMs,
        ...(log === undefined ? {} : { log: { origin: log.origin, keyProtobuf: log.keyProtobuf } }),
      };
      this.#worker.postMessage(init);
    });
  }

  commit(ops: readonly EngineOp[]): Promise<OpOutcome[]> {
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped);
    const id = this.#nextId++;
    return new Promise<OpOutcome[]>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ type: 'commit', id, ops });
    });
  }

  /** Waits for the batches posted so far (the caller stops posting first), then ends the thread. */
  async close(): Promise<void> {
    if (this.#stopped !== undefined) return;
    const closed = new Promise<void>((resolve) => {
      this.#onClosed = resolve;
    });
    this.#worker.postMessage({ type: 'close' });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
    this.#stop(new EngineError(ErrorCode.Internal, 'engine thread closed'));
    this.#worker.terminate();
  }

  #onMessage(msg: FromThread): void {
    switch (msg.type) {
      case 'committed': {
        const pending = this.#take(msg.id);
        // Records first: the main thread's log then knows these tasks are logged when it sees their events.
        if (msg.records.length > 0) this.opts.log?.onRecords(msg.records);
        this.opts.engine.deliver(msg.events);
        pending?.resolve(msg.outcomes.map((o) => (o.ok ? o : { ok: false, error: fromWire(o.error) })));
        return;
      }
      case 'commit-failed':
        this.#take(msg.id)?.reject(fromWire(msg.error));
        return;
      case 'log':
        this.opts.onLog(msg.line);
        return;
      case 'closed':
        this.#onClosed?.();
        return;
      default:
        return;
    }
  }

  #take(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    return pending;
  }

  #stop(err: Error): void {
    this.#stopped ??= err;
    for (const pending of this.#pending.values()) pending.reject(err);
    this.#pending.clear();
  }
}
