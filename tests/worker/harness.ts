/**
 * A real libp2p link on loopback (TCP, Noise, Yamux) between a worker-side FrameChannel and a
 * scripted orchestrator that the test drives frame by frame: send welcome and tasks, wait for the
 * worker's acks, results, failures, pulls and heartbeats.
 */
import type { Libp2p, Stream } from '@libp2p/interface';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { FrameChannel } from '../../protocol/frame-channel.ts';
import type { FrameHeaderInput, FrameType, HeaderOf, JsonObject } from '../../protocol/messages.ts';

const PROTOCOL = '/shardmesh-test/task/1.0.0';

export interface ReceivedFrame<T extends FrameType = FrameType> {
  header: HeaderOf<T>;
  payload: Uint8Array;
  at: number;
}

export class ScriptedOrchestrator {
  readonly frames: ReceivedFrame[] = [];
  private readonly taken = new Set<ReceivedFrame>();
  private wake: (() => void)[] = [];
  ended = false;

  constructor(readonly channel: FrameChannel) {
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for await (const incoming of this.channel.incoming()) {
        if (incoming.frame !== undefined) {
          this.frames.push({
            header: incoming.frame.header,
            payload: incoming.frame.payload,
            at: performance.now(),
          });
        }
        this.notify();
      }
    } catch {
      // the stream was aborted: same as ended for the test
    }
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    for (const wake of this.wake.splice(0)) wake();
  }

  send(header: FrameHeaderInput, payload?: Uint8Array): Promise<void> {
    return this.channel.send(header, payload);
  }

  welcome(heartbeatMs = 1_000): Promise<void> {
    return this.send({
      type: 'welcome',
      orchestratorId: 'orch-test',
      leaseMs: heartbeatMs * 4,
      heartbeatMs,
      maxPayloadBytes: 32 * 1024 * 1024,
    });
  }

  /** Sends one task frame; returns its replica id. */
  async task(kind: string, payload: Uint8Array, params: JsonObject = {}, seed = 1): Promise<string> {
    const replicaId = `rep-${crypto.randomUUID()}`;
    await this.send(
      {
        type: 'task',
        jobId: 'job-1',
        taskId: `task-${replicaId}`,
        replicaId,
        kind,
        seed,
        attempt: 1,
        leaseExpiresAt: Date.now() + 60_000,
        params,
      },
      payload,
    );
    return replicaId;
  }

  /** The next not yet taken frame of `type` matching `match`, waiting up to `timeoutMs`. */
  async next<T extends FrameType>(
    type: T,
    match: (header: HeaderOf<T>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<ReceivedFrame<T>> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(
        (f) => !this.taken.has(f) && f.header.type === type && match(f.header as HeaderOf<T>),
      );
      if (found !== undefined) {
        this.taken.add(found);
        return found as unknown as ReceivedFrame<T>;
      }
      const left = deadline - performance.now();
      if (left <= 0 || this.ended)
        throw new Error(`no ${type} frame within ${timeoutMs} ms (ended: ${this.ended})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Result or failure for one replica. */
  outcome(replicaId: string, timeoutMs?: number) {
    return Promise.race([
      this.next('result', (h) => h.replicaId === replicaId, timeoutMs),
      this.next('failure', (h) => h.replicaId === replicaId, timeoutMs),
    ]);
  }

  count(type: FrameType, since = 0): number {
    return this.frames.filter((f) => f.header.type === type && f.at >= since).length;
  }
}

export interface Link {
  open(): Promise<{ worker: FrameChannel; orchestrator: ScriptedOrchestrator }>;
  stop(): Promise<void>;
}

export async function startLink(): Promise<Link> {
  const server: Libp2p = await createNode({ listen: ['/ip4/127.0.0.1/tcp/0'] });
  const client: Libp2p = await createNode();
  const accepted: ((stream: Stream) => void)[] = [];
  await server.handle(PROTOCOL, (stream) => accepted.shift()?.(stream), { maxInboundStreams: 256 });
  const address = server.getMultiaddrs()[0];
  if (address === undefined) throw new Error('server has no address');
  return {
    async open() {
      const inbound = new Promise<Stream>((resolve) => accepted.push(resolve));
      const outbound = await client.dialProtocol(address, PROTOCOL);
      return {
        worker: new FrameChannel(outbound),
        orchestrator: new ScriptedOrchestrator(new FrameChannel(await inbound)),
      };
    },
    async stop() {
      await client.stop();
      await server.stop();
    },
  };
}
