/**
 * One headless worker serving several orchestrators at once: one task-protocol session per
 * orchestrator, each with its own redial loop and backoff (one orchestrator going down never
 * touches the others), all sharing the worker's executor and its `concurrency` slots.
 *
 * Fair sharing: the task protocol is credit-based (a session pulls `concurrency` tasks on
 * welcome and one more per finished task), so a session never holds more tasks than the
 * concurrency it started with. Each session therefore starts with a share of the slots
 * (`splitSlots`: equal shares, the remainder to the first addresses, at least one each). When
 * the set of orchestrators changes (discovery found one), sessions whose share changed are
 * drained (in-flight tasks finish and report; the only way to take back granted credit) and
 * reconnect at once with the new share.
 *
 * Shares are over the configured set, not the reachable one: an orchestrator that is down keeps
 * its share idle rather than lending it out, so its return never needs a drain elsewhere.
 */
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { TASK_PROTOCOL } from '../../orchestrator/config.ts';
import { FrameChannel } from '../../protocol/frame-channel.ts';
import type { TaskLoopOptions } from '../runtime/task-loop.ts';
import { runTaskLoop } from '../runtime/task-loop.ts';

/** Everything of a task-loop session except what differs per orchestrator. */
export type SessionTemplate = Omit<
  TaskLoopOptions,
  'concurrency' | 'prefetch' | 'signal' | 'drain' | 'prover'
>;

export interface OrchestratorSessionsOptions {
  node: Libp2p;
  /** Slots shared by all sessions. */
  concurrency: number;
  /** Leases each session holds beyond its slots, per slot (TaskLoopOptions.prefetch). Default 0. */
  prefetchPerSlot?: number;
  reconnectMs: number;
  reconnectMaxMs: number;
  template: SessionTemplate;
  /** The prover source a session's tasks use, given that session's orchestrator. */
  prover?: (orchestrator: string) => TaskLoopOptions['prover'];
  log?: (line: string) => void;
  signal: AbortSignal;
}

export interface SessionState {
  orchestrator: string;
  /** Slots this orchestrator may use (its credit). */
  share: number;
  connected: boolean;
  /** Sessions opened so far (1 + reconnects). */
  sessions: number;
}

/**
 * Splits `total` slots between `count` orchestrators: equal shares, the remainder to the first
 * ones, never less than one each (a worker told to serve more orchestrators than it has slots
 * runs one task per orchestrator; the executor queues the excess).
 */
export function splitSlots(total: number, count: number): number[] {
  if (count <= 0) return [];
  const base = Math.floor(total / count);
  const extra = total % count;
  return Array.from({ length: count }, (_, i) => Math.max(1, base + (i < extra ? 1 : 0)));
}

interface Session extends SessionState {
  /** Fires to end the current session (its share changed). */
  drain: AbortController;
  /** Undefined until its serve loop starts (exactly once per orchestrator). */
  loop: Promise<void> | undefined;
}

export class OrchestratorSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly opts: OrchestratorSessionsOptions) {}

  /** Orchestrators served, their shares and whether a session is open now. */
  state(): SessionState[] {
    return [...this.sessions.values()].map(({ orchestrator, share, connected, sessions }) => ({
      orchestrator,
      share,
      connected,
      sessions,
    }));
  }

  /** Serves these orchestrators too (addresses already served are ignored). Rebalances shares. */
  add(addresses: readonly string[]): void {
    let changed = false;
    for (const orchestrator of addresses) {
      if (this.sessions.has(orchestrator) || this.opts.signal.aborted) continue;
      const session: Session = {
        orchestrator,
        share: 0,
        connected: false,
        sessions: 0,
        drain: new AbortController(),
        loop: undefined,
      };
      this.sessions.set(orchestrator, session);
      changed = true;
    }
    if (!changed) return;
    this.rebalance();
    for (const session of this.sessions.values()) {
      session.loop ??= this.serve(session);
    }
  }

  /** Resolves when every session loop has ended (after the signal fired). */
  async closed(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.loop?.catch(() => {})));
  }

  private rebalance(): void {
    const list = [...this.sessions.values()];
    const shares = splitSlots(this.opts.concurrency, list.length);
    list.forEach((session, i) => {
      const share = shares[i] ?? 1;
      if (share === session.share) return;
      session.share = share;
      // A session running with another share drains and reconnects with this one.
      if (session.connected) session.drain.abort();
    });
  }

  /** One orchestrator: dial, run a session, redial with backoff after a failure. */
  private async serve(session: Session): Promise<void> {
    const { node, signal, template } = this.opts;
    let delay = this.opts.reconnectMs;
    while (!signal.aborted) {
      session.drain = new AbortController();
      let drained = false;
      try {
        const stream = await node.dialProtocol(multiaddr(session.orchestrator), TASK_PROTOCOL, { signal });
        delay = this.opts.reconnectMs;
        session.connected = true;
        session.sessions++;
        const share = session.share;
        this.log(`connected to ${session.orchestrator} (${share} of ${this.opts.concurrency} slots)`);
        const prover = this.opts.prover?.(session.orchestrator);
        await runTaskLoop(new FrameChannel(stream), {
          ...template,
          concurrency: share,
          prefetch: share * (this.opts.prefetchPerSlot ?? 0),
          signal,
          drain: session.drain.signal,
          ...(prover === undefined ? {} : { prover }),
        });
        drained = session.drain.signal.aborted;
        this.log(
          drained ? `rebalancing ${session.orchestrator}` : `${session.orchestrator} closed the session`,
        );
      } catch (err) {
        if (signal.aborted) return;
        this.log(
          `${session.orchestrator}: connection failed: ${err instanceof Error ? err.message : String(err)}; retrying in ${delay} ms`,
        );
      } finally {
        session.connected = false;
      }
      if (drained) continue; // a rebalance: reconnect at once with the new share
      await sleep(delay, signal);
      delay = Math.min(delay * 2, this.opts.reconnectMaxMs);
    }
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
