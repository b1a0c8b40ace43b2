/** Lost replicas (worker-reported failure or expired lease) and what they do to their task. */
import { ErrorCode, RequestError } from '../../protocol/errors.ts';
import { closeDead } from './close.ts';
import { type EngineContext, loadTask } from './context.ts';
import { openState, wantMore } from './quorum.ts';
import { decideRetry, type LossCause } from './retry-policy.ts';
import { LIVE_REPLICA_STATES, moveTask, transitionReplica } from './state-machine.ts';
import type { FailOutcome } from './types.ts';

const MAX_MESSAGE = 2_000;

export interface WorkerError {
  code: string;
  message: string;
}

/**
 * Count the loss on the task and apply decideRetry's verdict in the same transaction as the
 * replica's own transition: back to pending (or still running/verifying) with a `not_before`, or
 * dead with reason `max_attempts` and the round's error history.
 */
export function loseReplica(ctx: EngineContext, taskId: string, cause: LossCause): FailOutcome {
  const task = loadTask(ctx, taskId);
  const attempts = task.attempts + 1;
  const counts = { live: task.live - 1, votes: task.votes, best: task.best };
  const decision = decideRetry(
    { attempts, maxAttempts: task.maxAttempts, cause, now: ctx.now },
    ctx.opts.backoff,
    ctx.opts.random,
  );
  if (!decision.retry) {
    closeDead(ctx, task, 'max_attempts', counts, attempts);
    return { retry: false, task: 'dead' };
  }
  const next = openState(counts);
  const notBefore = Math.max(task.notBefore, decision.notBefore);
  moveTask(ctx.db, task.id, task.state, next, {
    attempts,
    live: counts.live,
    want: wantMore(task, counts),
    not_before: notBefore,
    updated_at: ctx.now,
  });
  return { retry: true, notBefore, task: next };
}

/**
 * A replica lost through no fault of its task or worker (the orchestrator itself restarted, see
 * releaseOrphanedLeases): the task gets its slot back at once, with no attempt counted and no
 * backoff, so a few orchestrator crashes in a row cannot dead-letter a healthy task.
 */
export function releaseReplica(ctx: EngineContext, taskId: string): void {
  const task = loadTask(ctx, taskId);
  const counts = { live: task.live - 1, votes: task.votes, best: task.best };
  moveTask(ctx.db, task.id, task.state, openState(counts), {
    live: counts.live,
    want: wantMore(task, counts),
    updated_at: ctx.now,
  });
}

function assertWorkerError(error: WorkerError): void {
  if (typeof error?.code !== 'string' || error.code.length === 0 || error.code.length > 64) {
    throw new RequestError(ErrorCode.BadRequest, 'error.code must be a string of 1-64 chars', {
      field: 'error.code',
    });
  }
  if (typeof error.message !== 'string') {
    throw new RequestError(ErrorCode.BadRequest, 'error.message must be a string', {
      field: 'error.message',
    });
  }
}

/** A worker reports that it could not compute its replica. */
export function failReplica(
  ctx: EngineContext,
  replicaId: string,
  workerId: string,
  error: WorkerError,
): FailOutcome {
  assertWorkerError(error);
  const rep = transitionReplica(
    ctx.db,
    replicaId,
    LIVE_REPLICA_STATES,
    'failed',
    { workerId, liveAt: ctx.now },
    {
      ended_at: ctx.now,
      end_reason: 'worker_error',
      error_code: error.code,
      error_message: error.message.slice(0, MAX_MESSAGE),
    },
  );
  return loseReplica(ctx, rep.task_id, 'failed');
}
