/**
 * Hostile or broken peers on the task protocol: each bad frame gets a typed refusal, none crashes
 * the orchestrator, and a well-behaved worker is served normally afterwards.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Libp2p, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { TASK_PROTOCOL } from '../../orchestrator/config.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { encodeFrame } from '../../protocol/frame.ts';
import { FrameChannel } from '../../protocol/frame-channel.ts';
import type { FrameHeader } from '../../protocol/messages.ts';
import { HeadlessWorker } from '../../worker/headless/headless-worker.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';

let mesh: TestMesh;
let rogue: Libp2p;
beforeAll(async () => {
  mesh = await startMesh({ workers: 0 });
  rogue = await createNode();
});
afterAll(async () => {
  await rogue.stop();
  await mesh.stop();
});

const hello = (workerId: string) => ({
  type: 'hello' as const,
  workerId,
  userAgent: 'rogue',
  capabilities: { kinds: ['matmul-f32'], cores: 1, maxConcurrent: 1, adapter: null },
});

async function open(): Promise<{
  stream: Stream;
  channel: FrameChannel;
  next: () => Promise<FrameHeader | undefined>;
}> {
  const stream = await rogue.dialProtocol(multiaddr(mesh.orchestrator.multiaddrs[0]!), TASK_PROTOCOL);
  const channel = new FrameChannel(stream);
  const iterator = channel.incoming({ signal: AbortSignal.timeout(10_000) });
  const next = async () => {
    const { value, done } = await iterator.next();
    return done ? undefined : value.frame?.header;
  };
  return { stream, channel, next };
}

/** A frame whose envelope is fine but whose header is not JSON. */
function frameWithHeader(headerText: string): Uint8Array {
  const header = new TextEncoder().encode(headerText);
  const bytes = new Uint8Array(14 + header.length);
  bytes.set([0x53, 0x48, 0x4d, 0x46, 1, 0]);
  new DataView(bytes.buffer).setUint32(6, header.length);
  bytes.set(header, 14);
  return bytes;
}

describe('bad frames on the task protocol', () => {
  test('an invalid header is refused with FRAME_HEADER_INVALID and the session goes on', async () => {
    const { stream, channel, next } = await open();
    stream.send(frameWithHeader('{not json'));
    expect(await next()).toMatchObject({ type: 'refusal', code: 'FRAME_HEADER_INVALID' });
    await channel.send(hello(rogue.peerId.toString()));
    expect(await next()).toMatchObject({ type: 'welcome' });
    await channel.send({
      type: 'result',
      jobId: 'job_x',
      taskId: 'task_x',
      replicaId: 'rep_forged',
      kind: 'matmul-f32',
      seed: 1,
      resultDigest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      outputLength: 0,
      elapsedMs: 1,
    });
    expect(await next()).toMatchObject({ type: 'refusal', code: 'UNKNOWN_REPLICA', replicaId: 'rep_forged' });
    await stream.close();
  });

  test('a hello claiming another identity is refused and the stream closed', async () => {
    const { stream, channel, next } = await open();
    await channel.send(hello('12D3KooWImpersonatedPeer'));
    expect(await next()).toMatchObject({ type: 'refusal', code: 'UNAUTHORIZED' });
    expect(await next()).toBeUndefined();
    stream.abort(new Error('done'));
  });

  test('bad magic and oversized frames lose framing: refused, then closed', async () => {
    for (const bytes of [
      new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'),
      (() => {
        const b = frameWithHeader('{}');
        new DataView(b.buffer).setUint32(10, 0xffffffff); // claims a 4 GiB payload
        return b;
      })(),
    ]) {
      const { stream, next } = await open();
      stream.send(bytes);
      const refusal = await next();
      expect(refusal?.type).toBe('refusal');
      expect(['FRAME_BAD_MAGIC', 'FRAME_PAYLOAD_TOO_LARGE']).toContain((refusal as { code: string }).code);
      expect(await next()).toBeUndefined();
      stream.abort(new Error('done'));
    }
  });

  test('a frame whose payload does not match its digest is refused', async () => {
    const { stream, next } = await open();
    const bytes = await encodeFrame(hello(rogue.peerId.toString()), new Uint8Array([1, 2, 3]));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    stream.send(bytes);
    expect(await next()).toMatchObject({ type: 'refusal', code: 'FRAME_DIGEST_MISMATCH' });
    stream.abort(new Error('done'));
  });

  test('after all that, an honest worker is served normally', async () => {
    const worker = new HeadlessWorker({ orchestrator: mesh.orchestrator.multiaddrs[0] });
    await worker.start();
    try {
      const { api } = mesh;
      const { jobId } = await api.submit(
        buildDemoJob({ tasks: 4, size: 4, redundancy: 1, quorum: 1, smoothAlpha: 0 }),
      );
      const job = await api.waitForJob(jobId, { signal: AbortSignal.timeout(30_000) });
      expect(job.counts).toMatchObject({ total: 4, done: 4 });
    } finally {
      await worker.stop();
    }
  }, 40_000);
});
