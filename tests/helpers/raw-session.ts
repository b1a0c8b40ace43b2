/**
 * A hand-driven worker session: a libp2p stream to an orchestrator's task protocol, greeted with a
 * hello, so a test can send exactly the frames it wants (rogue proofs, batches, late results) and
 * wait for the orchestrator's answers by type.
 */
import type { Libp2p, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { TASK_PROTOCOL } from '../../orchestrator/config.ts';
import { FrameChannel } from '../../protocol/frame-channel.ts';
import type { FrameHeader, WelcomeHeader } from '../../protocol/messages.ts';

export interface RawSession {
  stream: Stream;
  channel: FrameChannel;
  welcome: WelcomeHeader;
  /** The next incoming frame of `type` (others are skipped): its header, plus its payload. */
  next(type: FrameHeader['type']): Promise<FrameHeader & { payload: Uint8Array }>;
}

export interface RawSessionOptions {
  kinds?: string[];
  maxConcurrent?: number;
  /** How long the session reads frames before giving up. Default 30 s. */
  timeoutMs?: number;
}

export async function openRawSession(
  node: Libp2p,
  orchestrator: string,
  opts: RawSessionOptions = {},
): Promise<RawSession> {
  const stream = await node.dialProtocol(multiaddr(orchestrator), TASK_PROTOCOL);
  const channel = new FrameChannel(stream);
  const frames = channel.incoming({ signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
  const next = async (type: FrameHeader['type']) => {
    for (;;) {
      const { value, done } = await frames.next();
      if (done === true) throw new Error(`stream ended before a ${type} frame`);
      if (value?.frame?.header.type === type) return { ...value.frame.header, payload: value.frame.payload };
    }
  };
  await channel.send({
    type: 'hello',
    workerId: node.peerId.toString(),
    userAgent: 'test',
    capabilities: {
      kinds: opts.kinds ?? ['matmul-f32'],
      cores: 1,
      maxConcurrent: opts.maxConcurrent ?? 1,
      adapter: null,
    },
  });
  const welcome = (await next('welcome')) as unknown as WelcomeHeader;
  return { stream, channel, welcome, next };
}
