/** Verified results of a job, by task index, outputs read from the blob store as they stream. */
import type { Database } from 'bun:sqlite';
import type { TaskResult } from './types.ts';

export function* iterateResults(db: Database, jobId: string): IterableIterator<TaskResult> {
  // A prepared (uncached) statement: two iterators open at once must not share one cursor.
  const stmt = db.prepare<TaskResult, [string]>(
    `SELECT r.task_id AS taskId, r.idx AS "index", r.digest, b.bytes AS output
     FROM results r JOIN blobs b ON b.sha256 = r.output_sha256
     WHERE r.job_id = ?1 ORDER BY r.idx`,
  );
  try {
    yield* stmt.iterate(jobId);
  } finally {
    stmt.finalize();
  }
}
