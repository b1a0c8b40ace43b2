/**
 * Batched proofs (result_batch) in the job flow. A worker computes up to BATCH_SIZE replicas of one
 * job, proves once over the Poseidon root of their (taskId, digest) leaves, bound to its identity
 * and to a batch nonce built from the replicas' own lease nonces (batchNonce), and sends every
 * result with the same proof and listing (circuits/lib/batch.ts: BatchListing).
 *
 * The orchestrator verifies the listing once: the first result of a batch triggers it, the others
 * wait on the same promise, then each result only checks that it is a member and that its own
 * output has the digest claimed for it. Everything the proof is checked against comes from the
 * orchestrator's records (task ids, worker, nonces of the listed replicas), never from the frame.
 *
 * Refusals, cheapest first, each with its own code:
 *   listing missing or ill-formed (duplicates, lengths, not decimal) -> PROOF_BATCH_MALFORMED
 *   this result's replica is not in the listing                      -> PROOF_BATCH_NOT_MEMBER
 *   this result's output digest is not the one listed for it          -> PROOF_BATCH_LEAF_MISMATCH
 *   a listed replica is unknown, owes no proof, or is another worker's -> PROOF_BATCH_FOREIGN_LEAF
 *   a listed replica belongs to another job                           -> PROOF_BATCH_MIXED_JOBS
 *   a listed replica's nonce was already used (any proof)             -> PROOF_REPLAYED
 *   the proof's root is not the root of the listed leaves             -> PROOF_BATCH_ROOT_MISMATCH
 *   and the verifier's own codes (version, shape, pairing, batch nonce, worker).
 */
import type { Database } from 'bun:sqlite';
import type { Groth16Proof } from 'snarkjs';
import { type BatchListing, batchNonce } from '../../circuits/lib/batch.ts';
import { resultDigestOf } from '../../circuits/lib/digest.ts';
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
  /** How long a verified batch waits for the rest of its results (default 10 min, > any lease). */
  ttlMs?: number;
  now?: () => number;
}

export const BATCH_CHECK_DEFAULTS = { ttlMs: 10 * 60_000 } as const;

interface LeafRow {
  replicaId: string;
  nonce: string | null;
  taskId: string;
  workerId: string;
  jobId: string;
}

interface Pending {
  verified: Promise<VerifyOk>;
  /** Members whose result has not passed yet: each passes once. */
  remaining: Set<string>;
  expiresAt: number;
}

const LEAF_SQL = `SELECT r.id AS replicaId, n.nonce, t.id AS taskId, r.worker_id AS workerId, t.job_id AS jobId
  FROM replicas r JOIN tasks t ON t.id = r.task_id LEFT JOIN proof_nonces n ON n.replica_id = r.id
  WHERE r.id = ?1`;

const DECIMAL = /^(0|[1-9][0-9]{0,77})$/;

const refuse = (code: ErrorCode, message: string, details: Record<string, unknown>): ProofError =>
  new ProofError(code, message, details);

/** The listing a batch proof carries, checked for shape only. */
export function parseListing(batch: unknown): BatchListing {
  const malformed = (why: string) =>
    refuse(ErrorCode.ProofBatchMalformed, `batch listing ${why}`, { field: 'proof.batch' });
  if (typeof batch !== 'object' || batch === null) throw malformed('is missing');
  const { replicas, digests } = batch as Partial<BatchListing>;
  if (!Array.isArray(replicas) || !Array.isArray(digests)) throw malformed('needs replicas and digests');
  if (replicas.length === 0 || replicas.length > BATCH_SIZE || digests.length !== replicas.length) {
    throw malformed(`must list 1..${BATCH_SIZE} replicas, one digest each`);
  }
  if (!replicas.every((r) => typeof r === 'string') || new Set(replicas).size !== replicas.length) {
    throw malformed('must list distinct replica ids');
  }
  if (!digests.every((d) => typeof d === 'string' && DECIMAL.test(d))) {
    throw malformed('digests must be decimal field elements');
  }
  return { replicas, digests };
}

export function createBatchCheck(
  db: Database,
  loadVerifier: () => Promise<Verifier>,
  opts: BatchCheckOptions = {},
): ProofCheck {
  const ttlMs = opts.ttlMs ?? BATCH_CHECK_DEFAULTS.ttlMs;
  const now = opts.now ?? Date.now;
  const leafStmt = db.query<LeafRow, [string]>(LEAF_SQL);
  const guard = new ProofReplayGuard(db);
  const pending = new Map<string, Pending>();

  const sweep = (): void => {
    const t = now();
    for (const [key, p] of pending) if (p.expiresAt < t) pending.delete(key);
  };

  const verifyOnce = async (
    sent: JsonObject,
    listing: BatchListing,
    workerId: string,
    signal: AbortSignal | undefined,
  ): Promise<VerifyOk> => {
    let jobId: string | undefined;
    const rows = listing.replicas.map((replicaId) => {
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
      jobId ??= row.jobId;
      if (row.jobId !== jobId) {
        throw refuse(ErrorCode.ProofBatchMixedJobs, 'a batch covers replicas of one job only', {
          field: 'jobId',
          replicaId,
          workerId,
        });
      }
      return { ...row, nonce: row.nonce };
    });
    const leafNonces = rows.map((r) => nonceToField(r.nonce).toString());
    guard.throwIfAnySeen(leafNonces);
    const verifier = await loadVerifier();
    let ok: VerifyOk;
    try {
      ok = await verifier.verify(
        {
          circuit: 'result_batch',
          version: sent.version as number,
          proof: sent.proof as unknown as Groth16Proof,
          publicSignals: sent.publicSignals as string[],
          expected: {
            items: rows.map((r, i) => ({ taskId: r.taskId, resultDigest: listing.digests[i] as string })),
            workerId,
            nonce: batchNonce(rows.map((r) => r.nonce)),
          },
        },
        signal === undefined ? {} : { signal },
      );
    } catch (err) {
      if (isShardmeshError(err) && err.code === ErrorCode.ProofMismatch && err.details?.field === 'root') {
        throw refuse(ErrorCode.ProofBatchRootMismatch, 'proof is for other (task, digest) leaves', {
          ...err.details,
        });
      }
      throw err;
    }
    guard.consumeNonces(leafNonces, workerId, 'result_batch');
    return ok;
  };

  return async ({ header, output, workerId }, o = {}) => {
    const sent = header.proof as JsonObject;
    if (typeof sent.version !== 'number' || !Array.isArray(sent.publicSignals)) {
      throw refuse(ErrorCode.ProofInvalid, 'expected a result_batch proof', { field: 'proof', workerId });
    }
    const listing = parseListing(sent.batch);
    const index = listing.replicas.indexOf(header.replicaId);
    if (index < 0) {
      throw refuse(ErrorCode.ProofBatchNotMember, 'this replica is not in the batch it sent', {
        field: 'replicaId',
        workerId,
      });
    }
    const digest = await resultDigestOf(output);
    if (digest !== BigInt(listing.digests[index] as string)) {
      throw refuse(ErrorCode.ProofBatchLeafMismatch, 'the output does not have the digest listed for it', {
        field: 'resultDigest',
        workerId,
      });
    }
    sweep();
    // The whole frame-supplied part (proof, signals, listing) is in the key: a result that reuses a
    // listing with anything changed is verified on its own.
    const key = JSON.stringify([workerId, sent.version, sent.proof, sent.publicSignals, listing]);
    let entry = pending.get(key);
    if (entry === undefined) {
      const verified = verifyOnce(sent, listing, workerId, o.signal);
      verified.catch(() => {}); // each member awaits it; an unawaited copy must not go unhandled
      entry = { verified, remaining: new Set(listing.replicas), expiresAt: now() + ttlMs };
      pending.set(key, entry);
    }
    const ok = await entry.verified;
    if (!entry.remaining.delete(header.replicaId)) {
      throw refuse(ErrorCode.ProofReplayed, 'this replica already passed with this batch', {
        field: 'replicaId',
        workerId,
      });
    }
    if (entry.remaining.size === 0) pending.delete(key);
    // The digest log references the one batch proof from every member's record.
    saveProofRef(db, header.replicaId, ok);
  };
}
