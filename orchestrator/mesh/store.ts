/**
 * The digest_log table (migration 0003): every origin's chain, this orchestrator's included.
 * The store only reads and appends; callers verify records (verify.ts) before `insert`.
 */
import type { Database } from 'bun:sqlite';
import { type LogRecord, RECORD_VERSION } from './record.ts';
import type { ChainAnchor } from './verify.ts';

export interface OriginHead extends ChainAnchor {
  origin: string;
}

interface Row {
  origin: string;
  seq: number;
  job_id: string;
  task_id: string;
  idx: number;
  kind: string;
  digest: string;
  workers: string;
  proof_ref: string | null;
  accepted_at: number;
  prev_hash: string;
  hash: string;
  signature: string;
}

const COLUMNS =
  'origin, seq, job_id, task_id, idx, kind, digest, workers, proof_ref, accepted_at, prev_hash, hash, signature';

function fromRow(r: Row): LogRecord {
  return {
    v: RECORD_VERSION,
    origin: r.origin,
    seq: r.seq,
    jobId: r.job_id,
    taskId: r.task_id,
    index: r.idx,
    kind: r.kind,
    digest: r.digest,
    workers: JSON.parse(r.workers) as string[],
    proof: r.proof_ref,
    acceptedAt: r.accepted_at,
    prevHash: r.prev_hash,
    hash: r.hash,
    signature: r.signature,
  };
}

export class LogStore {
  constructor(
    readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** The newest record held for `origin`, or undefined when none. */
  head(origin: string): ChainAnchor | undefined {
    const row = this.db
      .query<{ seq: number; hash: string }, [string]>(
        'SELECT seq, hash FROM digest_log WHERE origin = ?1 ORDER BY seq DESC LIMIT 1',
      )
      .get(origin);
    return row === null ? undefined : { seq: row.seq, hash: row.hash };
  }

  /** The newest record of every origin held. */
  heads(): OriginHead[] {
    return this.db
      .query<OriginHead, []>(
        `SELECT origin, seq, hash FROM digest_log d
         WHERE seq = (SELECT max(seq) FROM digest_log WHERE origin = d.origin) ORDER BY origin`,
      )
      .all();
  }

  get(origin: string, seq: number): LogRecord | undefined {
    const row = this.db
      .query<Row, [string, number]>(`SELECT ${COLUMNS} FROM digest_log WHERE origin = ?1 AND seq = ?2`)
      .get(origin, seq);
    return row === null ? undefined : fromRow(row);
  }

  /** Up to `limit` records of `origin` from seq `from` on, ascending. */
  range(origin: string, from: number, limit: number): LogRecord[] {
    return this.db
      .query<Row, [string, number, number]>(
        `SELECT ${COLUMNS} FROM digest_log WHERE origin = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3`,
      )
      .all(origin, from, limit)
      .map(fromRow);
  }

  /** Lazily walks one origin's chain in seq order (for end-to-end verification). */
  *iterate(origin: string, pageSize = 1000): Generator<LogRecord> {
    let from = 1;
    for (;;) {
      const page = this.range(origin, from, pageSize);
      yield* page;
      const last = page.at(-1);
      if (last === undefined || page.length < pageSize) return;
      from = last.seq + 1;
    }
  }

  hasTask(origin: string, taskId: string): boolean {
    return (
      this.db
        .query<{ n: number }, [string, string]>(
          'SELECT count(*) AS n FROM digest_log WHERE origin = ?1 AND task_id = ?2',
        )
        .get(origin, taskId)?.n === 1
    );
  }

  /** Appends already-verified records in one transaction. */
  insert(records: readonly LogRecord[]): void {
    const stmt = this.db.query(
      `INSERT INTO digest_log (${COLUMNS}, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)`,
    );
    const receivedAt = this.now();
    this.db.transaction(() => {
      for (const r of records) {
        stmt.run(
          r.origin,
          r.seq,
          r.jobId,
          r.taskId,
          r.index,
          r.kind,
          r.digest,
          JSON.stringify(r.workers),
          r.proof,
          r.acceptedAt,
          r.prevHash,
          r.hash,
          r.signature,
          receivedAt,
        );
      }
    })();
  }
}
