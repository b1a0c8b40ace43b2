/**
 * One connected worker, seen from the orchestrator: reads its frames, turns them into engine
 * calls, and sends it task frames while it has credit (each `pull` adds credit; ./work-offer.ts
 * spends it). Anything the engine refuses goes back as a `refusal` frame with the engine's stable
 * code; the session lives on.
 *
 * Engine calls go through the dispatcher's group commit (./group-commit.ts): they run with those of
 * every other session in one transaction per turn of the event loop, and the worker hears back
 * (task frames for new leases, refusals) only once that transaction committed.
 */
import { entryBytes } from '../../protocol/batch.ts';
import { ErrorCode, FrameError, isShardmeshError } from '../../protocol/errors.ts';
import type { FrameChannel } from '../../protocol/frame-channel.ts';
import type {
  FailureEntry,
  FrameHeader,
  HelloHeader,
  ResultHeader,
  ResultsHeader,
} from '../../protocol/messages.ts';
import type { TaskEngine } from '../engine/index.ts';
import { BoundedSet } from './bounded-set.ts';
import type { GroupCommit, OpSource } from './group-commit.ts';
import type { ProofCheck } from './proof-check.ts';
import { SessionOutbox } from './session-outbox.ts';
import { resultOf } from './task-frames.ts';
import { WorkOffer } from './work-offer.ts';

export interface SessionContext {
  engine: TaskEngine;
  /** Where engine calls run: one transaction per turn, shared by every session. */
  commit: GroupCommit;
  orchestratorId: string;
  leaseMs: number;
  heartbeatMs: number;
  maxPayloadBytes: number;
  /** Agree to batch frames when a worker's hello offers them (default true; false = single frames). */
  batchFrames?: boolean;
  /** Called when the session gained credit, so the dispatcher offers it work. */
  wantsWork: (session: WorkerSession) => void;
  /** Verifies a result's proof when its job requires one (before the result may count). */
  checkProof: ProofCheck;
  log: (line: string) => void;
}

const NO_PROOF_MEMORY = 4096;

export class WorkerSession {
  /**
   * Replicas this session sent with no proof request: their results skip the proof lookup. Only a
   * fast path: a result for any other replica (a proof is owed, it was leased in an earlier
   * session, or it was dropped from here) is looked up as before, so forgetting is always safe:
   * at most NO_PROOF_MEMORY ids, the oldest dropped (replicas whose lease ran out never answer).
   */
  private readonly sentWithoutProof = new BoundedSet<string>(NO_PROOF_MEMORY);
  /**
   * Acks waiting for the next group transaction. The task loop sends an ack in the same write as
   * its result or failure, so both usually arrive in one turn: the result then takes the legal
   * edge leased -> submitted (or -> failed) and the ack's statement is skipped (it only records
   * acked_at; the lease is the same either way).
   */
  private readonly queuedAcks = new Set<string>();
  private readonly outbox: SessionOutbox;
  /** The worker's credit and the lease calls that spend it. */
  private readonly work: WorkOffer;

  constructor(
    readonly workerId: string,
    private readonly channel: FrameChannel,
    private readonly ctx: SessionContext,
  ) {
    this.outbox = new SessionOutbox(channel, workerId, ctx.log);
    this.work = new WorkOffer({
      workerId,
      commit: ctx.commit,
      log: ctx.log,
      offerAgain: () => ctx.wantsWork(this),
      send: (leases, signal) => {
        for (const lease of leases) if (lease.proof === undefined) this.sentWithoutProof.add(lease.replicaId);
        return this.outbox.tasks(leases, signal);
      },
    });
  }

  get hasCredit(): boolean {
    return this.work.hasCredit;
  }

  /** Leases up to the worker's credit in the next group transaction, then sends the tasks. */
  offerWork(signal?: AbortSignal): void {
    this.work.offer(signal);
  }

  /** Runs the session until the worker disconnects or `signal` fires. */
  async run(signal: AbortSignal): Promise<void> {
    let greeted = false;
    for await (const incoming of this.channel.incoming({ signal })) {
      if (incoming.error !== undefined) {
        this.refuse(incoming.error.code, incoming.error.message, undefined, signal);
        continue;
      }
      const { header, payload } = incoming.frame;
      if (!greeted) {
        if (header.type !== 'hello' || !this.acceptHello(header, signal)) return;
        greeted = true;
        continue;
      }
      this.handle(header, payload, signal);
    }
  }

  /** Resolves once every frame queued so far has been handed to the stream. */
  flush(): Promise<void> {
    return this.outbox.flushed();
  }

  private acceptHello(hello: HelloHeader, signal: AbortSignal): boolean {
    if (hello.workerId !== this.workerId) {
      this.refuse(
        ErrorCode.Unauthorized,
        'hello.workerId must be the peer id of the connection',
        undefined,
        signal,
      );
      return false;
    }
    this.work.kinds = hello.capabilities.kinds;
    this.outbox.batch = hello.batchFrames === true && this.ctx.batchFrames !== false;
    // Queued before any lease of this session, so the worker is known when it is first leased work.
    this.commit(hello, signal, {
      op: 'register',
      workerId: this.workerId,
      info: { capabilities: hello.capabilities, userAgent: hello.userAgent },
    });
    this.outbox.send(
      {
        type: 'welcome',
        orchestratorId: this.ctx.orchestratorId,
        leaseMs: this.ctx.leaseMs,
        heartbeatMs: this.ctx.heartbeatMs,
        maxPayloadBytes: this.ctx.maxPayloadBytes,
        ...(this.outbox.batch ? { batchFrames: true } : {}),
      },
      undefined,
      signal,
    );
    this.ctx.log(`worker ${this.workerId} joined (${hello.userAgent})`);
    return true;
  }

  private handle(header: FrameHeader, payload: Uint8Array, signal: AbortSignal): void {
    switch (header.type) {
      case 'pull':
        this.work.pull(header.max);
        this.ctx.wantsWork(this);
        return;
      case 'ack':
        this.ack(header, signal);
        return;
      case 'heartbeat':
        this.commit(header, signal, {
          op: 'heartbeat',
          workerId: this.workerId,
          replicaIds: header.replicaIds,
        });
        return;
      case 'result':
        this.submit(header, payload, signal);
        return;
      case 'failure':
        this.fail(header, signal);
        return;
      case 'results':
        this.handleResults(header, payload, signal);
        return;
      default:
        this.refuse(
          ErrorCode.FrameHeaderInvalid,
          `a worker may not send ${header.type} frames`,
          replicaIdOf(header),
          signal,
        );
    }
  }

  private ack(header: FrameHeader & { replicaId: string }, signal: AbortSignal): void {
    this.queuedAcks.add(header.replicaId);
    const { replicaId } = header;
    this.commit(header, signal, () =>
      // Gone from the set: a result or failure for this replica arrived first and replaces it.
      this.queuedAcks.delete(replicaId) ? { op: 'ack', replicaId, workerId: this.workerId } : undefined,
    );
  }

  private fail(header: FrameHeader & FailureEntry, signal: AbortSignal): void {
    this.sentWithoutProof.delete(header.replicaId);
    this.queuedAcks.delete(header.replicaId);
    this.commit(header, signal, {
      op: 'fail',
      replicaId: header.replicaId,
      workerId: this.workerId,
      error: header.error,
    });
  }

  /**
   * A `results` frame is its entries as single frames, in the order a worker sends those (acks,
   * then results, then failures): they all join the same group transaction. Each entry keeps its
   * own refusal (a late result is refused alone). Only a worker that was offered batches sends one.
   */
  private handleResults(header: ResultsHeader, payload: Uint8Array, signal: AbortSignal): void {
    if (!this.outbox.batch) {
      this.refuse(ErrorCode.FrameHeaderInvalid, 'results frames were not agreed in hello', undefined, signal);
      return;
    }
    const base = { v: 1, payloadLength: 0, payloadSha256: header.payloadSha256 } as const;
    // An ack whose replica's result or failure is in the same frame is not queued at all (the
    // result takes the edge leased -> submitted; an ack only records acked_at): one group-commit
    // call per task fewer.
    const settled = new Set<string>();
    for (const entry of header.results) settled.add(entry.replicaId);
    for (const failure of header.failures) settled.add(failure.replicaId);
    for (const replicaId of header.acks)
      if (!settled.has(replicaId)) this.ack({ ...base, type: 'ack', replicaId }, signal);
    for (const entry of header.results) this.submit(resultOf(entry), entryBytes(payload, entry), signal);
    for (const failure of header.failures) this.fail({ ...base, type: 'failure', ...failure }, signal);
  }

  /**
   * Runs `op` in the next group transaction; a refusal goes back once it settled. The promise
   * settles after that, whatever the outcome.
   */
  private commit(header: FrameHeader, signal: AbortSignal, op: OpSource): Promise<unknown> {
    return this.ctx.commit.run(op).catch((err: unknown) => this.refuseError(header, err, signal));
  }

  private refuseError(header: FrameHeader, err: unknown, signal: AbortSignal): void {
    if (signal.aborted) return;
    if (!isShardmeshError(err))
      this.ctx.log(`internal error on ${header.type} from ${this.workerId}: ${String(err)}`);
    const code = isShardmeshError(err) ? err.code : ErrorCode.Internal;
    this.refuse(code, err instanceof Error ? err.message : String(err), replicaIdOf(header), signal);
  }

  private submit(header: ResultHeader, output: Uint8Array, signal: AbortSignal): void {
    // The codec already proved a non-empty payload has length outputLength and SHA-256
    // resultDigest. An empty payload would be a digest-only result, which needs a proof to mean
    // anything: refused until the proofs land.
    if (header.outputLength !== output.length) {
      const err = new FrameError(
        ErrorCode.FrameLengthMismatch,
        'digest-only results are not accepted: send the output',
        { field: 'outputLength' },
      );
      this.refuseError(header, err, signal);
      return;
    }
    const { replicaId, resultDigest: digest } = header;
    const submit = () => {
      this.queuedAcks.delete(replicaId);
      this.commit(header, signal, { op: 'submit', replicaId, workerId: this.workerId, digest, output });
    };
    if (this.sentWithoutProof.delete(header.replicaId)) {
      submit(); // leased by this session with no proof request: the job needs none
      return;
    }
    const request = this.ctx.engine.proofRequest(header.replicaId);
    if (request === undefined || request.workerId !== this.workerId) {
      submit(); // no proof owed (or not this worker's replica: the engine refuses it with its code)
      return;
    }
    this.ctx
      .checkProof({ header, output, workerId: this.workerId, request }, { signal })
      .then(submit, (err: unknown) => this.proofRefused(header, err, signal));
  }

  /**
   * A proof that does not verify counts against the worker and fails the replica (reissued); the
   * worker hears of it once that is committed.
   */
  private proofRefused(header: ResultHeader, err: unknown, signal: AbortSignal): void {
    const error = isShardmeshError(err) ? err : new FrameError(ErrorCode.ProofInvalid, String(err));
    this.ctx.log(`bad proof from ${this.workerId} for ${header.replicaId}: ${error.code} ${error.message}`);
    void this.commit(header, signal, {
      op: 'badProof',
      replicaId: header.replicaId,
      workerId: this.workerId,
      error: { code: error.code, message: error.message },
    }).then(() => this.refuseError(header, error, signal));
  }

  private refuse(code: string, message: string, replicaId: string | undefined, signal: AbortSignal): void {
    this.outbox.refuse(code, message, replicaId, signal);
  }
}

const replicaIdOf = (header: FrameHeader): string | undefined =>
  'replicaId' in header ? header.replicaId : undefined;
