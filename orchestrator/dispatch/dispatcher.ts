/**
 * Hands leased work to connected workers over the task protocol. Owns the sessions, offers work
 * when a worker asks for it, when a job arrives (`kick`), and on a timer (retries whose backoff
 * ran out, work freed by the reaper). The reaper expires stale leases on its own timer.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface';
import { FrameChannel } from '../../protocol/frame-channel.ts';
import type { OrchestratorConfig } from '../config.ts';
import { TASK_PROTOCOL } from '../config.ts';
import type { TaskEngine } from '../engine/index.ts';
import { type CommitLane, LocalLane } from './commit-lane.ts';
import { GroupCommit } from './group-commit.ts';
import { createProofCheck, type ProofCheck } from './proof-check.ts';
import { WorkerSession } from './worker-session.ts';

export interface DispatcherOptions {
  config: OrchestratorConfig;
  engine: TaskEngine;
  node: Libp2p;
  log: (line: string) => void;
  /** Where group commits run (default: in this thread, on `engine`). */
  lane?: CommitLane | undefined;
}

export class Dispatcher {
  private readonly sessions = new Set<WorkerSession>();
  private readonly controller = new AbortController();
  private timers: ReturnType<typeof setInterval>[] = [];
  private readonly running = new Set<Promise<void>>();
  /** Every session's engine calls, one transaction per turn of the event loop. */
  private readonly commit: GroupCommit;

  /** Proof verification for jobs that require proofs (loads the verifier on first use). */
  private readonly checkProof: ProofCheck;

  constructor(private readonly opts: DispatcherOptions) {
    this.commit = new GroupCommit(opts.lane ?? new LocalLane(opts.engine));
    this.checkProof = createProofCheck(opts.engine.db);
  }

  get workerCount(): number {
    return this.sessions.size;
  }

  async start(): Promise<void> {
    const { config, node, log } = this.opts;
    await node.handle(TASK_PROTOCOL, (stream, connection) => this.accept(stream, connection), {
      maxInboundStreams: 4,
    });
    this.timers = [
      setInterval(() => this.kick(), config.dispatchIntervalMs),
      // Through the group commit like every dispatch write: one writer on the hot path.
      setInterval(() => {
        this.commit.run<number>({ op: 'reap' }).then(
          (reaped) => {
            if (reaped > 0) this.kick();
          },
          (err: unknown) => {
            if (!this.controller.signal.aborted) log(`reap failed: ${String(err)}`);
          },
        );
      }, config.reapIntervalMs),
    ];
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.controller.abort();
    await this.opts.node.unhandle(TASK_PROTOCOL).catch(() => {});
    await Promise.allSettled(this.running);
    // Results that arrived before the end are committed, not dropped.
    await this.commit.close();
  }

  /** Offers work to every worker with credit (new job, reaped leases, retries now due). */
  kick(): void {
    for (const session of this.sessions) this.offer(session);
  }

  private offer(session: WorkerSession): void {
    if (!session.hasCredit || this.controller.signal.aborted) return;
    try {
      session.offerWork(this.controller.signal);
    } catch (err) {
      this.opts.log(`dispatch to ${session.workerId} failed: ${String(err)}`);
    }
  }

  private accept(stream: Stream, connection: Connection): void {
    const { config, engine, node, log } = this.opts;
    const session = new WorkerSession(connection.remotePeer.toString(), new FrameChannel(stream, config), {
      engine,
      commit: this.commit,
      orchestratorId: node.peerId.toString(),
      leaseMs: config.leaseMs,
      heartbeatMs: config.heartbeatMs,
      maxPayloadBytes: config.maxPayloadBytes,
      wantsWork: (s) => this.offer(s),
      checkProof: this.checkProof,
      log,
    });
    this.sessions.add(session);
    const run = session
      .run(this.controller.signal)
      .catch((err: unknown) => {
        if (!this.controller.signal.aborted) log(`session ${session.workerId} ended: ${String(err)}`);
      })
      .finally(async () => {
        this.sessions.delete(session);
        // Let queued frames (a final refusal) reach the worker, then close our end gracefully.
        await session.flush();
        await stream.close({ signal: AbortSignal.timeout(2_000) }).catch((err: Error) => stream.abort(err));
        this.running.delete(run);
      });
    this.running.add(run);
  }
}
