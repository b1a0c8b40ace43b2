/**
 * Closing a task (done or dead) and what follows in the same transaction: the task's live
 * replicas lose their lease (a late submit gets LeaseExpired), submitted ones are accepted or
 * rejected, the result or the dead letter is written, and the job completes when nothing is open.
 */
import type { EngineContext, TaskRow } from './context.ts';
import type { VoteCounts } from './quorum.ts';
import { LIVE_REPLICA_STATES, transitionJob, transitionReplica, transitionTask } from './state-machine.ts';
import type { Conflict, DeadReason, LostReplica } from './types.ts';

/** A submitted vote of the task's current round. */
export interface Vote {
  id: string;
  worker_id: string;
  digest: string;
}

function liveReplicaIds(ctx: EngineContext, task: TaskRow): string[] {
  return ctx.db
    .query<{ id: string }, [string, number]>(
      "SELECT id FROM replicas WHERE task_id = ?1 AND round = ?2 AND state IN ('leased', 'acked')",
    )
    .all(task.id, task.round)
    .map((r) => r.id);
}

export function submittedVotes(ctx: EngineContext, task: Pick<TaskRow, 'id' | 'round'>): Vote[] {
  return ctx.db
    .query<Vote, [string, number]>(
      "SELECT id, worker_id, digest FROM replicas WHERE task_id = ?1 AND round = ?2 AND state = 'submitted' ORDER BY submitted_at, id",
    )
    .all(task.id, task.round);
}

/** `live` is the task's live count: when it is 0 (the common case) there is nothing to look up. */
function revokeLive(ctx: EngineContext, task: TaskRow, live: number): void {
  if (live === 0) return;
  for (const id of liveReplicaIds(ctx, task)) {
    transitionReplica(
      ctx.db,
      id,
      LIVE_REPLICA_STATES,
      'expired',
      {},
      { ended_at: ctx.now, end_reason: 'task_closed' },
    );
  }
}

/** Replicas of this round that were lost (failed or expired), oldest first: the error history. */
export function lostReplicas(ctx: EngineContext, taskId: string, round: number): LostReplica[] {
  return ctx.db
    .query<LostReplica, [string, number]>(
      `SELECT id AS replicaId, worker_id AS workerId, state, coalesce(error_code, '') AS code,
              coalesce(error_message, '') AS message, coalesce(ended_at, 0) AS at
       FROM replicas WHERE task_id = ?1 AND round = ?2 AND state IN ('failed', 'expired')
         AND coalesce(end_reason, '') <> 'task_closed'
       ORDER BY ended_at, id`,
    )
    .all(taskId, round);
}

export function completeJobIfFinished(ctx: EngineContext, jobId: string): void {
  const job = ctx.db
    .query<{ state: string; open: number }, [string]>(
      'SELECT state, tasks_pending + tasks_running + tasks_verifying AS open FROM jobs WHERE id = ?1',
    )
    .get(jobId);
  if (job === null || job.state !== 'active' || job.open > 0) return;
  transitionJob(ctx.db, jobId, 'active', 'completed', { finished_at: ctx.now });
  ctx.events.push({ type: 'job:done', detail: { jobId, state: 'completed' } });
}

/** Quorum reached on `digest`: accept the agreeing replicas, reject the others, store the result. */
export function closeDone(
  ctx: EngineContext,
  task: TaskRow,
  counts: VoteCounts,
  digest: string,
  outputSha256: string,
  votes: readonly Vote[] = submittedVotes(ctx, task),
): void {
  revokeLive(ctx, task, counts.live);
  const workers: string[] = [];
  for (const r of votes) {
    const agrees = r.digest === digest;
    if (agrees) workers.push(r.worker_id);
    transitionReplica(
      ctx.db,
      r.id,
      'submitted',
      agrees ? 'accepted' : 'rejected',
      {},
      {
        ended_at: ctx.now,
        end_reason: agrees ? 'quorum' : 'outvoted',
      },
    );
  }
  transitionTask(ctx.db, task.id, task.state, 'done', {
    live: 0,
    votes: counts.votes,
    best: counts.best,
    want: 0,
    updated_at: ctx.now,
  });
  // The primary key on results.task_id makes a second acceptance of one task impossible.
  ctx.db
    .query(
      'INSERT INTO results (task_id, job_id, idx, digest, output_sha256, accepted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)',
    )
    .run(task.id, task.jobId, task.index, digest, outputSha256, ctx.now);
  ctx.events.push({
    type: 'task:done',
    detail: {
      jobId: task.jobId,
      taskId: task.id,
      index: task.index,
      digest,
      workers: workers.sort(),
      acceptedAt: ctx.now,
    },
  });
  completeJobIfFinished(ctx, task.jobId);
}

/** Group submitted digests with the workers that sent them, largest group first. */
function conflictsOf(rows: readonly { worker_id: string; digest: string }[]): Conflict[] {
  const groups = new Map<string, string[]>();
  for (const r of rows) {
    const g = groups.get(r.digest);
    if (g === undefined) groups.set(r.digest, [r.worker_id]);
    else g.push(r.worker_id);
  }
  return [...groups]
    .map(([digest, workerIds]) => ({ digest, workerIds }))
    .sort((a, b) => b.workerIds.length - a.workerIds.length);
}

/**
 * The task is dead: no quorum is reachable, attempts ran out, or its job was cancelled. Every
 * vote of the round is rejected (none reached a quorum); a dead letter keeps the history, except
 * for cancelled tasks, which the researcher asked for and nobody needs to triage.
 */
export function closeDead(
  ctx: EngineContext,
  task: TaskRow,
  reason: DeadReason,
  counts: VoteCounts,
  attempts: number,
  votes: readonly Vote[] = submittedVotes(ctx, task),
): void {
  const errors = lostReplicas(ctx, task.id, task.round);
  revokeLive(ctx, task, counts.live);
  const endReason = reason === 'no_quorum' ? 'no_quorum' : 'task_closed';
  for (const r of votes) {
    transitionReplica(
      ctx.db,
      r.id,
      'submitted',
      'rejected',
      {},
      { ended_at: ctx.now, end_reason: endReason },
    );
  }
  transitionTask(ctx.db, task.id, task.state, 'dead', {
    dead_reason: reason,
    attempts,
    live: 0,
    votes: counts.votes,
    best: counts.best,
    want: 0,
    updated_at: ctx.now,
  });
  if (reason !== 'cancelled') {
    ctx.db
      .query(
        `INSERT INTO dead_letters (task_id, job_id, reason, attempts, errors, conflicts, dead_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`,
      )
      .run(
        task.id,
        task.jobId,
        reason,
        attempts,
        JSON.stringify(errors),
        JSON.stringify(conflictsOf(votes)),
        ctx.now,
      );
  }
  ctx.events.push({
    type: 'task:dead',
    detail: { jobId: task.jobId, taskId: task.id, index: task.index, reason },
  });
  completeJobIfFinished(ctx, task.jobId);
}
