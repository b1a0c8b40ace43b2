/**
 * Proof references in log records. When a job requires proofs, every result that counted was
 * verified (orchestrator/dispatch/proof-check.ts) and its proof's fingerprint consumed by the
 * replay guard; the dispatcher also records which replica that proof came with (`proof_refs`,
 * migration 0005). The record of the accepted task then names, for each agreeing worker in
 * `workers` order, the verification-key version and fingerprint of the proof that was verified:
 *
 *   proof = "groth16:<circuit>:<version>.<sha256>,<version>.<sha256>,..."
 *
 * The fingerprint is proofFingerprint (sha256 over the proof's points). Only the reference is
 * logged, not the proof: verifying a Groth16 proof costs 30-55 ms, far too much per record for
 * the gossip validators, and the proof bytes are not kept. What can be checked from a reference
 * is spelled out in docs/mesh.md ("Proof references").
 */
import type { Database } from 'bun:sqlite';
import { CIRCUIT_IDS } from '../../circuits/lib/params.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { LogError } from './errors.ts';
import type { LogRecord } from './record.ts';

const PREFIX = 'groth16';
const ENTRY = /^(\d{1,9})\.([0-9a-f]{64})$/;

export interface ProofRefEntry {
  version: number;
  /** proofFingerprint of the verified proof. */
  proofHash: string;
}

export interface ProofRef {
  circuit: string;
  /** One per agreeing worker, in the record's `workers` order. */
  entries: ProofRefEntry[];
}

/** What the dispatcher learnt when a replica's proof verified. */
export interface VerifiedProof {
  circuit: string;
  version: number;
  proofHash: string;
}

/** Remembers which proof verified for `replicaId` (called before its result is submitted). */
export function saveProofRef(db: Database, replicaId: string, proof: VerifiedProof, now = Date.now()): void {
  db.query(
    `INSERT OR REPLACE INTO proof_refs (replica_id, circuit, version, proof_hash, verified_at)
     VALUES (?1, ?2, ?3, ?4, ?5)`,
  ).run(replicaId, proof.circuit, proof.version, proof.proofHash, now);
}

export function formatProofRef(ref: ProofRef): string {
  return `${PREFIX}:${ref.circuit}:${ref.entries.map((e) => `${e.version}.${e.proofHash}`).join(',')}`;
}

/** Parses a reference; undefined when it is not one (wrong prefix, unknown circuit, bad entry). */
export function parseProofRef(text: string): ProofRef | undefined {
  const [prefix, circuit, list, ...rest] = text.split(':');
  if (prefix !== PREFIX || circuit === undefined || list === undefined || rest.length > 0) return undefined;
  if (!(CIRCUIT_IDS as readonly string[]).includes(circuit)) return undefined;
  const entries: ProofRefEntry[] = [];
  for (const item of list.split(',')) {
    const m = ENTRY.exec(item);
    if (m === null) return undefined;
    entries.push({ version: Number(m[1]), proofHash: m[2] as string });
  }
  return { circuit, entries };
}

/**
 * The reference for an accepted task whose job required `circuit`: one entry per worker (sorted
 * ids, as in the record), from that worker's accepted replica. Null when any worker's proof is
 * unknown (a result accepted before migration 0005): a partial reference would read as complete.
 */
export function proofRefFor(db: Database, taskId: string, workers: readonly string[]): string | null {
  const rows = db
    .query<{ worker_id: string; circuit: string; version: number; proof_hash: string }, [string]>(
      `SELECT r.worker_id, p.circuit, p.version, p.proof_hash
       FROM replicas r JOIN proof_refs p ON p.replica_id = r.id
       WHERE r.task_id = ?1 AND r.state = 'accepted' ORDER BY p.verified_at`,
    )
    .all(taskId);
  const byWorker = new Map(rows.map((r) => [r.worker_id, r])); // the latest per worker wins
  const entries: ProofRefEntry[] = [];
  let circuit: string | undefined;
  for (const w of workers) {
    const row = byWorker.get(w);
    if (row === undefined || (circuit !== undefined && row.circuit !== circuit)) return null;
    circuit = row.circuit;
    entries.push({ version: row.version, proofHash: row.proof_hash });
  }
  return circuit === undefined ? null : formatProofRef({ circuit, entries });
}

const unverified = (r: LogRecord, message: string, extra: Record<string, unknown> = {}): LogError =>
  new LogError(ErrorCode.LogProofUnverified, `record ${r.seq}: ${message}`, {
    origin: r.origin,
    seq: r.seq,
    ...extra,
  });

/**
 * What anyone can check from the record alone: a well-formed reference with exactly one entry
 * per agreeing worker. (The origin's signature already makes it the origin's own claim.)
 */
export function checkProofRefShape(r: LogRecord): void {
  if (r.proof === null) return;
  const ref = parseProofRef(r.proof);
  if (ref === undefined) throw unverified(r, 'malformed proof reference');
  if (ref.entries.length !== r.workers.length) {
    throw unverified(r, `proof reference names ${ref.entries.length} proofs for ${r.workers.length} workers`);
  }
}

/**
 * What only the origin's own database can check, for a record of a task accepted in it (its
 * `results` row holds the same task and digest): the reference is exactly what the dispatcher
 * recorded for the accepted replicas (so none was withheld, swapped or invented), and every
 * fingerprint was consumed by the replay guard for that worker and circuit. Returns false when
 * the task was not accepted in this database (another origin's record): nothing to compare.
 */
export function checkProofRefAtOrigin(db: Database, r: LogRecord): boolean {
  const accepted = db
    .query<{ n: number }, [string, string]>(
      'SELECT count(*) AS n FROM results WHERE task_id = ?1 AND digest = ?2',
    )
    .get(r.taskId, r.digest);
  if (accepted === null || accepted.n === 0) return false;
  const expected = proofRefFor(db, r.taskId, r.workers);
  if (expected !== r.proof) {
    throw unverified(r, `proof reference differs from the proofs verified here`, { expected });
  }
  const ref = r.proof === null ? undefined : parseProofRef(r.proof);
  ref?.entries.forEach((e, i) => {
    const seen = db
      .query<{ n: number }, [string, string, string]>(
        `SELECT count(*) AS n FROM proof_replay_guard
         WHERE kind = 'proof' AND value = ?1 AND worker_id = ?2 AND circuit = ?3`,
      )
      .get(e.proofHash, r.workers[i] ?? '', ref.circuit);
    if (seen === null || seen.n === 0) {
      throw unverified(r, `proof ${e.proofHash.slice(0, 12)}… is not in the replay guard`);
    }
  });
  return true;
}
