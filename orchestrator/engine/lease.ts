/** Leasing work to a worker, acknowledging it, and keeping the lease alive with heartbeats. */
import { ErrorCode, RequestError } from '../../protocol/errors.ts';
import type { EngineContext } from './context.ts';
import { assertId, newId } from './ids.ts';
import { wantMore } from './quorum.ts';
import { moveTask, type TaskState, transitionReplica } from './state-machine.ts';
import type { Lease, ProofCircuit } from './types.ts';
import { touchWorker } from './workers.ts';

interface LeasableRow {
  id: string;
  jobId: string;
  index: number;
  state: TaskState;
  seed: number;
  params: string;
  round: number;
  attempts: number;
  live: number;
  votes: number;
  best: number;
  payloadSha256: string;
  kind: string;
  redundancy: number;
  quorum: number;
  maxReplicas: number;
  proofCircuit: ProofCircuit | null;
  bytes: Uint8Array;
}

// Walks tasks_leasable (priority DESC, then rowid = FIFO). The NOT EXISTS probe on the partial
// unique index replicas_task_worker keeps live and voting replicas of a task on distinct workers.
// The job's columns and the payload come from correlated subqueries and the limit is a literal
// (one cached statement per limit): Bun's SQLite (3.54) re-prepares a statement on every
// execution when a join's WHERE or a LIMIT binds a parameter (this walk: 118-159 us per call
// with joins and LIMIT ?3, 64-89 us as it is now; bench/engine.bench.ts --stmts).
const leasableSql = (limit: number, withKinds: boolean): string => `SELECT t.id, t.job_id AS jobId,
  t.idx AS "index", t.state, t.seed, t.params, t.round, t.attempts, t.live, t.votes, t.best,
  t.payload_sha256 AS payloadSha256,
  (SELECT kind FROM jobs WHERE id = t.job_id) AS kind,
  (SELECT redundancy FROM jobs WHERE id = t.job_id) AS redundancy,
  (SELECT quorum FROM jobs WHERE id = t.job_id) AS quorum,
  (SELECT max_replicas FROM jobs WHERE id = t.job_id) AS maxReplicas,
  (SELECT proof_circuit FROM jobs WHERE id = t.job_id) AS proofCircuit,
  (SELECT bytes FROM blobs WHERE sha256 = t.payload_sha256) AS bytes
FROM tasks t INDEXED BY tasks_leasable
WHERE t.want > 0 AND t.not_before <= ?1
  AND NOT EXISTS (SELECT 1 FROM replicas r WHERE r.task_id = t.id AND r.round = t.round AND r.worker_id = ?2
    AND r.state NOT IN ('expired', 'failed'))${
      // Only the kinds the worker said it runs (its hello's capabilities, a JSON array in ?3): a
      // worker without a GPU adapter is never handed a custom-wgsl task. Tasks of other kinds are
      // stepped over, not taken out of the queue: another worker can run them.
      withKinds
        ? '\n  AND (SELECT kind FROM jobs WHERE id = t.job_id) IN (SELECT value FROM json_each(?3))'
        : ''
    }
ORDER BY t.priority DESC, t.rowid
LIMIT ${limit}`;

export interface LeaseOptions {
  /** Only tasks of these kinds (default: any kind). */
  kinds?: readonly string[];
}

const INSERT_REPLICA = `INSERT INTO replicas (id, task_id, round, worker_id, state, leased_at, lease_expires_at)
VALUES (?1, ?2, ?3, ?4, 'leased', ?5, ?6)`;

/** One fresh nonce per replica of a proof-requiring job: a proof is only good for its own lease. */
const INSERT_NONCE = 'INSERT INTO proof_nonces (nonce, replica_id, issued_at) VALUES (?1, ?2, ?3)';
const newNonce = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex');

/** Lease up to `max` tasks to `workerId`, one replica per task, highest priority first. */
export function leaseTasks(
  ctx: EngineContext,
  workerId: string,
  max: number,
  opts: LeaseOptions = {},
): Lease[] {
  assertId(workerId, 'workerId');
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new RequestError(ErrorCode.BadRequest, 'max must be a positive integer', { field: 'max' });
  }
  touchWorker(ctx, workerId);
  const limit = Math.min(max, ctx.opts.maxLeaseBatch);
  const { kinds } = opts;
  if (kinds !== undefined && (!Array.isArray(kinds) || !kinds.every((k) => typeof k === 'string'))) {
    throw new RequestError(ErrorCode.BadRequest, 'kinds must be an array of strings', { field: 'kinds' });
  }
  const rows =
    kinds === undefined
      ? ctx.db.query<LeasableRow, [number, string]>(leasableSql(limit, false)).all(ctx.now, workerId)
      : ctx.db
          .query<LeasableRow, [number, string, string]>(leasableSql(limit, true))
          .all(ctx.now, workerId, JSON.stringify(kinds));
  const expiresAt = ctx.now + ctx.opts.leaseMs;
  const leases: Lease[] = [];
  for (const row of rows) {
    const replicaId = newId('rep', ctx.now);
    ctx.db.query(INSERT_REPLICA).run(replicaId, row.id, row.round, workerId, ctx.now, expiresAt);
    const nonce = row.proofCircuit === null ? undefined : newNonce();
    if (nonce !== undefined) ctx.db.query(INSERT_NONCE).run(nonce, replicaId, ctx.now);
    const counts = { live: row.live + 1, votes: row.votes, best: row.best };
    moveTask(ctx.db, row.id, row.state, row.state === 'pending' ? 'running' : row.state, {
      live: counts.live,
      want: wantMore(row, counts),
      updated_at: ctx.now,
    });
    leases.push({
      replicaId,
      jobId: row.jobId,
      taskId: row.id,
      index: row.index,
      kind: row.kind,
      seed: row.seed,
      attempt: row.attempts + 1,
      params: JSON.parse(row.params) as Record<string, unknown>,
      payload: row.bytes,
      payloadSha256: row.payloadSha256,
      leaseExpiresAt: expiresAt,
      ...(row.proofCircuit === null || nonce === undefined
        ? {}
        : { proof: { circuit: row.proofCircuit, nonce } }),
    });
  }
  return leases;
}

/** The worker confirms it received the replica and started on it. */
export function ackReplica(ctx: EngineContext, replicaId: string, workerId: string): void {
  transitionReplica(
    ctx.db,
    replicaId,
    'leased',
    'acked',
    { workerId, liveAt: ctx.now },
    { acked_at: ctx.now },
  );
}

/**
 * Extend the leases `workerId` still holds among `replicaIds` to now + leaseMs. Not a state
 * change. A lease that already ran out stays out (the reaper owns it), and replicas held by
 * another worker are ignored. Returns how many leases were extended.
 */
export function heartbeat(ctx: EngineContext, workerId: string, replicaIds: readonly string[]): number {
  assertId(workerId, 'workerId');
  const extend = ctx.db.query(
    `UPDATE replicas SET lease_expires_at = ?1
     WHERE id = ?2 AND worker_id = ?3 AND state IN ('leased', 'acked') AND lease_expires_at >= ?4`,
  );
  let extended = 0;
  for (const id of new Set(replicaIds)) {
    extended += extend.run(ctx.now + ctx.opts.leaseMs, id, workerId, ctx.now).changes;
  }
  ctx.db.query('UPDATE workers SET last_seen = ?1 WHERE id = ?2').run(ctx.now, workerId);
  return extended;
}

/** What the worker holding `replicaId` must prove, or undefined when its job needs no proof. */
export function proofRequestFor(
  ctx: Pick<EngineContext, 'db'>,
  replicaId: string,
): { circuit: ProofCircuit; nonce: string; taskId: string; seed: number; workerId: string } | undefined {
  const row = ctx.db
    .query<
      { circuit: ProofCircuit; nonce: string; taskId: string; seed: number; workerId: string },
      [string]
    >(
      `SELECT j.proof_circuit AS circuit, n.nonce, t.id AS taskId, t.seed, r.worker_id AS workerId
       FROM proof_nonces n JOIN replicas r ON r.id = n.replica_id JOIN tasks t ON t.id = r.task_id
       JOIN jobs j ON j.id = t.job_id WHERE n.replica_id = ?1 AND j.proof_circuit IS NOT NULL`,
    )
    .get(replicaId);
  return row ?? undefined;
}

/** A worker sent a proof that did not verify: counted against it (reputation reads this). */
export function recordBadProof(ctx: Pick<EngineContext, 'db'>, workerId: string): void {
  ctx.db.query('UPDATE workers SET bad_proofs = bad_proofs + 1 WHERE id = ?1').run(workerId);
}
