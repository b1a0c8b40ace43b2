/** A worker's result: record the vote, then close the task on quorum, dead-letter it, or ask for more. */
import { EngineError, ErrorCode, RequestError } from '../../protocol/errors.ts';
import { putBlob, sha256Hex } from './blobs.ts';
import { closeDead, closeDone, submittedVotes } from './close.ts';
import { type EngineContext, loadTask } from './context.ts';
import { openState, quorumReachable, quorumReached, wantMore } from './quorum.ts';
import { LIVE_REPLICA_STATES, moveTask, transitionReplica } from './state-machine.ts';
import type { SubmitOutcome } from './types.ts';

const DIGEST_PATTERN = /^[A-Za-z0-9_.:+/=-]{1,256}$/;

export interface SubmittedResult {
  digest: string;
  output: Uint8Array;
}

function assertResult(result: SubmittedResult): void {
  if (typeof result?.digest !== 'string' || !DIGEST_PATTERN.test(result.digest)) {
    throw new RequestError(ErrorCode.BadRequest, `digest must match ${DIGEST_PATTERN.source}`, {
      field: 'digest',
    });
  }
  if (!(result.output instanceof Uint8Array)) {
    throw new RequestError(ErrorCode.BadRequest, 'output must be bytes', { field: 'output' });
  }
}

export function submitResult(
  ctx: EngineContext,
  replicaId: string,
  workerId: string,
  result: SubmittedResult,
): SubmitOutcome {
  assertResult(result);
  // The guarded transition comes first so ownership and lease errors take precedence; anything
  // thrown after it rolls the whole transaction back.
  const rep = transitionReplica(
    ctx.db,
    replicaId,
    LIVE_REPLICA_STATES,
    'submitted',
    { workerId, liveAt: ctx.now },
    { digest: result.digest, output_size: result.output.byteLength, submitted_at: ctx.now },
  );
  const outputSha256 = sha256Hex(result.output);
  if (ctx.opts.checkDigest && outputSha256 !== result.digest) {
    throw new EngineError(ErrorCode.DigestMismatch, 'digest is not the SHA-256 of the output', {
      replicaId,
      field: 'digest',
    });
  }
  const task = loadTask(ctx, rep.task_id);
  // This round's votes, this one included: the group size and, on close, who to accept or reject.
  const votes =
    task.votes === 0
      ? [{ id: rep.id, worker_id: rep.worker_id, digest: result.digest }]
      : submittedVotes(ctx, task);
  const group = votes.filter((v) => v.digest === result.digest).length;
  const counts = { live: task.live - 1, votes: task.votes + 1, best: Math.max(task.best, group) };

  if (quorumReached(task, counts)) {
    // Only the replica completing the quorum stores its output, and only as a content-addressed blob.
    putBlob(ctx.db, result.output, outputSha256);
    closeDone(ctx, task, counts, result.digest, outputSha256, votes);
    return { replica: 'accepted', task: 'done' };
  }
  if (!quorumReachable(task, counts)) {
    closeDead(ctx, task, 'no_quorum', counts, task.attempts, votes);
    return { replica: 'rejected', task: 'dead' };
  }
  const next = openState(counts);
  moveTask(ctx.db, task.id, task.state, next, {
    live: counts.live,
    votes: counts.votes,
    best: counts.best,
    want: wantMore(task, counts),
    updated_at: ctx.now,
  });
  return { replica: 'submitted', task: next };
}
