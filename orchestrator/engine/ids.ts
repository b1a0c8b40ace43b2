import { ErrorCode, RequestError } from '../../protocol/errors.ts';

/** Every id the engine stores or accepts (job, task, replica and worker ids). */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

export type IdPrefix = 'job' | 'rep';

/**
 * A prefixed, roughly time-ordered random id: `job_` + 9 base-36 chars of milliseconds + 16 hex
 * chars of randomness (64 bits). Time first keeps ids of one job near each other in indexes.
 */
export function newId(prefix: IdPrefix, nowMs: number): string {
  const time = Math.max(0, Math.floor(nowMs)).toString(36).padStart(9, '0');
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `${prefix}_${time}${Buffer.from(bytes).toString('hex')}`;
}

/**
 * A task's id: its job's id with `task_` for `job_` and the task's index in fixed-width base 36.
 * Ids of one job's tasks sort in task order, so the FIFO walk of a job touches neighbouring keys
 * in every index keyed by task id (replicas, results): a group commit of 8 leases dirties a few
 * index pages instead of 8 random ones (issue 3: ~25% fewer WAL frames per task).
 */
export function taskId(jobId: string, index: number): string {
  return `task_${jobId.slice('job_'.length)}_${index.toString(36).padStart(6, '0')}`;
}

/** Throw a RequestError naming `field` unless `value` is a valid id. */
export function assertId(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new RequestError(ErrorCode.BadRequest, `${field} must match ${ID_PATTERN.source}`, { field });
  }
}
