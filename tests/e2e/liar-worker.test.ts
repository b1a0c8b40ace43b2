/**
 * A worker that returns wrong results, over the real protocol, next to two honest workers: no
 * wrong result is accepted; the tasks it touched get an extra replica and end verified.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { TASK_PROTOCOL } from '../../orchestrator/config.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { FrameChannel } from '../../protocol/frame-channel.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import { matmulCpu } from '../../shaders/matmul/cpu.ts';
import { decodeMatmulPayload, matmulOutputBytes } from '../../shaders/matmul/payload.ts';
import { createJsPreprocessor } from '../../worker/preprocess/index.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';

let mesh: TestMesh;
let liar: Libp2p;
const lies: string[] = [];

/** Speaks the task protocol correctly but answers every task with random bytes. */
async function runLiar(signal: AbortSignal): Promise<void> {
  const stream = await liar.dialProtocol(multiaddr(mesh.orchestrator.multiaddrs[0]!), TASK_PROTOCOL);
  signal.addEventListener('abort', () => stream.abort(new Error('test over')));
  const channel = new FrameChannel(stream);
  await channel.send({
    type: 'hello',
    workerId: liar.peerId.toString(),
    userAgent: 'liar',
    capabilities: { kinds: ['matmul-f32'], cores: 1, maxConcurrent: 8, adapter: null },
  });
  for await (const { frame } of channel.incoming({ signal })) {
    if (frame?.header.type === 'welcome') await channel.send({ type: 'pull', max: 8 });
    if (frame?.header.type !== 'task') continue;
    const { jobId, taskId, replicaId, kind, seed } = frame.header;
    const output = crypto.getRandomValues(new Uint8Array(64));
    const resultDigest = await sha256Hex(output);
    lies.push(resultDigest);
    await channel.send(
      { type: 'result', jobId, taskId, replicaId, kind, seed, resultDigest, outputLength: 64, elapsedMs: 1 },
      output,
    );
    await channel.send({ type: 'pull', max: 1 });
  }
}

beforeAll(async () => {
  mesh = await startMesh({ workers: 0 });
  liar = await createNode();
});
afterAll(async () => {
  await liar.stop();
  await mesh.stop();
});

test('a lying worker never gets a wrong result accepted', async () => {
  const stop = new AbortController();
  // The liar connects first, so it grabs as many tasks as it can before the honest workers join.
  const liarLoop = runLiar(stop.signal).catch(() => {});
  const body = buildDemoJob({ tasks: 12, size: 6, redundancy: 2, quorum: 2, smoothAlpha: 0.5 });
  const { jobId } = await mesh.api.submit(body);
  await Bun.sleep(300);
  const { HeadlessWorker } = await import('../../worker/headless/headless-worker.ts');
  const honest = [
    new HeadlessWorker({ orchestrator: mesh.orchestrator.multiaddrs[0] }),
    new HeadlessWorker({ orchestrator: mesh.orchestrator.multiaddrs[0] }),
  ];
  for (const w of honest) await w.start();
  try {
    const job = await mesh.api.waitForJob(jobId, { signal: AbortSignal.timeout(30_000) });
    expect(job.counts).toMatchObject({ total: 12, done: 12, dead: 0 });
    expect(lies.length).toBeGreaterThan(0);
    expect(job.replicas.rejected).toBe(lies.length); // every lie was outvoted
    for (const r of await mesh.api.results(jobId)) {
      const input = decodeMatmulPayload(new Uint8Array(Buffer.from(body.tasks[r.index]!.payload, 'base64')));
      const a = createJsPreprocessor().ema(input.a, 0.5);
      const expected = matmulOutputBytes(matmulCpu(a, input.b, input.m, input.k, input.n));
      expect(r.digest).toBe(await sha256Hex(expected));
      expect(lies).not.toContain(r.digest);
    }
  } finally {
    stop.abort();
    await Promise.all(honest.map((w) => w.stop()));
    await liarLoop;
  }
}, 60_000);
