/**
 * One connected worker, seen from the orchestrator: reads its frames, turns them into engine
 * calls, and sends it task frames while it has credit (each `pull` adds credit). Anything the
 * engine refuses goes back as a `refusal` frame with the engine's stable code; the session lives on.
 */
import { ErrorCode, FrameError, isShardmeshError } from '../../protocol/errors.ts';
import type { FrameChannel } from '../../protocol/frame-channel.ts';
import { MAX_PULL } from '../../protocol/limits.ts';
import type { FrameHeader, HelloHeader, JsonObject, ResultHeader } from '../../protocol/messages.ts';
import type { TaskEngine } from '../engine/index.ts';

export interface SessionContext {
  engine: TaskEngine;
  orchestratorId: string;
  leaseMs: number;
  heartbeatMs: number;
  maxPayloadBytes: number;
  /** Called when the session gained credit, so the dispatcher offers it work. */
  wantsWork: (session: WorkerSession) => void;
  log: (line: string) => void;
}

export class WorkerSession {
  private credit = 0;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    readonly workerId: string,
    private readonly channel: FrameChannel,
    private readonly ctx: SessionContext,
  ) {}

  get hasCredit(): boolean {
    return this.credit > 0;
  }

  /** Leases up to `credit` replicas and sends them. Sends are chained so frames keep their order. */
  offerWork(signal?: AbortSignal): void {
    if (this.credit <= 0) return;
    const leases = this.ctx.engine.lease(this.workerId, this.credit);
    this.credit -= leases.length;
    for (const lease of leases) {
      const { replicaId, jobId, taskId, kind, seed, attempt, params, leaseExpiresAt, payload } = lease;
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
        },
        payload,
        signal,
      );
    }
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
    const replicaId = 'replicaId' in header ? header.replicaId : undefined;
    try {
      switch (header.type) {
        case 'pull':
          this.credit = Math.min(this.credit + header.max, MAX_PULL);
          this.ctx.wantsWork(this);
          return;
        case 'ack':
          this.ctx.engine.ack(header.replicaId, this.workerId);
          return;
        case 'heartbeat':
          this.ctx.engine.heartbeat(this.workerId, header.replicaIds);
          return;
        case 'result':
          this.submit(header, payload);
          return;
        case 'failure':
          this.ctx.engine.fail(header.replicaId, this.workerId, header.error);
          return;
        default:
          this.refuse(
            ErrorCode.FrameHeaderInvalid,
            `a worker may not send ${header.type} frames`,
            replicaId,
            signal,
          );
      }
    } catch (err) {
      if (!isShardmeshError(err))
        this.ctx.log(`internal error on ${header.type} from ${this.workerId}: ${String(err)}`);
      const code = isShardmeshError(err) ? err.code : ErrorCode.Internal;
      this.refuse(code, err instanceof Error ? err.message : String(err), replicaId, signal);
    }
  }

  private submit(header: ResultHeader, output: Uint8Array): void {
    // The codec already proved a non-empty payload has length outputLength and SHA-256
    // resultDigest. An empty payload would be a digest-only result, which needs a proof to mean
    // anything: refused until the proofs land.
    if (header.outputLength !== output.length) {
      throw new FrameError(
        ErrorCode.FrameLengthMismatch,
        'digest-only results are not accepted: send the output',
        {
          field: 'outputLength',
        },
      );
    }
    this.ctx.engine.submit(header.replicaId, this.workerId, { digest: header.resultDigest, output });
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
    this.sending = this.sending
      .then(() => this.channel.send(header, payload, signal === undefined ? {} : { signal }))
      .catch((err: unknown) => {
        if (!signal?.aborted) this.ctx.log(`send to ${this.workerId} failed: ${String(err)}`);
      });
  }
}
