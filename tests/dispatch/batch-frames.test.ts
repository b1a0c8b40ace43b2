/**
 * Batch frames through a real orchestrator (libp2p, group commit, bun:sqlite): agreed in
 * hello/welcome, leases arrive as one `tasks` frame, a `results` frame's acks, results and
 * failures each take effect (and each keeps its own refusal), and a worker that never asks keeps
 * getting single frames and may not send batches.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { TASK_PROTOCOL } from '../../orchestrator/config.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { entryBytes } from '../../protocol/batch.ts';
import { FrameChannel } from '../../protocol/frame-channel.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import type { Frame, FrameHeader, TasksHeader } from '../../protocol/messages.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';

let mesh: TestMesh;
let worker: Libp2p;
beforeAll(async () => {
  mesh = await startMesh({ workers: 0 });
  worker = await createNode();
});
afterAll(async () => {
  await worker.stop();
  await mesh.stop();
});

async function openSession(batchFrames: boolean | undefined) {
  const stream = await worker.dialProtocol(multiaddr(mesh.orchestrator.multiaddrs[0]!), TASK_PROTOCOL);
  const channel = new FrameChannel(stream);
  const frames = channel.incoming({ signal: AbortSignal.timeout(20_000) });
  const next = async (type: FrameHeader['type']): Promise<Frame> => {
    for (;;) {
      const { value, done } = await frames.next();
      if (done === true) throw new Error(`stream ended before a ${type} frame`);
      if (value?.frame?.header.type === type) return value.frame;
    }
  };
  await channel.send({
    type: 'hello',
    workerId: worker.peerId.toString(),
    userAgent: 'test',
    capabilities: { kinds: ['matmul-f32'], cores: 1, maxConcurrent: 4, adapter: null },
    ...(batchFrames === undefined ? {} : { batchFrames }),
  });
  const welcome = (await next('welcome')).header;
  return { stream, channel, next, welcome };
}

const replicaState = (replicaId: string) =>
  mesh.orchestrator
    .engine!.db.query<{ state: string }, [string]>('SELECT state FROM replicas WHERE id = ?1')
    .get(replicaId)?.state;

test('agreed batches: one tasks frame for the leases, one results frame back, each entry applied', async () => {
  const s = await openSession(true);
  expect(s.welcome).toMatchObject({ batchFrames: true });
  const { jobId } = await mesh.api.submit(
    buildDemoJob({ tasks: 4, size: 4, redundancy: 1, quorum: 1, smoothAlpha: 0.5 }),
  );
  await s.channel.send({ type: 'pull', max: 4 });
  const { header, payload } = await s.next('tasks');
  const { tasks } = header as TasksHeader;
  expect(tasks).toHaveLength(4);
  for (const t of tasks) expect(await sha256Hex(entryBytes(payload, t))).toBe(t.sha256);

  // Three results (one for a replica that is not this worker's: refused alone), one failure.
  const outputs = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array([7])];
  const done = tasks.slice(0, 2);
  const failed = tasks[2]!;
  const results = await Promise.all(
    [...done, { ...tasks[3]!, replicaId: 'no-such-replica' }].map(async (t, i) => {
      const output = outputs[i]!;
      const offset = outputs.slice(0, i).reduce((n, o) => n + o.length, 0);
      return {
        jobId,
        taskId: t.taskId,
        replicaId: t.replicaId,
        kind: t.kind,
        seed: t.seed,
        resultDigest: await sha256Hex(output),
        outputLength: output.length,
        elapsedMs: 1,
        offset,
        length: output.length,
      };
    }),
  );
  const all = new Uint8Array([1, 2, 3, 7]);
  await s.channel.send(
    {
      type: 'results',
      acks: tasks.map((t) => t.replicaId),
      results,
      failures: [
        {
          jobId,
          taskId: failed.taskId,
          replicaId: failed.replicaId,
          error: { code: 'KERNEL_FAILED', message: 'x' },
        },
      ],
    },
    all,
  );
  const refusal = (await s.next('refusal')).header;
  expect(refusal).toMatchObject({ replicaId: 'no-such-replica' });
  // The refusal left after its group transaction committed; the other entries were in the same one.
  expect(done.map((t) => replicaState(t.replicaId))).toEqual(['accepted', 'accepted']);
  expect(replicaState(failed.replicaId)).toBe('failed');
  expect(replicaState(tasks[3]!.replicaId)).toBe('acked'); // its ack counted, its result was not its own
  await s.stream.close();
}, 30_000);

test('a worker that does not offer batches gets task frames and may not send results frames', async () => {
  const s = await openSession(undefined);
  expect(s.welcome).not.toHaveProperty('batchFrames');
  await mesh.api.submit(buildDemoJob({ tasks: 2, size: 4, redundancy: 1, quorum: 1, smoothAlpha: 0.5 }));
  await s.channel.send({ type: 'pull', max: 2 });
  const first = (await s.next('task')).header;
  const second = (await s.next('task')).header;
  expect(first.type === 'task' && second.type === 'task').toBe(true);
  await s.channel.send({ type: 'results', acks: ['r'], results: [], failures: [] });
  expect((await s.next('refusal')).header).toMatchObject({ code: 'FRAME_HEADER_INVALID' });
  await s.stream.close();
}, 30_000);
