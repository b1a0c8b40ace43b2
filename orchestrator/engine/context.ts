/** What every engine operation receives: the database, options, one clock reading, an event sink. */
import type { Database } from 'bun:sqlite';
import { EngineError, ErrorCode } from '../../protocol/errors.ts';
import type { EngineEvent } from './events.ts';
import type { QuorumPolicy, VoteCounts } from './quorum.ts';
import type { TaskState } from './state-machine.ts';
import type { DeadReason, EngineOptions } from './types.ts';

export interface EngineContext {
  readonly db: Database;
  readonly opts: EngineOptions;
  /** The clock read once at the start of the operation, so one transaction sees one time. */
  readonly now: number;
  /** Events to deliver after commit. */
  readonly events: EngineEvent[];
}

/** A task row joined with its job's policy. */
export interface TaskRow extends QuorumPolicy, VoteCounts {
  id: string;
  jobId: string;
  index: number;
  state: TaskState;
  deadReason: DeadReason | null;
  round: number;
  attempts: number;
  maxAttempts: number;
  notBefore: number;
}

/** Select TaskRow columns; append a WHERE clause. */
export const TASK_SELECT = `SELECT t.id, t.job_id AS jobId, t.idx AS "index", t.state, t.dead_reason AS deadReason,
  t.round, t.attempts, t.live, t.votes, t.best, t.not_before AS notBefore,
  j.redundancy, j.quorum, j.max_replicas AS maxReplicas, j.max_attempts AS maxAttempts
FROM tasks t JOIN jobs j ON j.id = t.job_id`;

export function findTask(ctx: EngineContext, taskId: string): TaskRow | null {
  return ctx.db.query<TaskRow, [string]>(`${TASK_SELECT} WHERE t.id = ?1`).get(taskId);
}

/** Load a task the caller knows exists (it holds a replica of it, in the same transaction). */
export function loadTask(ctx: EngineContext, taskId: string): TaskRow {
  const row = findTask(ctx, taskId);
  if (row === null)
    throw new EngineError(ErrorCode.Internal, `task ${taskId} vanished inside a transaction`, { taskId });
  return row;
}
