/**
 * The dead-letter queue: tasks dead with reason `no_quorum` or `max_attempts`, with their error
 * history and conflicting digests. Requeue starts a new round (fresh attempts, fresh votes, and
 * workers of earlier rounds may take the task again); purge forgets the entry, the task stays dead.
 */
import { EngineError, ErrorCode, RequestError } from '../../protocol/errors.ts';
import type { EngineContext } from './context.ts';
import { NO_VOTES, wantMore } from './quorum.ts';
import { transitionJob, transitionTask } from './state-machine.ts';
import type {
  Conflict,
  DeadLetter,
  DeadLetterDetail,
  DeadLetterReason,
  DlqFilter,
  LostReplica,
} from './types.ts';

const REASONS: readonly DeadLetterReason[] = ['no_quorum', 'max_attempts'];

interface Row {
  taskId: string;
  jobId: string;
  index: number;
  reason: DeadLetterReason;
  attempts: number;
  deadAt: number;
  errors: string;
  conflicts: string;
}

const SELECT = `SELECT d.task_id AS taskId, d.job_id AS jobId, t.idx AS "index", d.reason, d.attempts,
  d.dead_at AS deadAt, d.errors, d.conflicts
FROM dead_letters d JOIN tasks t ON t.id = d.task_id`;

// Optional filters as `?n IS NULL OR ...` keep one cached statement per query shape.
const FILTER = '(?1 IS NULL OR d.job_id = ?1) AND (?2 IS NULL OR d.reason = ?2)';

function filterArgs(f: DlqFilter): [string | null, string | null] {
  if (f.reason !== undefined && !REASONS.includes(f.reason)) {
    throw new RequestError(ErrorCode.BadRequest, `reason must be one of ${REASONS.join(', ')}`, {
      field: 'reason',
    });
  }
  return [f.jobId ?? null, f.reason ?? null];
}

function summary(r: Row): DeadLetter {
  return {
    taskId: r.taskId,
    jobId: r.jobId,
    index: r.index,
    reason: r.reason,
    attempts: r.attempts,
    deadAt: r.deadAt,
  };
}

export interface DlqListOptions extends DlqFilter {
  limit?: number;
  offset?: number;
}

/** Oldest first (then by job and task index). */
export function listDeadLetters(ctx: Pick<EngineContext, 'db'>, opts: DlqListOptions = {}): DeadLetter[] {
  const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 100), 1), 1_000);
  const offset = Math.max(Math.trunc(opts.offset ?? 0), 0);
  return ctx.db
    .query<Row, [string | null, string | null, number, number]>(
      `${SELECT} WHERE ${FILTER} ORDER BY d.dead_at, d.job_id, t.idx LIMIT ?3 OFFSET ?4`,
    )
    .all(...filterArgs(opts), limit, offset)
    .map(summary);
}

export function inspectDeadLetter(
  ctx: Pick<EngineContext, 'db'>,
  taskId: string,
): DeadLetterDetail | undefined {
  const row = ctx.db.query<Row, [string]>(`${SELECT} WHERE d.task_id = ?1`).get(taskId);
  if (row === null) return undefined;
  return {
    ...summary(row),
    errors: JSON.parse(row.errors) as LostReplica[],
    conflicts: JSON.parse(row.conflicts) as Conflict[],
  };
}

/** Back to pending in a new round; reopens a completed job. Refused for a cancelled job. */
export function requeueDeadLetter(ctx: EngineContext, taskId: string): void {
  const row = ctx.db
    .query<
      {
        jobId: string;
        jobState: string;
        index: number;
        round: number;
        redundancy: number;
        quorum: number;
        maxReplicas: number;
      },
      [string]
    >(
      `SELECT d.job_id AS jobId, j.state AS jobState, t.idx AS "index", t.round, j.redundancy, j.quorum,
         j.max_replicas AS maxReplicas
       FROM dead_letters d JOIN tasks t ON t.id = d.task_id JOIN jobs j ON j.id = d.job_id WHERE d.task_id = ?1`,
    )
    .get(taskId);
  if (row === null)
    throw new EngineError(ErrorCode.NotFound, `no dead letter for task ${taskId}`, { taskId });
  if (row.jobState === 'cancelled') {
    throw new EngineError(ErrorCode.Conflict, `job ${row.jobId} is cancelled`, { taskId, jobId: row.jobId });
  }
  transitionTask(ctx.db, taskId, 'dead', 'pending', {
    dead_reason: null,
    round: row.round + 1,
    attempts: 0,
    live: 0,
    votes: 0,
    best: 0,
    want: wantMore(row, NO_VOTES),
    not_before: ctx.now,
    updated_at: ctx.now,
  });
  ctx.db.query('DELETE FROM dead_letters WHERE task_id = ?1').run(taskId);
  if (row.jobState === 'completed')
    transitionJob(ctx.db, row.jobId, 'completed', 'active', { finished_at: null });
  ctx.events.push({ type: 'task:requeued', detail: { jobId: row.jobId, taskId, index: row.index } });
}

/** Requeue every dead letter matching the filter, skipping cancelled jobs; returns the count. */
export function requeueAllDeadLetters(ctx: EngineContext, filter: DlqFilter = {}): number {
  const ids = ctx.db
    .query<{ taskId: string }, [string | null, string | null]>(
      `SELECT d.task_id AS taskId FROM dead_letters d JOIN jobs j ON j.id = d.job_id
       WHERE ${FILTER} AND j.state <> 'cancelled' ORDER BY d.dead_at, d.job_id, d.task_id`,
    )
    .all(...filterArgs(filter));
  for (const { taskId } of ids) requeueDeadLetter(ctx, taskId);
  return ids.length;
}

export interface DlqPurgeOptions extends DlqFilter {
  /** Only entries dead strictly before this time (ms). */
  before?: number;
}

/** Forget matching dead letters (their tasks stay dead); returns the count. */
export function purgeDeadLetters(ctx: EngineContext, opts: DlqPurgeOptions = {}): number {
  return ctx.db
    .query(`DELETE FROM dead_letters AS d WHERE ${FILTER} AND (?3 IS NULL OR d.dead_at < ?3)`)
    .run(...filterArgs(opts), opts.before ?? null).changes;
}
