/**
 * FrameChannel's send side over a real libp2p stream (TCP, Noise, Yamux on loopback): frames sent
 * in one turn leave as one write, in call order; a bad frame fails alone; large frames are not
 * copied into a batch; close() lets queued frames out first.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import type { Libp2p, Stream } from '@libp2p/interface';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { type ByteStream, FrameChannel, type Incoming } from '../../protocol/frame-channel.ts';
import type { FrameHeaderInput } from '../../protocol/messages.ts';

const PROTOCOL = '/shardmesh/test/frame-channel/1.0.0';
const server: Libp2p = await createNode({ listen: ['/ip4/127.0.0.1/tcp/0'] });
const client: Libp2p = await createNode();
const accepted: ((stream: Stream) => void)[] = [];
await server.handle(PROTOCOL, (stream) => accepted.shift()?.(stream), { maxInboundStreams: 64 });
afterAll(async () => {
  await client.stop();
  await server.stop();
});

/** A sending channel whose stream writes are counted, and the channel reading the other end. */
async function open() {
  const inbound = new Promise<Stream>((resolve) => accepted.push(resolve));
  const outbound = await client.dialProtocol(server.getMultiaddrs()[0]!, PROTOCOL);
  const writes: number[] = [];
  const counted = new Proxy(outbound, {
    get(target, prop) {
      if (prop === 'send') {
        return (data: Uint8Array) => {
          writes.push(data.byteLength);
          return target.send(data);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as ByteStream;
  const reader = new FrameChannel(await inbound).incoming()[Symbol.asyncIterator]();
  const read = async (n: number): Promise<Incoming[]> => {
    const out: Incoming[] = [];
    while (out.length < n) {
      const next = await reader.next();
      if (next.done) throw new Error(`stream ended after ${out.length} frames`);
      out.push(next.value);
    }
    return out;
  };
  return { sender: new FrameChannel(counted), writes, read, reader };
}

const ack = (i: number): FrameHeaderInput => ({ type: 'ack', replicaId: `rep-${i}` });
const replicaIds = (frames: Incoming[]) =>
  frames.map((f) => (f.frame?.header.type === 'ack' ? f.frame.header.replicaId : f.frame?.header.type));

describe('coalescing sends', () => {
  test('frames sent in one turn leave in one write, in call order, and every send resolves', async () => {
    const { sender, writes, read } = await open();
    const sends = Array.from({ length: 10 }, (_, i) => sender.send(ack(i)));
    await Promise.all(sends);
    expect(writes).toHaveLength(1);
    expect(replicaIds(await read(10))).toEqual(Array.from({ length: 10 }, (_, i) => `rep-${i}`));
  });

  test('sends in later turns are not held back: one write per turn', async () => {
    const { sender, writes, read } = await open();
    await sender.send(ack(0));
    await sender.send(ack(1));
    expect(writes).toHaveLength(2);
    expect(replicaIds(await read(2))).toEqual(['rep-0', 'rep-1']);
  });

  test('an invalid header fails alone with its code; its neighbours go out in order', async () => {
    const { sender, read } = await open();
    const results = await Promise.allSettled([
      sender.send(ack(0)),
      sender.send({ type: 'ack', replicaId: 'not an id!' }),
      sender.send(ack(2)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      code: ErrorCode.FrameHeaderInvalid,
    });
    expect(replicaIds(await read(2))).toEqual(['rep-0', 'rep-2']);
  });

  test('a large frame is written on its own, between the small ones around it', async () => {
    const { sender, writes, read } = await open();
    const big = new Uint8Array(300 * 1024).fill(7);
    const task: FrameHeaderInput = {
      type: 'task',
      jobId: 'job-1',
      taskId: 'task-1',
      replicaId: 'rep-big',
      kind: 'matmul-f32',
      seed: 1,
      attempt: 1,
      leaseExpiresAt: 0,
      params: {},
    };
    await Promise.all([
      sender.send(ack(0)),
      sender.send(ack(1)),
      sender.send(task, big),
      sender.send(ack(3)),
    ]);
    expect(writes).toHaveLength(3);
    expect(writes[1]).toBeGreaterThan(big.byteLength);
    const frames = await read(4);
    expect(frames.map((f) => f.frame?.header.type)).toEqual(['ack', 'ack', 'task', 'ack']);
    expect(frames[2]?.frame?.payload.byteLength).toBe(big.byteLength);
  });

  test('close() lets the frames queued before it out first', async () => {
    const { sender, read, reader } = await open();
    void sender.send(ack(0));
    void sender.send(ack(1));
    await sender.close();
    expect(replicaIds(await read(2))).toEqual(['rep-0', 'rep-1']);
    expect((await reader.next()).done).toBe(true);
  });
});

describe('reading', () => {
  test('incoming() stops with AbortError when its signal fires while the peer sends nothing', async () => {
    const inbound = new Promise<Stream>((resolve) => accepted.push(resolve));
    const outbound = await client.dialProtocol(server.getMultiaddrs()[0]!, PROTOCOL);
    const controller = new AbortController();
    const reader = new FrameChannel(await inbound).incoming({ signal: controller.signal });
    const first = reader.next();
    void new FrameChannel(outbound).send(ack(0));
    expect((await first).value?.frame?.header.type).toBe('ack');
    // The peer is idle now (connected, silent): only the signal can end the read.
    const pending = reader.next();
    setTimeout(() => controller.abort(), 50);
    const error = await pending.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toMatchObject({ code: ErrorCode.Aborted });
    await outbound.close();
  });
});
