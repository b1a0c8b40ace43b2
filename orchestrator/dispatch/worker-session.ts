/**
 * One connected worker, seen from the orchestrator: reads its frames, turns them into engine
 * calls, and sends it task frames while it has credit (each `pull` adds credit). Anything the
 * engine refuses goes back as a `refusal` frame with the engine's stable code; the session lives on.
 *
 * Engine calls go through the dispatcher's group commit (./group-commit.ts): they run with those of
 * every other session in one transaction per turn of the event loop, and the worker hears back
 * (task frames for new leases, refusals) only once that transaction committed.
 */
import { ErrorCode, FrameError, isShardmeshError } from '../../protocol/errors.ts';
import type { FrameChannel } from '../../protocol/frame-channel.ts';
import { MAX_PULL } from '../../protocol/limits.ts';
import type { FrameHeader, HelloHeader, JsonObject, ResultHeader } from '../../protocol/messages.ts';
import type { Lease, TaskEngine } from '../engine/index.ts';
import type { GroupCommit } from './group-commit.ts';
import type { ProofCheck } from './proof-check.ts';

export interface SessionContext {
  engine: TaskEngine;
  /** Where engine calls run: one transaction per turn, shared by every session. */
  commit: GroupCommit;
  orchestratorId: string;
  leaseMs: number;
  heartbeatMs: number;
  maxPayloadBytes: number;
  /** Called when the session gained credit, so the dispatcher offers it work. */
  wantsWork: (session: WorkerSession) => void;
  /** Verifies a result's proof when its job requires one (before the result may count). */
  checkProof: ProofCheck;
  log: (line: string) => void;
}

/** Most replica ids a session remembers as sent without a proof request (oldest dropped first). */
const NO_PROOF_MEMORY = 4096;

export class WorkerSession {
  private credit = 0;
  /**
   * Replicas this session sent with no proof request: their results skip the proof lookup. Only a
   * fast path: a result for any other replica (a proof is owed, it was leased in an earlier
   * session, or it was dropped from here) is looked up as before, so forgetting is always safe.
   */
  private readonly sentWithoutProof = new Set<string>();
  /** A lease call is queued; a second would race it for the same credit. */
  private offering = false;
  /** Credit or work arrived while a lease call was queued: offer again when it settles. */
  private offerAgain = false;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    readonly workerId: string,
    private readonly channel: FrameChannel,
    private readonly ctx: SessionContext,
  ) {}

  get hasCredit(): boolean {
    return this.credit > 0;
  }

  /**
   * Leases up to `credit` replicas in the next group transaction and, once it committed, sends
   * them (the channel keeps the order of sends).
   */
  offerWork(signal?: AbortSignal): void {
    if (this.credit <= 0) return;
    if (this.offering) {
      this.offerAgain = true;
      return;
    }
    this.offering = true;
    this.offerAgain = false;
    let taken = 0;
    this.ctx.commit
      .run(() => {
        // Credit is read when the transaction runs, so pulls that arrived meanwhile count too.
        const leases = this.credit > 0 ? this.ctx.engine.lease(this.workerId, this.credit) : [];
        taken = leases.length;
        this.credit -= taken;
        return leases;
      })
      .then(
        (leases) => {
          for (const lease of leases) this.sendTask(lease, signal);
        },
        (err: unknown) => {
          this.credit += taken; // the leases were rolled back with their transaction
          if (!signal?.aborted) this.ctx.log(`lease for ${this.workerId} failed: ${String(err)}`);
        },
      )
      .finally(() => {
        this.offering = false;
        if (this.offerAgain && !signal?.aborted) this.ctx.wantsWork(this);
      });
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
    return this.sending;
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
    this.ctx.engine.registerWorker(this.workerId, {
      capabilities: hello.capabilities,
      userAgent: hello.userAgent,
    });
    this.enqueueSend(
      {
        type: 'welcome',
        orchestratorId: this.ctx.orchestratorId,
        leaseMs: this.ctx.leaseMs,
        heartbeatMs: this.ctx.heartbeatMs,
        maxPayloadBytes: this.ctx.maxPayloadBytes,
      },
      undefined,
      signal,
    );
    this.ctx.log(`worker ${this.workerId} joined (${hello.userAgent})`);
    return true;
  }

  private handle(header: FrameHeader, payload: Uint8Array, signal: AbortSignal): void {
    const { engine } = this.ctx;
    switch (header.type) {
      case 'pull':
        this.credit = Math.min(this.credit + header.max, MAX_PULL);
        this.ctx.wantsWork(this);
        return;
      case 'ack':
        this.commit(header, signal, () => engine.ack(header.replicaId, this.workerId));
        return;
      case 'heartbeat':
        this.commit(header, signal, () => engine.heartbeat(this.workerId, header.replicaIds));
        return;
      case 'result':
        this.submit(header, payload, signal);
        return;
      case 'failure':
        this.sentWithoutProof.delete(header.replicaId);
        this.commit(header, signal, () => engine.fail(header.replicaId, this.workerId, header.error));
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

  /** Runs `op` in the next group transaction; a refusal goes back once it settled. */
  private commit(header: FrameHeader, signal: AbortSignal, op: () => unknown): void {
    this.ctx.commit.run(op).catch((err: unknown) => this.refuseError(header, err, signal));
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
    const result = { digest: header.resultDigest, output };
    const submit = () =>
      this.commit(header, signal, () => this.ctx.engine.submit(header.replicaId, this.workerId, result));
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

  /** A proof that does not verify counts against the worker and fails the replica (reissued). */
  private proofRefused(header: ResultHeader, err: unknown, signal: AbortSignal): void {
    const error = isShardmeshError(err) ? err : new FrameError(ErrorCode.ProofInvalid, String(err));
    this.ctx.log(`bad proof from ${this.workerId} for ${header.replicaId}: ${error.code} ${error.message}`);
    this.commit(header, signal, () => {
      this.ctx.engine.recordBadProof(this.workerId);
      this.ctx.engine.fail(header.replicaId, this.workerId, { code: error.code, message: error.message });
    });
    this.refuseError(header, error, signal);
  }

  private sendTask(lease: Lease, signal: AbortSignal | undefined): void {
    const { replicaId, jobId, taskId, kind, seed, attempt, params, leaseExpiresAt, payload } = lease;
    if (lease.proof === undefined) this.rememberNoProof(replicaId);
    this.enqueueSend(
      {
        type: 'task',
        replicaId,
        jobId,
        taskId,
        kind,
        seed,
        attempt,
        params: params as JsonObject,
        leaseExpiresAt,
        ...(lease.proof === undefined ? {} : { proof: lease.proof }),
      },
      payload,
      signal,
    );
  }

  private rememberNoProof(replicaId: string): void {
    this.sentWithoutProof.add(replicaId);
    // Replicas whose lease ran out never send a result: bound what they leave behind.
    if (this.sentWithoutProof.size > NO_PROOF_MEMORY) {
      const oldest = this.sentWithoutProof.values().next();
      if (oldest.done !== true) this.sentWithoutProof.delete(oldest.value);
    }
  }

  private refuse(code: string, message: string, replicaId: string | undefined, signal: AbortSignal): void {
    this.enqueueSend(
      { type: 'refusal', code, message, ...(replicaId === undefined ? {} : { replicaId }) },
      undefined,
      signal,
    );
  }

  private enqueueSend(
    header: Parameters<FrameChannel['send']>[0],
    payload: Uint8Array | undefined,
    signal?: AbortSignal,
  ) {
    // The channel writes frames in call order, and those sent in one turn in one write: calling it
    // directly (not after the previous send settled) keeps the order and lets frames coalesce.
    this.sending = this.channel
      .send(header, payload, signal === undefined ? {} : { signal })
      .catch((err: unknown) => {
        if (!signal?.aborted) this.ctx.log(`send to ${this.workerId} failed: ${String(err)}`);
      });
  }
}

const replicaIdOf = (header: FrameHeader): string | undefined =>
  'replicaId' in header ? header.replicaId : undefined;
