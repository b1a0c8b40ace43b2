/**
 * THE state machine: every state, every edge, and the guarded statements that move rows along
 * them. Nothing else in the engine writes a `state` column. Each transition is one
 * `UPDATE ... WHERE id = ? AND state = ? [AND worker_id = ?] [AND lease_expires_at ...]` that must
 * change exactly one row, else a typed EngineError. The same edges are enforced by triggers in
 * orchestrator/db/migrations/0001_init.sql, so even hand-written SQL cannot take an illegal edge.
 *
 *   job:     active -> completed | cancelled;  completed -> active (a dead task was requeued)
 *   task:    pending -> running -> verifying -> done;  pending|running|verifying -> dead;
 *            running -> pending (every live replica lost, no vote yet);  running -> done (Q = 1);
 *            dead -> pending (requeue from the dead-letter queue, a new round)
 *   replica: leased -> acked -> submitted -> accepted | rejected;  leased -> submitted (no ack);
 *            leased|acked -> expired (lease ran out, or the task closed) | failed (worker error)
 */
import type { Database } from 'bun:sqlite';
import { EngineError, ErrorCode } from '../../protocol/errors.ts';

export const JOB_STATES = ['active', 'completed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TASK_STATES = ['pending', 'running', 'verifying', 'done', 'dead'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const REPLICA_STATES = [
  'leased',
  'acked',
  'submitted',
  'accepted',
  'rejected',
  'expired',
  'failed',
] as const;
export type ReplicaState = (typeof REPLICA_STATES)[number];

export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  active: ['completed', 'cancelled'],
  completed: ['active'],
  cancelled: [],
};

export const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  pending: ['running', 'dead'],
  running: ['pending', 'verifying', 'done', 'dead'],
  verifying: ['done', 'dead'],
  done: [],
  dead: ['pending'],
};

export const REPLICA_TRANSITIONS: Readonly<Record<ReplicaState, readonly ReplicaState[]>> = {
  leased: ['acked', 'submitted', 'expired', 'failed'],
  acked: ['submitted', 'expired', 'failed'],
  submitted: ['accepted', 'rejected'],
  accepted: [],
  rejected: [],
  expired: [],
  failed: [],
};

/** Replica states that still hold a lease. */
export const LIVE_REPLICA_STATES: readonly ReplicaState[] = ['leased', 'acked'];
/** Task states that can still change. */
export const OPEN_TASK_STATES: readonly TaskState[] = ['pending', 'running', 'verifying'];

export function isLegal<S extends string>(table: Readonly<Record<S, readonly S[]>>, from: S, to: S): boolean {
  return table[from].includes(to);
}

/** Columns a transition may set besides `state` (never caller input: names are spliced into SQL). */
export type JobColumn = 'finished_at';
export type TaskColumn =
  | 'dead_reason'
  | 'round'
  | 'attempts'
  | 'live'
  | 'votes'
  | 'best'
  | 'want'
  | 'not_before'
  | 'updated_at';
export type ReplicaColumn =
  | 'end_reason'
  | 'acked_at'
  | 'submitted_at'
  | 'ended_at'
  | 'digest'
  | 'output_size'
  | 'error_code'
  | 'error_message';

type Value = string | number | null;
type SetClause<C extends string> = Partial<Record<C, Value>>;
/** Named bindings (the database is opened in strict mode: `$name` binds from key `name`). */
type Bindings = Record<string, Value>;

function illegal(entity: string, id: string, from: string | readonly string[], to: string): EngineError {
  return new EngineError(
    ErrorCode.IllegalTransition,
    `illegal ${entity} transition ${String(from)} -> ${to}`,
    {
      [`${entity}Id`]: id,
      from,
      to,
    },
  );
}

function assertEdges<S extends string>(
  entity: string,
  table: Readonly<Record<S, readonly S[]>>,
  id: string,
  from: readonly S[],
  to: S,
): void {
  for (const f of from) if (!isLegal(table, f, to)) throw illegal(entity, id, f, to);
}

/** Build the guarded UPDATE; statements are cached by bun:sqlite per SQL text. */
function guardedUpdate(
  table: string,
  from: readonly string[],
  set: SetClause<string>,
  extraWhere: string,
  returning: string,
): string {
  const columns = Object.keys(set).filter((c) => set[c] !== undefined);
  const sets = ['state = $to', ...columns.map((c) => `${c} = $s_${c}`)].join(', ');
  const states = from.map((_, i) => `$from${i}`).join(', ');
  return `UPDATE ${table} SET ${sets} WHERE id = $id AND state IN (${states})${extraWhere}${returning}`;
}

function bindings(id: string, from: readonly string[], to: string, set: SetClause<string>): Bindings {
  const b: Bindings = { id, to };
  from.forEach((f, i) => {
    b[`from${i}`] = f;
  });
  for (const [c, v] of Object.entries(set)) if (v !== undefined) b[`s_${c}`] = v;
  return b;
}

export function transitionJob(
  db: Database,
  jobId: string,
  from: JobState,
  to: JobState,
  set: SetClause<JobColumn> = {},
): void {
  assertEdges('job', JOB_TRANSITIONS, jobId, [from], to);
  const res = db.query(guardedUpdate('jobs', [from], set, '', '')).run(bindings(jobId, [from], to, set));
  if (res.changes !== 1) throw illegal('job', jobId, from, to);
}

export function transitionTask(
  db: Database,
  taskId: string,
  from: TaskState,
  to: TaskState,
  set: SetClause<TaskColumn> = {},
): void {
  assertEdges('task', TASK_TRANSITIONS, taskId, [from], to);
  const res = db.query(guardedUpdate('tasks', [from], set, '', '')).run(bindings(taskId, [from], to, set));
  if (res.changes !== 1) throw illegal('task', taskId, from, to);
}

/**
 * Change a task's bookkeeping columns without a transition (e.g. one more lease on a running
 * task), still guarded by the state the caller read.
 */
export function updateTaskInState(
  db: Database,
  taskId: string,
  state: TaskState,
  set: SetClause<TaskColumn>,
): void {
  const res = db
    .query(guardedUpdate('tasks', [state], set, '', ''))
    .run(bindings(taskId, [state], state, set));
  if (res.changes !== 1) throw illegal('task', taskId, state, state);
}

/** Move a task along an edge when the state changes, or just update it when it does not. */
export function moveTask(
  db: Database,
  taskId: string,
  from: TaskState,
  to: TaskState,
  set: SetClause<TaskColumn>,
): void {
  if (from === to) updateTaskInState(db, taskId, from, set);
  else transitionTask(db, taskId, from, to, set);
}

export interface ReplicaGuard {
  /** The lease must belong to this worker (NotLeaseOwner otherwise). */
  workerId?: string;
  /** The lease must still be valid at this time (LeaseExpired otherwise). */
  liveAt?: number;
  /** The lease must have run out before this time (the reaper's guard). */
  expiredAt?: number;
}

export interface ReplicaRow {
  id: string;
  task_id: string;
  round: number;
  worker_id: string;
}

/**
 * Move one replica from any of `from` to `to`. On failure, reads the row once to say why, with
 * the most specific code: UnknownReplica, NotLeaseOwner, LeaseExpired, else IllegalTransition.
 */
export function transitionReplica(
  db: Database,
  replicaId: string,
  from: ReplicaState | readonly ReplicaState[],
  to: ReplicaState,
  guard: ReplicaGuard = {},
  set: SetClause<ReplicaColumn> = {},
): ReplicaRow {
  const froms: readonly ReplicaState[] = typeof from === 'string' ? [from] : from;
  assertEdges('replica', REPLICA_TRANSITIONS, replicaId, froms, to);
  let extra = '';
  const b = bindings(replicaId, froms, to, set);
  if (guard.workerId !== undefined) {
    extra += ' AND worker_id = $g_worker';
    b.g_worker = guard.workerId;
  }
  if (guard.liveAt !== undefined) {
    extra += ' AND lease_expires_at >= $g_live';
    b.g_live = guard.liveAt;
  }
  if (guard.expiredAt !== undefined) {
    extra += ' AND lease_expires_at < $g_expired';
    b.g_expired = guard.expiredAt;
  }
  const sql = guardedUpdate('replicas', froms, set, extra, ' RETURNING id, task_id, round, worker_id');
  const row = db.query<ReplicaRow, [Bindings]>(sql).get(b);
  if (row !== null) return row;
  throw diagnoseReplica(db, replicaId, froms, to, guard);
}

function diagnoseReplica(
  db: Database,
  replicaId: string,
  from: readonly ReplicaState[],
  to: ReplicaState,
  guard: ReplicaGuard,
): EngineError {
  const row = db
    .query<{ state: ReplicaState; worker_id: string; lease_expires_at: number }, [string]>(
      'SELECT state, worker_id, lease_expires_at FROM replicas WHERE id = ?1',
    )
    .get(replicaId);
  if (row === null)
    return new EngineError(ErrorCode.UnknownReplica, `unknown replica ${replicaId}`, { replicaId });
  if (guard.workerId !== undefined && row.worker_id !== guard.workerId) {
    return new EngineError(ErrorCode.NotLeaseOwner, `replica ${replicaId} is not leased to this worker`, {
      replicaId,
      workerId: guard.workerId,
    });
  }
  const live = LIVE_REPLICA_STATES.includes(row.state);
  if (
    row.state === 'expired' ||
    (live && guard.liveAt !== undefined && row.lease_expires_at < guard.liveAt)
  ) {
    return new EngineError(ErrorCode.LeaseExpired, `the lease of replica ${replicaId} has expired`, {
      replicaId,
      leaseExpiresAt: row.lease_expires_at,
    });
  }
  return illegal('replica', replicaId, from.includes(row.state) ? from : row.state, to);
}
