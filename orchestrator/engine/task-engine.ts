/**
 * The task engine's facade. Every method is synchronous and one SQLite transaction (writes take
 * the lock up front with BEGIN IMMEDIATE, so several processes on one file serialize cleanly);
 * events are delivered after the commit.
 */
import type { Database } from 'bun:sqlite';
import { EngineError, ErrorCode } from '../../protocol/errors.ts';
import { ENGINE_DEFAULTS } from '../config.ts';
import { getBlob, hasBlob, putBlob, SHA256_HEX, sha256Hex } from './blobs.ts';
import { type EngineContext, findTask } from './context.ts';
import {
  type DlqListOptions,
  type DlqPurgeOptions,
  inspectDeadLetter,
  listDeadLetters,
  purgeDeadLetters,
  requeueAllDeadLetters,
  requeueDeadLetter,
} from './dlq.ts';
import { type EngineEvent, EngineEvents, type EngineEventType, type Listener } from './events.ts';
import { failReplica, type WorkerError } from './failure.ts';
import { cancelJob, createJob, getJob, type ListJobsOptions, listJobs } from './jobs.ts';
import {
  ackReplica,
  heartbeat,
  type LeaseOptions,
  leaseTasks,
  proofRequestFor,
  recordBadProof,
} from './lease.ts';
import { reapExpired, releaseOrphanedLeases } from './reaper.ts';
import { iterateResults } from './results.ts';
import type { TaskState } from './state-machine.ts';
import { type SubmittedResult, submitResult } from './submit.ts';
import type {
  CreateJobInput,
  DeadLetter,
  DeadLetterDetail,
  DeadReason,
  DlqFilter,
  EngineOptions,
  FailOutcome,
  JobProgress,
  JobSummary,
  Lease,
  SubmitOutcome,
  TaskResult,
  WorkerInfo,
} from './types.ts';
import { listWorkers, registerWorker } from './workers.ts';

export interface DeadLetterQueue {
  list(opts?: DlqListOptions): DeadLetter[];
  inspect(taskId: string): DeadLetterDetail | undefined;
  requeue(taskId: string): void;
  requeueAll(filter?: DlqFilter): number;
  purge(opts?: DlqPurgeOptions): number;
}

export interface TaskInfo {
  taskId: string;
  jobId: string;
  index: number;
  state: TaskState;
  deadReason: DeadReason | null;
  round: number;
  attempts: number;
  notBefore: number;
}

export function resolveEngineOptions(opts: Partial<EngineOptions> = {}): EngineOptions {
  return {
    now: opts.now ?? Date.now,
    random: opts.random ?? Math.random,
    leaseMs: opts.leaseMs ?? ENGINE_DEFAULTS.leaseMs,
    backoff: { ...ENGINE_DEFAULTS.backoff, ...opts.backoff },
    redundancy: opts.redundancy ?? ENGINE_DEFAULTS.redundancy,
    quorum: opts.quorum ?? ENGINE_DEFAULTS.quorum,
    extraReplicas: opts.extraReplicas ?? ENGINE_DEFAULTS.extraReplicas,
    maxAttempts: opts.maxAttempts ?? ENGINE_DEFAULTS.maxAttempts,
    priority: opts.priority ?? ENGINE_DEFAULTS.priority,
    maxLeaseBatch: opts.maxLeaseBatch ?? ENGINE_DEFAULTS.maxLeaseBatch,
    reapBatch: opts.reapBatch ?? ENGINE_DEFAULTS.reapBatch,
    checkDigest: opts.checkDigest ?? ENGINE_DEFAULTS.checkDigest,
    onListenerError: opts.onListenerError ?? ((err) => console.error('task engine listener failed', err)),
  };
}

export class TaskEngine {
  readonly db: Database;
  readonly options: EngineOptions;
  readonly dlq: DeadLetterQueue;
  readonly #events: EngineEvents;
  /** Events of the open batch(), delivered when it commits; undefined outside a batch. */
  #batchEvents: EngineEvent[] | undefined;
  /**
   * Runs its argument in a transaction (a savepoint when nested). Made once: bun:sqlite's
   * `db.transaction()` builds four wrappers per call, ~3-6 us each time on the hot path.
   */
  readonly #tx: ReturnType<Database['transaction']>;

  constructor(db: Database, opts: Partial<EngineOptions> = {}) {
    this.db = db;
    this.#tx = db.transaction((fn: () => unknown) => fn());
    this.options = resolveEngineOptions(opts);
    this.#events = new EngineEvents(this.options.onListenerError);
    this.dlq = {
      list: (o) => listDeadLetters(this, o),
      inspect: (taskId) => inspectDeadLetter(this, taskId),
      requeue: (taskId) => this.#write((ctx) => requeueDeadLetter(ctx, taskId)),
      requeueAll: (filter) => this.#write((ctx) => requeueAllDeadLetters(ctx, filter)),
      purge: (o) => this.#write((ctx) => purgeDeadLetters(ctx, o)),
    };
  }

  /**
   * Run `fn` in one IMMEDIATE transaction, then deliver the events it queued. Inside batch() it
   * runs in a savepoint instead, so a refused call undoes only itself.
   */
  #write<T>(fn: (ctx: EngineContext) => T): T {
    const events: EngineEvent[] = [];
    const ctx: EngineContext = { db: this.db, opts: this.options, now: this.options.now(), events };
    const batch = this.#batchEvents;
    if (batch !== undefined) {
      const result = this.#tx(() => fn(ctx)) as T;
      batch.push(...events);
      return result;
    }
    const result = this.#tx.immediate(() => fn(ctx)) as T;
    this.#events.emit(events);
    return result;
  }

  /**
   * Group commit: every engine call made synchronously inside `fn` shares one transaction (each
   * in its own savepoint: a call that throws undoes only itself, and the caller may catch it and
   * go on). One commit instead of many is what makes high dispatch rates possible on a file
   * database. Nothing is durable, and no event is delivered, until `batch` returns: answer
   * workers only after that. `fn` must be synchronous; a nested batch joins the outer one.
   */
  batch<T>(fn: () => T): T {
    if (this.#batchEvents !== undefined) return fn();
    const events: EngineEvent[] = [];
    this.#batchEvents = events;
    try {
      const result = this.#tx.immediate(() => {
        const r = fn();
        if (r instanceof Promise) {
          throw new EngineError(ErrorCode.Internal, 'batch() needs a synchronous function', {
            field: 'fn',
          });
        }
        return r;
      }) as T;
      this.#batchEvents = undefined;
      this.#events.emit(events);
      return result;
    } finally {
      this.#batchEvents = undefined;
    }
  }

  on<K extends EngineEventType>(type: K, listener: Listener<K>): () => void {
    return this.#events.on(type, listener);
  }

  off<K extends EngineEventType>(type: K, listener: Listener<K>): void {
    this.#events.off(type, listener);
  }

  /**
   * Delivers the events of a transaction that another connection to this database committed (the
   * engine thread's group commits), to this engine's listeners, as if this engine had committed it.
   */
  deliver(events: readonly EngineEvent[]): void {
    this.#events.emit(events);
  }

  createJob(input: CreateJobInput): JobSummary {
    return this.#write((ctx) => createJob(ctx, input));
  }

  registerWorker(workerId: string, info: Record<string, unknown>): void {
    this.#write((ctx) => registerWorker(ctx, workerId, info));
  }

  /** Leases up to `max` tasks to `workerId`; `opts.kinds` limits them to kinds it can run. */
  lease(workerId: string, max: number, opts?: LeaseOptions): Lease[] {
    return this.#write((ctx) => leaseTasks(ctx, workerId, max, opts));
  }

  ack(replicaId: string, workerId: string): void {
    this.#write((ctx) => ackReplica(ctx, replicaId, workerId));
  }

  heartbeat(workerId: string, replicaIds: readonly string[]): number {
    return this.#write((ctx) => heartbeat(ctx, workerId, replicaIds));
  }

  submit(replicaId: string, workerId: string, result: SubmittedResult): SubmitOutcome {
    return this.#write((ctx) => submitResult(ctx, replicaId, workerId, result));
  }

  fail(replicaId: string, workerId: string, error: WorkerError): FailOutcome {
    return this.#write((ctx) => failReplica(ctx, replicaId, workerId, error));
  }

  /** Expire stale leases (up to `reapBatch`); returns how many. Call it on a timer. */
  reap(): number {
    return this.#write((ctx) => reapExpired(ctx));
  }

  /**
   * Call once at start-up, before workers connect: leases held when the previous run stopped are
   * released without counting an attempt (reaper.ts). Returns how many.
   */
  releaseOrphanedLeases(): number {
    return this.#write((ctx) => releaseOrphanedLeases(ctx));
  }

  getJob(jobId: string): JobProgress | undefined {
    return getJob(this, jobId);
  }

  listJobs(opts?: ListJobsOptions): JobProgress[] {
    return listJobs(this, opts);
  }

  cancelJob(jobId: string): JobProgress {
    return this.#write((ctx) => cancelJob(ctx, jobId));
  }

  /** The proof the holder of `replicaId` owes (circuit, nonce, task, seed, worker), if any. */
  proofRequest(replicaId: string) {
    return proofRequestFor(this, replicaId);
  }

  /** Counts a proof that failed verification against the worker that sent it. */
  recordBadProof(workerId: string): void {
    this.#write((ctx) => recordBadProof(ctx, workerId));
  }

  getTask(taskId: string): TaskInfo | undefined {
    const ctx = { db: this.db, opts: this.options, now: this.options.now(), events: [] };
    const t = findTask(ctx, taskId);
    if (t === null) return undefined;
    const { id, jobId, index, state, deadReason, round, attempts, notBefore } = t;
    return { taskId: id, jobId, index, state, deadReason, round, attempts, notBefore };
  }

  /** Verified results in task order; iterate lazily (large jobs stream from the blob store). */
  results(jobId: string): IterableIterator<TaskResult> {
    return iterateResults(this.db, jobId);
  }

  listWorkers(): WorkerInfo[] {
    return listWorkers(this);
  }

  /** Store a content-addressed blob (for large payloads uploaded before the job). */
  putBlob(bytes: Uint8Array, expectedSha256?: string): string {
    const sha = sha256Hex(bytes);
    if (expectedSha256 !== undefined && expectedSha256 !== sha) {
      throw new EngineError(ErrorCode.DigestMismatch, 'blob content does not match its SHA-256', {
        field: 'sha256',
        expected: expectedSha256,
        actual: sha,
      });
    }
    return this.#write((ctx) => putBlob(ctx.db, bytes, sha));
  }

  getBlob(sha256: string): Uint8Array | undefined {
    return SHA256_HEX.test(sha256) ? getBlob(this.db, sha256) : undefined;
  }

  hasBlob(sha256: string): boolean {
    return SHA256_HEX.test(sha256) && hasBlob(this.db, sha256);
  }
}
