/**
 * This orchestrator's own chain: turns accepted tasks into signed, hash-chained records.
 *
 * `attach(engine)` collects the engine's `task:done` events (delivered right after
 * each commit) and appends their records at the end of that turn, all in one transaction: one
 * commit per group commit of the dispatcher instead of one per task. It first backfills every
 * accepted task that has no record yet, so a crash between the engine's commit and the deferred
 * append loses nothing: the next start logs it (the chain order is then the backfill's order).
 */
import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { PrivateKey } from '@libp2p/interface';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ErrorCode } from '../../protocol/errors.ts';
import type { EngineEventMap, TaskEngine } from '../engine/index.ts';
import { acceptedTaskInput, eventTaskInput, JobFactsCache } from './accepted-task.ts';
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

export interface DigestLogOptions {
  /** How the append of a turn's accepted tasks is scheduled. Default: right after this turn's sync code. */
  schedule?: (flush: () => void) => void;
  /**
   * Told about a deferred append that failed (its tasks are backfilled on the next start) and
   * about an append listener that threw.
   */
  onError?: (err: unknown) => void;
}

export const DIGEST_LOG_DEFAULTS = {
  schedule: (flush: () => void) => queueMicrotask(flush),
  onError: (err: unknown) => console.error('digest log append failed', err),
} as const;

type SyncSigner = (bytes: Uint8Array) => Uint8Array;

/** Signs a record synchronously: the append must happen in the same turn as the commit event. */
export function signRecordSync(key: PrivateKey, body: RecordBody): LogRecord {
  return signRecordWith(syncSigner(key), body);
}

function signRecordWith(sign: SyncSigner, body: RecordBody): LogRecord {
  const bytes = canonicalBody(body);
  const signature = sign(bytes);
  return { ...body, hash: recordHash(bytes, signature), signature: bytesToHex(signature) };
}

/**
 * A signer for `key`. For Ed25519 it wraps one node:crypto key object, made once: the libp2p key's
 * own `sign` builds a new key object per signature, which was most of an append's cost.
 */
function syncSigner(key: PrivateKey): SyncSigner {
  if (key.type === 'Ed25519' && key.raw.length === 64) {
    const raw = Buffer.from(key.raw);
    const object: KeyObject = createPrivateKey({
      format: 'jwk',
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        d: raw.subarray(0, 32).toString('base64url'),
        x: raw.subarray(32).toString('base64url'),
      },
    });
    return (bytes) => cryptoSign(null, bytes, object);
  }
  return (bytes) => {
    const signature = key.sign(bytes);
    if (signature instanceof Promise) {
      throw new LogError(ErrorCode.Internal, 'the origin key must sign synchronously (Ed25519)');
    }
    return signature;
  };
}

export class DigestLog {
  readonly #listeners = new Set<AppendListener>();
  /** Tasks another connection logged (adopt) whose `task:done` event is still to come here. */
  readonly #adopted = new Set<string>();
  readonly #sign: SyncSigner;
  readonly #opts: Required<DigestLogOptions>;
  /** Accepted tasks of this turn, in event order, not yet appended (what the event said). */
  #pending = new Map<string, EngineEventMap['task:done']>();
  readonly #jobs = new JobFactsCache();
  #scheduled = false;

  constructor(
    readonly store: LogStore,
    key: PrivateKey,
    /** This orchestrator's peer id (string form): the origin of every record it appends. */
    readonly origin: string,
    opts: DigestLogOptions = {},
  ) {
    this.#sign = syncSigner(key);
    this.#opts = { ...DIGEST_LOG_DEFAULTS, ...opts };
  }

  /** Called with every record this log appends, in chain order (the gossip layer publishes them). */
  onAppend(listener: AppendListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Appends the next record of this origin's chain, continuing from the last stored row. */
  append(input: RecordInput): LogRecord {
    const [record] = this.appendAll([input]);
    if (record === undefined) throw new LogError(ErrorCode.Internal, 'append produced no record');
    return record;
  }

  /** Appends several records in one transaction (one commit), in the given order. */
  appendAll(inputs: readonly RecordInput[]): LogRecord[] {
    const records = this.store.db.transaction(() => this.#appendAll(inputs)).immediate();
    this.#publish(records);
    return records;
  }

  /** Logs an accepted task once; returns its record, or undefined when already logged or unknown. */
  appendTask(taskId: string): LogRecord | undefined {
    return this.appendTasks([taskId])[0];
  }

  /**
   * Logs the accepted tasks among `taskIds` that have no record yet, in one transaction and in
   * the given order; returns the new records.
   */
  appendTasks(taskIds: Iterable<string>): LogRecord[] {
    const db = this.store.db;
    return this.#appendUnlogged([...new Set(taskIds)], (taskId) => acceptedTaskInput(db, taskId));
  }

  /**
   * Appends the inputs `inputOf` gives for the tasks among `taskIds` not yet in this origin's
   * chain, in one transaction and in order; publishes them once committed.
   */
  #appendUnlogged(
    taskIds: readonly string[],
    inputOf: (taskId: string) => RecordInput | undefined,
  ): LogRecord[] {
    const records = this.store.db
      .transaction(() => {
        const inputs: RecordInput[] = [];
        for (const taskId of taskIds) {
          if (this.store.hasTask(this.origin, taskId)) continue;
          const input = inputOf(taskId);
          if (input !== undefined) inputs.push(input);
        }
        return this.#appendAll(inputs);
      })
      .immediate();
    this.#publish(records);
    return records;
  }

  /**
   * Appends now what the listener collected this turn (also run on detach). The records come
   * from the events, which say what the engine committed: no query per task, except the proof
   * references of jobs that require proofs.
   */
  flush(): LogRecord[] {
    this.#scheduled = false;
    if (this.#pending.size === 0) return [];
    const accepted = this.#pending;
    this.#pending = new Map();
    return this.#appendUnlogged([...accepted.keys()], (taskId) => {
      const done = accepted.get(taskId);
      return done === undefined ? undefined : eventTaskInput(this.store.db, this.#jobs, done);
    });
  }

  /**
   * Takes records another connection appended to this origin's chain in the same database (the
   * engine thread's log, which logs the tasks its group commits accept): tells the append
   * listeners, as if this log had appended them, and skips their tasks' `task:done` events when
   * they are delivered here. Call it before those events are delivered.
   */
  adopt(records: readonly LogRecord[]): void {
    for (const record of records) this.#adopted.add(record.taskId);
    this.#publish(records);
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
    this.appendTasks(missing.map((m) => m.task_id));
    return missing.length;
  }

  /** Backfills, then logs every task the engine accepts from now on. Returns the detach function. */
  attach(engine: TaskEngine): () => void {
    this.backfill();
    const off = engine.on('task:done', (done) => {
      if (this.#adopted.delete(done.taskId)) return;
      this.#pending.set(done.taskId, done);
      if (this.#scheduled) return;
      this.#scheduled = true;
      this.#opts.schedule(() => this.#flushSafely());
    });
    return () => {
      off();
      this.#flushSafely();
    };
  }

  #flushSafely(): void {
    try {
      this.flush();
    } catch (err) {
      this.#opts.onError(err);
    }
  }

  /**
   * Signs and stores `inputs` as the next records of the chain. Call it inside an IMMEDIATE
   * transaction: the head is read there, so two connections appending to one chain (the engine
   * thread's log and this thread's) cannot both take the same next seq.
   */
  #appendAll(inputs: readonly RecordInput[]): LogRecord[] {
    if (inputs.length === 0) return [];
    let head = this.store.head(this.origin);
    const records = inputs.map((input) => {
      const record = signRecordWith(this.#sign, {
        v: RECORD_VERSION,
        origin: this.origin,
        seq: (head?.seq ?? 0) + 1,
        ...input,
        workers: [...input.workers].sort(),
        prevHash: head?.hash ?? GENESIS_HASH,
      });
      head = { seq: record.seq, hash: record.hash };
      return record;
    });
    this.store.insert(records);
    return records;
  }

  /** A throwing listener is reported and does not keep the others, or later records, from it. */
  #publish(records: readonly LogRecord[]): void {
    const listeners = [...this.#listeners];
    for (const record of records) {
      for (const listener of listeners) {
        try {
          listener(record);
        } catch (err) {
          this.#opts.onError(err);
        }
      }
    }
  }
}
