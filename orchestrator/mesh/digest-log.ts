/**
 * This orchestrator's own chain: turns accepted tasks into signed, hash-chained records.
 *
 * `attach(engine)` appends a record synchronously inside the engine's `task:done` listener (which
 * runs right after the commit), and first backfills every accepted task that has no record yet,
 * so a crash between the commit and the append loses nothing: the next start logs it.
 */
import type { Database } from 'bun:sqlite';
import type { PrivateKey } from '@libp2p/interface';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ErrorCode } from '../../protocol/errors.ts';
import type { TaskEngine } from '../engine/index.ts';
import { LogError } from './errors.ts';
import {
  canonicalBody,
  GENESIS_HASH,
  type LogRecord,
  RECORD_VERSION,
  type RecordBody,
  type RecordInput,
  recordHash,
} from './record.ts';
import type { LogStore } from './store.ts';

export type AppendListener = (record: LogRecord) => void;

/** Signs a record synchronously: the append must happen in the same tick as the commit event. */
export function signRecordSync(key: PrivateKey, body: RecordBody): LogRecord {
  const bytes = canonicalBody(body);
  const signature = key.sign(bytes);
  if (signature instanceof Promise) {
    throw new LogError(ErrorCode.Internal, 'the origin key must sign synchronously (Ed25519)');
  }
  return { ...body, hash: recordHash(bytes, signature), signature: bytesToHex(signature) };
}

/** What the log records for an accepted task, read from the engine's tables. */
export function acceptedTaskInput(db: Database, taskId: string): RecordInput | undefined {
  const row = db
    .query<{ job_id: string; idx: number; kind: string; digest: string; accepted_at: number }, [string]>(
      `SELECT r.job_id, r.idx, j.kind, r.digest, r.accepted_at
       FROM results r JOIN jobs j ON j.id = r.job_id WHERE r.task_id = ?1`,
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
    // Proofs are not referenced from the log yet; the field is part of the signed record.
    proof: null,
    acceptedAt: row.accepted_at,
  };
}

export class DigestLog {
  readonly #listeners = new Set<AppendListener>();
  #head: { seq: number; hash: string } | undefined;

  constructor(
    readonly store: LogStore,
    private readonly key: PrivateKey,
    /** This orchestrator's peer id (string form): the origin of every record it appends. */
    readonly origin: string,
  ) {}

  /** Called with every record this log appends (the gossip layer publishes them). */
  onAppend(listener: AppendListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Appends the next record of this origin's chain, continuing from the last stored row. */
  append(input: RecordInput): LogRecord {
    const head = this.#head ?? this.store.head(this.origin);
    const record = signRecordSync(this.key, {
      v: RECORD_VERSION,
      origin: this.origin,
      seq: (head?.seq ?? 0) + 1,
      ...input,
      workers: [...input.workers].sort(),
      prevHash: head?.hash ?? GENESIS_HASH,
    });
    this.store.insert([record]);
    this.#head = { seq: record.seq, hash: record.hash };
    for (const listener of [...this.#listeners]) listener(record);
    return record;
  }

  /** Logs an accepted task once; returns its record, or undefined when already logged or unknown. */
  appendTask(taskId: string): LogRecord | undefined {
    if (this.store.hasTask(this.origin, taskId)) return undefined;
    const input = acceptedTaskInput(this.store.db, taskId);
    return input === undefined ? undefined : this.append(input);
  }

  /** Appends a record for every accepted task not yet in this origin's chain; returns how many. */
  backfill(): number {
    const missing = this.store.db
      .query<{ task_id: string }, [string]>(
        `SELECT task_id FROM results r WHERE NOT EXISTS
           (SELECT 1 FROM digest_log d WHERE d.origin = ?1 AND d.task_id = r.task_id)
         ORDER BY accepted_at, job_id, idx`,
      )
      .all(this.origin);
    for (const { task_id } of missing) this.appendTask(task_id);
    return missing.length;
  }

  /** Backfills, then logs every task the engine accepts from now on. Returns the detach function. */
  attach(engine: TaskEngine): () => void {
    this.backfill();
    return engine.on('task:done', ({ taskId }) => {
      this.appendTask(taskId);
    });
  }
}
