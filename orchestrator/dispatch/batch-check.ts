/**
 * Batched proofs (result_batch) in the job flow. A worker computes up to BATCH_SIZE replicas of one
 * job, proves once over the Poseidon root of their leaves (a tagged SHA-256 of each task id and
 * output), bound to its identity and to a batch nonce built from the replicas' own lease nonces
 * (batchNonce), and sends every result with the same proof and listing (circuits/lib/batch.ts).
 *
 * Leaves never travel (the proof shows the worker knew them), so the orchestrator recomputes each
 * from its record of the task id and the output it received, and verifies the proof once, when
 * the results of every listed replica are in: a worker sends them together (one `results` frame
 * when batched frames were agreed). Members wait on one shared promise; the listing's records
 * (owner, job, nonces) are checked when the first member arrives, so a bad listing fails at once.
 * Everything the proof is checked against comes from the orchestrator's records and the bytes it
 * received, never from the frame.
 *
 * Refusals, cheapest first, each with its own code:
 *   listing missing or ill-formed (duplicates, lengths)                -> PROOF_BATCH_MALFORMED
 *   this result's replica is not in the listing                        -> PROOF_BATCH_NOT_MEMBER
 *   a listed replica is unknown, owes no proof, or is another worker's -> PROOF_BATCH_FOREIGN_LEAF
 *   a listed replica belongs to another job                            -> PROOF_BATCH_MIXED_JOBS
 *   a listed replica's nonce was already used (any proof), or this
 *   replica already sent its result with this batch                    -> PROOF_REPLAYED
 *   results of some listed replicas did not arrive within waitMs       -> PROOF_BATCH_INCOMPLETE
 *   the proof's root is not the root of the received outputs           -> PROOF_BATCH_ROOT_MISMATCH
 *   and the verifier's own codes (version, shape, pairing, batch nonce, worker).
 */
import type { Database } from 'bun:sqlite';
import type { Groth16Proof } from 'snarkjs';
import { type BatchListing, batchLeafDigest, batchNonce } from '../../circuits/lib/batch.ts';
import { ProofError } from '../../circuits/lib/errors.ts';
import { nonceToField } from '../../circuits/lib/field.ts';
import { BATCH_SIZE } from '../../circuits/lib/params.ts';
import { ErrorCode, isShardmeshError } from '../../protocol/errors.ts';
import type { JsonObject } from '../../protocol/messages.ts';
import { saveProofRef } from '../mesh/proof-refs.ts';
import { ProofReplayGuard } from '../proofs/replay-guard.ts';
import type { Verifier, VerifyOk } from '../proofs/verifier.ts';
import type { ProofCheck } from './proof-check.ts';

export interface BatchCheckOptions {
  /**
   * How long a batch waits for the results of all its replicas after the first arrived (default
   * 30 s; a worker sends them together, so only a worker that died mid-send hits it).
   */
  waitMs?: number;
  /** How long a batch is remembered after its first result, to refuse a resent member (10 min). */
  ttlMs?: number;
  now?: () => number;
}

export const BATCH_CHECK_DEFAULTS = { waitMs: 30_000, ttlMs: 10 * 60_000 } as const;

interface LeafRow {
  replicaId: string;
  nonce: string;
  taskId: string;
  workerId: string;
  jobId: string;
}

interface Pending {
  /** Task id of every listed replica, from the orchestrator's records (empty if they failed). */
  taskIds: ReadonlyMap<string, string>;
  /** Leaf of every listed replica whose result arrived, recomputed from its task and output. */
  leaves: Map<string, bigint>;
  /** Called when the last listed replica's result arrived. */
  complete: () => void;
  verified: Promise<VerifyOk>;
  expiresAt: number;
}

const LEAF_SQL = `SELECT r.id AS replicaId, n.nonce, t.id AS taskId, r.worker_id AS workerId, t.job_id AS jobId
  FROM replicas r JOIN tasks t ON t.id = r.task_id LEFT JOIN proof_nonces n ON n.replica_id = r.id
  WHERE r.id = ?1`;

const refuse = (code: ErrorCode, message: string, details: Record<string, unknown>): ProofError =>
  new ProofError(code, message, details);

/** The listing a batch proof carries, checked for shape only. */
export function parseListing(batch: unknown): BatchListing {
  const malformed = (why: string) =>
    refuse(ErrorCode.ProofBatchMalformed, `batch listing ${why}`, { field: 'proof.batch' });
  if (typeof batch !== 'object' || batch === null) throw malformed('is missing');
  const { replicas } = batch as Partial<BatchListing>;
  if (!Array.isArray(replicas)) throw malformed('needs replicas');
  if (replicas.length === 0 || replicas.length > BATCH_SIZE) {
    throw malformed(`must list 1..${BATCH_SIZE} replicas`);
  }
  if (!replicas.every((r) => typeof r === 'string') || new Set(replicas).size !== replicas.length) {
    throw malformed('must list distinct replica ids');
  }
  return { replicas };
}

export function createBatchCheck(
  db: Database,
  loadVerifier: () => Promise<Verifier>,
  opts: BatchCheckOptions = {},
): ProofCheck {
  const waitMs = opts.waitMs ?? BATCH_CHECK_DEFAULTS.waitMs;
  const ttlMs = opts.ttlMs ?? BATCH_CHECK_DEFAULTS.ttlMs;
  const now = opts.now ?? Date.now;
  const leafStmt = db.query<{ [K in keyof LeafRow]: LeafRow[K] | null }, [string]>(LEAF_SQL);
  const guard = new ProofReplayGuard(db);
  const pending = new Map<string, Pending>();

  const sweep = (): void => {
    const t = now();
    for (const [key, p] of pending) if (p.expiresAt < t) pending.delete(key);
  };

  /** The listed replicas as the orchestrator recorded them: this worker's, one job, owing a proof. */
  const leafRows = (listing: BatchListing, workerId: string): LeafRow[] => {
    let jobId: string | undefined;
    return listing.replicas.map((replicaId) => {
      const row = leafStmt.get(replicaId);
      if (row === null || row.nonce === null) {
        throw refuse(ErrorCode.ProofBatchForeignLeaf, 'a listed replica owes no proof', {
          field: 'replicaId',
          replicaId,
          workerId,
        });
      }
      if (row.workerId !== workerId) {
        throw refuse(ErrorCode.ProofBatchForeignLeaf, 'a listed replica is leased to another worker', {
          field: 'workerId',
          replicaId,
          workerId,
        });
      }
      jobId ??= row.jobId as string;
      if (row.jobId !== jobId) {
        throw refuse(ErrorCode.ProofBatchMixedJobs, 'a batch covers replicas of one job only', {
          field: 'jobId',
          replicaId,
          workerId,
        });
      }
      return row as LeafRow;
    });
  };

  const verify = async (
    sent: JsonObject,
    rows: readonly LeafRow[],
    leaves: ReadonlyMap<string, bigint>,
    workerId: string,
    signal: AbortSignal | undefined,
  ): Promise<VerifyOk> => {
    const verifier = await loadVerifier();
    const leafNonces = rows.map((r) => nonceToField(r.nonce).toString());
    guard.throwIfAnySeen(leafNonces); // again: another batch may have used one while this one waited
    let ok: VerifyOk;
    try {
      ok = await verifier.verify(
        {
          circuit: 'result_batch',
          version: sent.version as number,
          proof: sent.proof as unknown as Groth16Proof,
          publicSignals: sent.publicSignals as string[],
          expected: {
            leafDigests: rows.map((r) => leaves.get(r.replicaId) as bigint),
            workerId,
            nonce: batchNonce(rows.map((r) => r.nonce)),
          },
        },
        signal === undefined ? {} : { signal },
      );
    } catch (err) {
      if (isShardmeshError(err) && err.code === ErrorCode.ProofMismatch && err.details?.field === 'root') {
        throw refuse(ErrorCode.ProofBatchRootMismatch, 'proof is for other (task, output) leaves', {
          ...err.details,
        });
      }
      throw err;
    }
    guard.consumeNonces(leafNonces, workerId, 'result_batch');
    return ok;
  };

  /** A batch seen for the first time: its records are checked now, the proof once all results are in. */
  const open = (
    key: string,
    sent: JsonObject,
    listing: BatchListing,
    workerId: string,
    signal?: AbortSignal,
  ): Pending => {
    let complete!: () => void;
    const allArrived = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          refuse(ErrorCode.ProofBatchIncomplete, `not every listed result arrived within ${waitMs} ms`, {
            field: 'proof.batch',
            workerId,
          }),
        );
      }, waitMs);
      timer.unref?.();
      complete = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    allArrived.catch(() => {}); // observed through `verified`, or moot when the records failed first
    const leaves = new Map<string, bigint>();
    let rows: LeafRow[] = [];
    let verified: Promise<VerifyOk>;
    try {
      rows = leafRows(listing, workerId);
      guard.throwIfAnySeen(rows.map((r) => nonceToField(r.nonce).toString()));
      verified = allArrived.then(() => verify(sent, rows, leaves, workerId, signal));
    } catch (err) {
      complete(); // stops the timer: nothing will wait for the outputs of a refused listing
      verified = Promise.reject(err);
    }
    const taskIds = new Map(rows.map((r) => [r.replicaId, r.taskId]));
    const entry = { taskIds, leaves, complete, verified, expiresAt: now() + ttlMs };
    // A refused batch is forgotten (its members already failed): only a verified one stays, so a
    // resent member is refused as a replay.
    verified.catch(() => {
      if (pending.get(key) === entry) pending.delete(key);
    });
    return entry;
  };

  return async ({ header, output, workerId }, o = {}) => {
    const sent = header.proof as JsonObject;
    if (typeof sent.version !== 'number' || !Array.isArray(sent.publicSignals)) {
      throw refuse(ErrorCode.ProofInvalid, 'expected a result_batch proof', { field: 'proof', workerId });
    }
    const listing = parseListing(sent.batch);
    if (!listing.replicas.includes(header.replicaId)) {
      throw refuse(ErrorCode.ProofBatchNotMember, 'this replica is not in the batch it sent', {
        field: 'replicaId',
        workerId,
      });
    }
    sweep();
    // The whole frame-supplied part (proof, signals, listing) is in the key: a result that reuses a
    // listing with anything changed is a batch of its own.
    const key = JSON.stringify([workerId, sent.version, sent.proof, sent.publicSignals, listing.replicas]);
    let entry = pending.get(key);
    if (entry === undefined) {
      entry = open(key, sent, listing, workerId, o.signal);
      pending.set(key, entry);
    }
    if (entry.leaves.has(header.replicaId)) {
      throw refuse(ErrorCode.ProofReplayed, 'this replica already sent its result with this batch', {
        field: 'replicaId',
        workerId,
      });
    }
    const taskId = entry.taskIds.get(header.replicaId);
    if (taskId !== undefined) {
      entry.leaves.set(header.replicaId, batchLeafDigest(taskId, output));
      if (entry.leaves.size === listing.replicas.length) entry.complete();
    }
    const ok = await entry.verified;
    // The digest log references the one batch proof from every member's record.
    saveProofRef(db, header.replicaId, ok);
  };
}
