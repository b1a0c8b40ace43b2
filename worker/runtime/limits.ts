/**
 * Per-task resource limits a worker enforces on its own behalf (the orchestrator has its own).
 * Memory is bounded through sizes: the input payload before anything is decoded, the output
 * before it is allocated where the kind's output size follows from the input header (matmul,
 * custom WGSL), and the produced bytes after the kernel. Exceeding one is a typed failure
 * (TASK_MEMORY_LIMIT), never an out-of-memory crash of the worker.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';

export interface TaskLimits {
  /** Wall-clock limit of one task, from ack to output (ms). */
  timeoutMs: number;
  /** Largest task input accepted, in bytes. */
  maxPayloadBytes: number;
  /** Largest output one task may produce, in bytes. */
  maxOutputBytes: number;
}

export const DEFAULT_TASK_LIMITS: Readonly<TaskLimits> = {
  timeoutMs: 60_000,
  maxPayloadBytes: 16 * 1024 * 1024,
  maxOutputBytes: 16 * 1024 * 1024,
};

export function resolveTaskLimits(opts: Partial<TaskLimits> = {}): TaskLimits {
  const limits = { ...DEFAULT_TASK_LIMITS, ...opts };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  return limits;
}

function tooLarge(what: 'payload' | 'output', bytes: number, limit: number): WorkerTaskError {
  return new WorkerTaskError(
    ErrorCode.TaskMemoryLimit,
    `task ${what} of ${bytes} bytes exceeds this worker's ${limit}-byte limit`,
    { field: what, bytes, limit },
  );
}

export function checkPayloadSize(bytes: number, limits: Pick<TaskLimits, 'maxPayloadBytes'>): void {
  if (bytes > limits.maxPayloadBytes) throw tooLarge('payload', bytes, limits.maxPayloadBytes);
}

export function checkOutputSize(bytes: number, limits: Pick<TaskLimits, 'maxOutputBytes'>): void {
  if (bytes > limits.maxOutputBytes) throw tooLarge('output', bytes, limits.maxOutputBytes);
}
