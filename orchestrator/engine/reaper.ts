/** The reaper: replicas whose lease ran out become `expired`, and their work is leasable again. */
import { ErrorCode } from '../../protocol/errors.ts';
import type { EngineContext } from './context.ts';
import { loseReplica, releaseReplica } from './failure.ts';
import { LIVE_REPLICA_STATES, transitionReplica } from './state-machine.ts';

/** Expire up to `opts.reapBatch` stale leases; returns how many were expired. */
export function reapExpired(ctx: EngineContext): number {
  const stale = ctx.db
    .query<{ id: string }, [number, number]>(
      `SELECT id FROM replicas WHERE state IN ('leased', 'acked') AND lease_expires_at < ?1
       ORDER BY lease_expires_at LIMIT ?2`,
    )
    .all(ctx.now, ctx.opts.reapBatch);
  const stillLive = ctx.db.query<{ n: number }, [string]>(
    "SELECT count(*) AS n FROM replicas WHERE id = ?1 AND state IN ('leased', 'acked')",
  );
  let expired = 0;
  for (const { id } of stale) {
    // An earlier loss in this loop may have dead-lettered the task and revoked this replica.
    if ((stillLive.get(id)?.n ?? 0) === 0) continue;
    const rep = transitionReplica(
      ctx.db,
      id,
      LIVE_REPLICA_STATES,
      'expired',
      { expiredAt: ctx.now },
      {
        ended_at: ctx.now,
        end_reason: 'lease_expired',
        error_code: ErrorCode.LeaseExpired,
        error_message: 'lease expired before the worker submitted',
      },
    );
    loseReplica(ctx, rep.task_id, 'expired');
    expired++;
  }
  return expired;
}

/**
 * At start-up, before any worker session opens: every live lease belongs to an earlier run of
 * this orchestrator. Its sessions died with it, and a worker sends a result only on the session
 * that leased the replica, so none of these leases can complete. They are expired now (not
 * leaseMs later) and, unlike a lease a worker let run out, cost their task no attempt.
 * Returns how many were released.
 */
export function releaseOrphanedLeases(ctx: EngineContext): number {
  const live = ctx.db
    .query<{ id: string }, []>("SELECT id FROM replicas WHERE state IN ('leased', 'acked')")
    .all();
  for (const { id } of live) {
    const rep = transitionReplica(
      ctx.db,
      id,
      LIVE_REPLICA_STATES,
      'expired',
      {},
      {
        ended_at: ctx.now,
        end_reason: 'lease_expired',
        error_code: ErrorCode.LeaseExpired,
        error_message: 'released at orchestrator start: the session that held it ended with the previous run',
      },
    );
    releaseReplica(ctx, rep.task_id);
  }
  return live.length;
}
