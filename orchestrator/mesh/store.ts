/**
 * The stored log: every origin's chain, this orchestrator's included, in two tables. digest_log
 * (migration 0003) holds one row per record: this orchestrator's own chain and whatever arrived
 * outside a whole gossiped batch. digest_log_runs (0008) holds other origins' gossiped batches
 * as received, one row per batch. Per origin the two hold disjoint seqs; every read below merges
 * them. The store only reads and appends; callers verify records (verify.ts) before storing.
 */
import type { Database } from 'bun:sqlite';
import { ErrorCode } from '../../protocol/errors.ts';
import { decodeBatch } from './batch.ts';
import { LogError } from './errors.ts';
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
    const run = this.db
      .query<{ seq: number; hash: string }, [string]>(
        'SELECT last_seq AS seq, last_hash AS hash FROM digest_log_runs WHERE origin = ?1 ORDER BY last_seq DESC LIMIT 1',
      )
      .get(origin);
    const newest = run !== null && (row === null || run.seq > row.seq) ? run : row;
    return newest === null ? undefined : { seq: newest.seq, hash: newest.hash };
  }

  /** The newest record of every origin held. */
  heads(): OriginHead[] {
    const byOrigin = new Map<string, OriginHead>();
    const rows = this.db
      .query<OriginHead, []>(
        `SELECT origin, seq, hash FROM digest_log d
         WHERE seq = (SELECT max(seq) FROM digest_log WHERE origin = d.origin)
         UNION ALL
         SELECT origin, last_seq AS seq, last_hash AS hash FROM digest_log_runs r
         WHERE last_seq = (SELECT max(last_seq) FROM digest_log_runs WHERE origin = r.origin)`,
      )
      .all();
    for (const h of rows) {
      const held = byOrigin.get(h.origin);
      if (held === undefined || h.seq > held.seq) byOrigin.set(h.origin, h);
    }
    return [...byOrigin.values()].sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
  }

  get(origin: string, seq: number): LogRecord | undefined {
    const row = this.db
      .query<Row, [string, number]>(`SELECT ${COLUMNS} FROM digest_log WHERE origin = ?1 AND seq = ?2`)
      .get(origin, seq);
    if (row !== null) return fromRow(row);
    return this.range(origin, seq, 1).find((r) => r.seq === seq);
  }

  /** Up to `limit` records of `origin` from seq `from` on, ascending. */
  range(origin: string, from: number, limit: number): LogRecord[] {
    const rows = this.db
      .query<Row, [string, number, number]>(
        `SELECT ${COLUMNS} FROM digest_log WHERE origin = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3`,
      )
      .all(origin, from, limit)
      .map(fromRow);
    // Batches in seq order until `limit` records are in hand (breaking out resets the statement).
    const runs: LogRecord[] = [];
    const stmt = this.db.query<RunRow, [string, number]>(
      `SELECT first_seq, last_seq, batch FROM digest_log_runs
       WHERE origin = ?1 AND last_seq >= ?2 ORDER BY last_seq`,
    );
    for (const run of stmt.iterate(origin, from)) {
      for (const r of decodeRun(origin, run)) if (r.seq >= from) runs.push(r);
      if (runs.length >= limit) break;
    }
    if (runs.length === 0) return rows;
    return [...rows, ...runs].sort((a, b) => a.seq - b.seq).slice(0, limit);
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

  /** Whether digest_log holds `taskId` for `origin` (used for this orchestrator's own chain). */
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

  /**
   * Appends one gossiped batch of another origin, already verified, as received: `batch` is the
   * message that decoded (batch.ts) to exactly `records`.
   */
  insertRun(records: readonly LogRecord[], batch: Uint8Array): void {
    const first = records[0];
    const last = records.at(-1);
    if (first === undefined || last === undefined) return;
    this.db
      .query(
        `INSERT INTO digest_log_runs (origin, first_seq, last_seq, last_hash, batch, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
      )
      .run(first.origin, first.seq, last.seq, last.hash, batch, this.now());
  }
}

interface RunRow {
  first_seq: number;
  last_seq: number;
  batch: Uint8Array;
}

/** A stored batch's records; throws LOG_MALFORMED when they are not the run its row says. */
function decodeRun(origin: string, run: RunRow): LogRecord[] {
  const records = decodeBatch(run.batch);
  const first = records[0];
  if (
    first?.origin !== origin ||
    first.seq !== run.first_seq ||
    records.length !== run.last_seq - run.first_seq + 1
  ) {
    throw new LogError(
      ErrorCode.LogMalformed,
      `stored run ${run.first_seq}..${run.last_seq} does not hold those records`,
      {
        origin,
        seq: run.first_seq,
      },
    );
  }
  return records;
}
