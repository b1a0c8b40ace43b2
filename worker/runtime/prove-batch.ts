/**
 * Batched proving (result_batch): replicas of one job wait here after computing, and one proof
 * covers up to BATCH_SIZE of them. The proof binds the root of their leaves (circuits/lib/batch.ts),
 * this worker's id, and batchNonce(the replicas' lease nonces); every member's result then carries
 * the same proof and listing (orchestrator/dispatch/batch-check.ts verifies it once).
 *
 * A batch is proved when it is full, when no member joined for `quietMs` (every task the worker
 * held has arrived: more would need the results to go out first), or at its deadline: `maxWaitMs`
 * after its first member, and never later than `leaseMarginMs` before the earliest lease expires.
 * A member whose task was cancelled leaves the batch; a batch left empty is not proved.
 */
import { type BatchListing, batchNonce } from '../../circuits/lib/batch.ts';
import { BATCH_SIZE } from '../../circuits/lib/params.ts';
import { AbortError, ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import type { JsonObject, TaskHeader } from '../../protocol/messages.ts';
import type { Prover } from '../prover/index.ts';

export interface BatcherOptions {
  /** Most replicas per proof (default and maximum: the circuit's BATCH_SIZE, 64). */
  maxLeaves?: number;
  /** Prove when no member joined for this long (default 150 ms). */
  quietMs?: number;
  /** Prove at the latest this long after the first member joined (default 5 s). */
  maxWaitMs?: number;
  /**
   * Prove at the latest this long before the earliest member's lease runs out (default 15 s, at
   * most half the time the lease had left when the member joined).
   */
  leaseMarginMs?: number;
  now?: () => number;
}

export const BATCHER_DEFAULTS = { quietMs: 150, maxWaitMs: 5_000, leaseMarginMs: 15_000 } as const;

interface Member {
  task: TaskHeader;
  output: Uint8Array;
  signal: AbortSignal;
  resolve: (proof: JsonObject) => void;
  reject: (err: unknown) => void;
}

interface Open {
  members: Member[];
  quiet?: ReturnType<typeof setTimeout>;
  deadline: ReturnType<typeof setTimeout>;
  deadlineAt: number;
}

export class ResultBatcher {
  private readonly open = new Map<string, Open>();
  private readonly maxLeaves: number;

  constructor(
    private readonly workerId: string,
    private readonly prover: () => Promise<Prover>,
    private readonly opts: BatcherOptions = {},
  ) {
    this.maxLeaves = Math.min(Math.max(1, opts.maxLeaves ?? BATCH_SIZE), BATCH_SIZE);
  }

  /** Resolves with the proof object for this replica's result frame once its batch is proved. */
  add(task: TaskHeader, output: Uint8Array, signal: AbortSignal): Promise<JsonObject> {
    const nonce = task.proof?.nonce;
    if (nonce === undefined) throw new WorkerTaskError(ErrorCode.ProverFailed, 'no nonce was issued');
    if (signal.aborted) return Promise.reject(new AbortError());
    return new Promise<JsonObject>((resolve, reject) => {
      const member: Member = { task, output, signal, resolve, reject };
      const batch = this.batchFor(task);
      batch.members.push(member);
      signal.addEventListener('abort', () => this.leave(task.jobId, member), { once: true });
      // Short leases keep half their time for proving and sending rather than batches of one.
      const left = task.leaseExpiresAt - this.now();
      const margin = Math.min(this.opts.leaseMarginMs ?? BATCHER_DEFAULTS.leaseMarginMs, left / 2);
      const leaseDeadline = task.leaseExpiresAt - margin;
      if (leaseDeadline < batch.deadlineAt) this.rearmDeadline(task.jobId, batch, leaseDeadline);
      if (batch.members.length >= this.maxLeaves) {
        this.flush(task.jobId);
        return;
      }
      clearTimeout(batch.quiet);
      batch.quiet = setTimeout(() => this.flush(task.jobId), this.opts.quietMs ?? BATCHER_DEFAULTS.quietMs);
    });
  }

  /** Open batches (one per job with members waiting). */
  get size(): number {
    return this.open.size;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private batchFor(task: TaskHeader): Open {
    let batch = this.open.get(task.jobId);
    if (batch === undefined) {
      const deadlineAt = this.now() + (this.opts.maxWaitMs ?? BATCHER_DEFAULTS.maxWaitMs);
      batch = {
        members: [],
        deadlineAt,
        deadline: setTimeout(() => this.flush(task.jobId), deadlineAt - this.now()),
      };
      this.open.set(task.jobId, batch);
    }
    return batch;
  }

  private rearmDeadline(jobId: string, batch: Open, at: number): void {
    clearTimeout(batch.deadline);
    batch.deadlineAt = at;
    batch.deadline = setTimeout(() => this.flush(jobId), Math.max(0, at - this.now()));
  }

  private leave(jobId: string, member: Member): void {
    const batch = this.open.get(jobId);
    const i = batch?.members.indexOf(member) ?? -1;
    if (batch === undefined || i < 0) return; // already being proved: its result is dropped later
    batch.members.splice(i, 1);
    member.reject(new AbortError());
    if (batch.members.length === 0) this.close(jobId, batch);
  }

  private close(jobId: string, batch: Open): void {
    clearTimeout(batch.quiet);
    clearTimeout(batch.deadline);
    if (this.open.get(jobId) === batch) this.open.delete(jobId);
  }

  /** Proves the open batch of `jobId` (taken out first, so new members start the next one). */
  private flush(jobId: string): void {
    const batch = this.open.get(jobId);
    if (batch === undefined) return;
    this.close(jobId, batch);
    const members = batch.members.filter((m) => !m.signal.aborted);
    if (members.length === 0) return;
    // Not cancellable by one member: the proof serves the others (a shutdown ends the thread).
    void this.prove(members).then(
      (proof) => {
        for (const m of members) m.resolve(proof);
      },
      (err: unknown) => {
        for (const m of members) m.reject(err);
      },
    );
  }

  private async prove(members: readonly Member[]): Promise<JsonObject> {
    const prover = await this.prover();
    const bundle = await prover.proveBatch({
      items: members.map((m) => ({ taskId: m.task.taskId, output: m.output })),
      workerId: this.workerId,
      nonce: batchNonce(members.map((m) => m.task.proof?.nonce ?? '')),
    });
    const batch: BatchListing = { replicas: members.map((m) => m.task.replicaId) };
    return {
      circuit: bundle.circuit,
      version: bundle.version,
      proof: JSON.parse(JSON.stringify(bundle.proof)) as JsonObject,
      publicSignals: bundle.publicSignals,
      batch: batch as unknown as JsonObject,
    };
  }
}
