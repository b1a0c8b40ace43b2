/**
 * What the digest log records for an accepted task: read back from the engine's tables (backfill),
 * or built from the engine's `task:done` event, which says what was committed (the normal path: no
 * query per task, except the proof references of jobs that require proofs). Both give the same
 * record (tests/mesh/log.test.ts).
 */
import type { Database } from 'bun:sqlite';
import type { EngineEventMap } from '../engine/index.ts';
import { proofRefFor } from './proof-refs.ts';
import type { RecordInput } from './record.ts';

/** What the log records for an accepted task, read from the engine's tables. */
export function acceptedTaskInput(db: Database, taskId: string): RecordInput | undefined {
  const row = db
    .query<
      {
        job_id: string;
        idx: number;
        kind: string;
        digest: string;
        accepted_at: number;
        proof_circuit: string | null;
      },
      [string]
    >(
      // Subqueries, not a JOIN: Bun's SQLite re-prepares a join with a bound WHERE on every call.
      `SELECT r.job_id, r.idx, (SELECT kind FROM jobs WHERE id = r.job_id) AS kind, r.digest, r.accepted_at,
         (SELECT proof_circuit FROM jobs WHERE id = r.job_id) AS proof_circuit
       FROM results r WHERE r.task_id = ?1`,
    )
    .get(taskId);
  if (row === null) return undefined;
  const workers = db
    .query<{ worker_id: string }, [string, string]>(
      `SELECT DISTINCT worker_id FROM replicas
       WHERE task_id = ?1 AND state = 'accepted' AND digest = ?2 ORDER BY worker_id`,
    )
    .all(taskId, row.digest)
    .map((w) => w.worker_id);
  return {
    jobId: row.job_id,
    taskId,
    index: row.idx,
    kind: row.kind,
    digest: row.digest,
    workers,
    // Jobs without proofs cost no extra query; see proof-refs.ts for the format.
    proof: row.proof_circuit === null ? null : proofRefFor(db, taskId, workers),
    acceptedAt: row.accepted_at,
  };
}

/** A job's columns a record needs; they never change once the job exists. */
interface JobFacts {
  kind: string;
  proofCircuit: string | null;
}

/** Jobs whose facts a log keeps at hand (a dispatch turn touches a few; the oldest go first). */
const JOB_FACTS_MEMORY = 256;

/** Each job's facts, read once. */
export class JobFactsCache {
  readonly #jobs = new Map<string, JobFacts>();

  get(db: Database, jobId: string): JobFacts | undefined {
    let facts = this.#jobs.get(jobId);
    if (facts !== undefined) return facts;
    facts =
      db
        .query<JobFacts, [string]>('SELECT kind, proof_circuit AS proofCircuit FROM jobs WHERE id = ?1')
        .get(jobId) ?? undefined;
    if (facts === undefined) return undefined;
    if (this.#jobs.size >= JOB_FACTS_MEMORY) this.#jobs.delete(this.#jobs.keys().next().value as string);
    this.#jobs.set(jobId, facts);
    return facts;
  }
}

/** The record input of an accepted task, from its `task:done` event. */
export function eventTaskInput(
  db: Database,
  jobs: JobFactsCache,
  done: EngineEventMap['task:done'],
): RecordInput | undefined {
  const job = jobs.get(db, done.jobId);
  if (job === undefined) return undefined;
  const { jobId, taskId, index, digest, workers, acceptedAt } = done;
  const proof = job.proofCircuit === null ? null : proofRefFor(db, taskId, workers);
  return { jobId, taskId, index, kind: job.kind, digest, workers, proof, acceptedAt };
}
