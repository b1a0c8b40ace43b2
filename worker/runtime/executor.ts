/**
 * Where a task's compute runs. The task loop hands every task to a TaskExecutor:
 * - InlineExecutor computes in the loop's own thread: fine for the GPU path (the work is on
 *   the device and the thread only waits) and for tests, but a long CPU kernel blocks the thread,
 *   so heartbeats stall and a time limit can only be noticed after the kernel returns.
 * - ThreadExecutor (./thread-executor.ts) runs the CPU path in a Worker thread, which keeps the
 *   loop responsive and can be terminated when a task runs past its limit.
 */
import type { GpuContext } from '../../shaders/gpu/types.ts';
import type { Preprocessor } from '../preprocess/index.ts';
import type { GpuSource } from './gpu-provider.ts';
import { DEFAULT_TASK_LIMITS, type TaskLimits } from './limits.ts';
import { type ComputeResult, computeTask, type TaskInput } from './task-kinds.ts';

export interface ExecuteOptions {
  /** Fires when the task is cancelled or ran out of time; executors stop waiting at once. */
  signal: AbortSignal;
  /** Time left for this task (ms). */
  timeoutMs: number;
  /** Replica id, for staging names and logs. */
  replicaId: string;
}

export interface TaskExecutor {
  run(task: TaskInput, opts: ExecuteOptions): Promise<ComputeResult>;
  /** Frees threads and staged files; the executor is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * Runs a task on the GPU in this thread. If the task is cancelled or times out while the device
 * works, the context is marked lost: the shader may still occupy the queue and nothing can stop
 * it, so the next task gets a fresh context (GpuProvider) instead of queueing behind it.
 */
export async function computeOnGpu(
  task: TaskInput,
  gpu: GpuContext,
  preprocessor: Preprocessor,
  opts: ExecuteOptions,
  limits: Pick<TaskLimits, 'maxOutputBytes'>,
): Promise<ComputeResult> {
  try {
    return await computeTask(task, {
      preprocessor,
      signal: opts.signal,
      gpu,
      timeoutMs: opts.timeoutMs,
      limits,
    });
  } catch (err) {
    if (opts.signal.aborted) gpu.markLost('a task was stopped while the GPU was busy');
    throw err;
  }
}

export interface InlineExecutorOptions {
  preprocessor: Preprocessor;
  gpu?: GpuSource;
  limits?: Pick<TaskLimits, 'maxOutputBytes'>;
}

export class InlineExecutor implements TaskExecutor {
  constructor(private readonly opts: InlineExecutorOptions) {}

  async run(task: TaskInput, opts: ExecuteOptions): Promise<ComputeResult> {
    const gpu = (await this.opts.gpu?.get({ signal: opts.signal, kind: task.kind })) ?? null;
    const limits = this.opts.limits ?? DEFAULT_TASK_LIMITS;
    if (gpu !== null) return computeOnGpu(task, gpu, this.opts.preprocessor, opts, limits);
    return computeTask(task, { preprocessor: this.opts.preprocessor, signal: opts.signal, gpu, limits });
  }

  async close(): Promise<void> {}
}
