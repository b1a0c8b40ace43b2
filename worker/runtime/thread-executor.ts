/**
 * Runs the GPU path in the loop's thread (the device does the work; the thread only waits) and
 * the CPU path on a small pool of Worker threads, one task per thread at a time. The loop's
 * thread therefore never runs a long kernel: heartbeats keep flowing while the CPU computes,
 * and a task past its time limit is stopped for real by terminating its thread (a fresh one is
 * spawned for the next task). Same code under Bun and in browsers (Web Worker API).
 */
import { AbortError, ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import type { PreprocessImpl, Preprocessor } from '../preprocess/index.ts';
import type { FromCpuThread, ToCpuThread } from './cpu-thread-protocol.ts';
import { computeOnGpu, type ExecuteOptions, type TaskExecutor } from './executor.ts';
import type { GpuSource } from './gpu-provider.ts';
import { DEFAULT_TASK_LIMITS, type TaskLimits } from './limits.ts';
import { memoryStager, type PayloadStager } from './staging.ts';
import {
  type ComputeResult,
  computeTask,
  cpuWorkOf,
  runsOnLoopThread,
  type TaskInput,
} from './task-kinds.ts';

/**
 * Tasks this small run on the loop's thread: for them the hop to a Worker thread and back
 * (structured clone, two wake-ups) costs more CPU than the kernel. Dispatch bench, trivial tasks,
 * 4 workers: workers' CPU per task 768 -> 289 us (issue 3). 2^14 steps of a CPU reference take
 * ~0.1-0.2 ms here (matmul 32x32x32 = 2^15: ~0.4 ms), short enough for heartbeats and time limits.
 * Anything larger, or with a payload over 64 KiB, still gets a thread.
 */
export const THREAD_EXECUTOR_DEFAULTS = { inlineMaxWork: 2 ** 14, inlineMaxPayloadBytes: 64 * 1024 } as const;

export interface ThreadExecutorOptions {
  /** Used on the GPU path, which runs in this thread. */
  preprocessor: Preprocessor;
  gpu?: GpuSource;
  limits?: Pick<TaskLimits, 'maxOutputBytes'>;
  /** Most CPU threads alive at once (match the loop's concurrency). Default 1. */
  threads?: number;
  /** Script of the CPU thread. Default: ./cpu-thread.ts next to this file (Bun). */
  threadUrl?: string | URL;
  /** Preprocessor the CPU threads load. Default: the same kind as `preprocessor`. */
  threadPreprocessor?: PreprocessImpl;
  /** WASM module URL for the threads (browsers); the loader's default otherwise. */
  wasmUrl?: string;
  /** How payloads reach a thread. Default: SharedArrayBuffer, or a transferred copy. */
  stager?: PayloadStager;
  log?: (line: string) => void;
  /** Most CPU steps (Kernel.cpuWork) of a task computed on the loop's thread; 0: every task gets a thread. */
  inlineMaxWork?: number;
  /** Largest payload computed on the loop's thread. */
  inlineMaxPayloadBytes?: number;
}

/** The thread died before it loaded (bad script URL, module error): threads are unusable here. */
class ThreadStartError extends Error {}

interface Pending {
  resolve: (output: Uint8Array) => void;
  reject: (err: unknown) => void;
}

/** One Worker running cpu-thread.ts; handles one task at a time. */
class CpuThread {
  private readonly worker: Worker;
  private pending: Pending | undefined;
  private nextId = 0;
  private started = false;
  private readonly startedSignal = Promise.withResolvers<void>();
  dead = false;
  /** Set when the thread died before it loaded: threads cannot start in this environment. */
  startFailure: ThreadStartError | undefined;
  /** Taken by one task from acquire() until release, so two tasks never share a thread. */
  reserved = false;

  constructor(url: string | URL, init: ToCpuThread, log: (line: string) => void) {
    this.worker = new Worker(url, { type: 'module' });
    this.worker.onmessage = (event: MessageEvent<FromCpuThread>) => {
      const msg = event.data;
      if (msg.type === 'ready') {
        this.started = true;
        this.startedSignal.resolve();
        if (msg.fallback !== undefined) log(`CPU thread: WASM unavailable (${msg.fallback}), using JS`);
        return;
      }
      const pending = this.pending;
      this.pending = undefined;
      if (msg.type === 'done') pending?.resolve(msg.output);
      else
        pending?.reject(
          new WorkerTaskError(msg.error.code as ErrorCode, msg.error.message, msg.error.details),
        );
    };
    this.worker.onerror = (event: ErrorEvent) => {
      event.preventDefault?.();
      const detail = event.message || 'unknown error';
      this.kill(
        this.started
          ? new WorkerTaskError(ErrorCode.KernelFailed, `CPU thread crashed: ${detail}`)
          : new ThreadStartError(detail),
      );
    };
    this.worker.postMessage(init);
  }

  run(task: TaskInput, staged: { payload: unknown; transfer: Transferable[] }, signal: AbortSignal) {
    if (this.dead) {
      // Died between acquire() and now: posting to a terminated Worker would never be answered.
      return Promise.reject(
        this.startFailure ?? new WorkerTaskError(ErrorCode.KernelFailed, 'the CPU thread is gone'),
      );
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      const onAbort = (): void => this.kill(new AbortError());
      const settle = (): void => signal.removeEventListener('abort', onAbort);
      this.pending = {
        resolve: (output) => {
          settle();
          resolve(output);
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      const message = {
        type: 'run',
        id: this.nextId++,
        kind: task.kind,
        ...(task.taskId === undefined ? {} : { taskId: task.taskId }),
        seed: task.seed,
        params: task.params,
        payload: staged.payload,
      } as ToCpuThread;
      this.worker.postMessage(message, staged.transfer);
    });
  }

  /** Resolves once the thread has loaded its preprocessor (or as soon as it dies). */
  ready(): Promise<void> {
    return this.startedSignal.promise;
  }

  /** Stops the thread at once (a running kernel cannot be interrupted any other way). */
  kill(reason: unknown): void {
    if (reason instanceof ThreadStartError) this.startFailure = reason;
    this.dead = true;
    this.startedSignal.resolve();
    this.worker.terminate();
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(reason);
  }
}

export class ThreadExecutor implements TaskExecutor {
  private readonly threads: CpuThread[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly maxThreads: number;
  private readonly log: (line: string) => void;
  private closed = false;
  /** Set when a thread could not start: the CPU path then runs inline, in this thread. */
  private inline = false;

  constructor(private readonly opts: ThreadExecutorOptions) {
    this.maxThreads = Math.max(1, opts.threads ?? 1);
    this.log = opts.log ?? (() => {});
  }

  async run(task: TaskInput, opts: ExecuteOptions): Promise<ComputeResult> {
    if (this.closed) throw new AbortError('executor closed');
    const limits = this.opts.limits ?? DEFAULT_TASK_LIMITS;
    const gpu = (await this.opts.gpu?.get({ signal: opts.signal, kind: task.kind })) ?? null;
    if (gpu !== null) return computeOnGpu(task, gpu, this.opts.preprocessor, opts, limits);
    // Field-native kinds (poseidon-chain) take well under a millisecond, and their library
    // (circomlibjs, with a native addon) must not load inside a Worker thread: run them here.
    if (!this.inline && !runsOnLoopThread(task.kind) && !this.isSmall(task)) {
      try {
        return { output: await this.runOnThread(task, opts), path: 'cpu' };
      } catch (err) {
        if (!(err instanceof ThreadStartError)) throw err;
        this.goInline(err.message);
      }
    }
    const ctx = { preprocessor: this.opts.preprocessor, signal: opts.signal, gpu: null, limits };
    return computeTask(task, ctx);
  }

  /** Cheaper to compute here than to send to a thread (THREAD_EXECUTOR_DEFAULTS). */
  private isSmall(task: TaskInput): boolean {
    const maxWork = this.opts.inlineMaxWork ?? THREAD_EXECUTOR_DEFAULTS.inlineMaxWork;
    const maxBytes = this.opts.inlineMaxPayloadBytes ?? THREAD_EXECUTOR_DEFAULTS.inlineMaxPayloadBytes;
    return maxWork > 0 && task.payload.byteLength <= maxBytes && cpuWorkOf(task) <= maxWork;
  }

  /**
   * Starts threads up to the cap and waits until they are loaded, so the first CPU tasks do not
   * pay the thread's start-up (module load, WASM compile) out of their time limit.
   */
  async warm(): Promise<void> {
    if (this.inline || this.closed) return;
    try {
      while (this.threads.length < this.maxThreads) this.threads.push(this.spawn());
    } catch (err) {
      this.goInline(err instanceof Error ? err.message : String(err));
      return;
    }
    await Promise.all(this.threads.map((t) => t.ready()));
  }

  private goInline(reason: string): void {
    if (this.inline) return;
    this.inline = true;
    this.log(`CPU threads unavailable (${reason}); computing on the task loop's thread`);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const thread of this.threads.splice(0)) thread.kill(new AbortError('executor closed'));
    for (const wake of this.waiting.splice(0)) wake();
  }

  private async runOnThread(task: TaskInput, opts: ExecuteOptions): Promise<Uint8Array> {
    const staged = await (this.opts.stager ?? memoryStager).stage(opts.replicaId, task.payload, opts);
    try {
      const thread = await this.acquire(opts.signal);
      try {
        return await thread.run(task, staged, opts.signal);
      } finally {
        this.releaseThread(thread);
      }
    } finally {
      await staged.release();
    }
  }

  /** An idle thread, a new one while under the cap, or the next one to become idle. */
  private async acquire(signal: AbortSignal): Promise<CpuThread> {
    for (;;) {
      if (this.closed) throw new AbortError('executor closed');
      if (signal.aborted) throw new AbortError();
      this.prune();
      const idle = this.threads.find((t) => !t.reserved && !t.dead);
      if (idle !== undefined) {
        idle.reserved = true;
        return idle;
      }
      if (this.threads.length < this.maxThreads) {
        let thread: CpuThread;
        try {
          thread = this.spawn();
        } catch (err) {
          throw new ThreadStartError(err instanceof Error ? err.message : String(err));
        }
        thread.reserved = true;
        this.threads.push(thread);
        return thread;
      }
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  /** Drops threads that died while idle; one that never started means threads cannot work here. */
  private prune(): void {
    for (let i = this.threads.length - 1; i >= 0; i--) {
      const thread = this.threads[i];
      if (thread?.dead !== true || thread.reserved) continue;
      this.threads.splice(i, 1);
      if (thread.startFailure !== undefined) throw thread.startFailure;
    }
  }

  private releaseThread(thread: CpuThread): void {
    thread.reserved = false;
    const index = this.threads.indexOf(thread);
    if (thread.dead && index >= 0) {
      this.threads.splice(index, 1);
      // Replace a killed thread at once, so the next task does not wait for a cold start.
      if (!this.closed && !this.inline) {
        try {
          this.threads.push(this.spawn());
        } catch {
          // acquire() spawns again (and reports a start failure) when the next task needs one
        }
      }
    }
    this.waiting.shift()?.();
  }

  private spawn(): CpuThread {
    const url = this.opts.threadUrl ?? new URL('./cpu-thread.ts', import.meta.url);
    const init: ToCpuThread = {
      type: 'init',
      preprocessor: this.opts.threadPreprocessor ?? this.opts.preprocessor.impl,
      maxOutputBytes: (this.opts.limits ?? DEFAULT_TASK_LIMITS).maxOutputBytes,
      ...(this.opts.wasmUrl === undefined ? {} : { wasmUrl: this.opts.wasmUrl }),
    };
    return new CpuThread(url, init, this.log);
  }
}
