/**
 * A worker session over real libp2p: it offers a worker only the task kinds its hello lists, and
 * when a task's ack arrives in the same write as its result the ack's statement is skipped (the
 * replica goes leased -> submitted directly); an ack that arrives on its own is still recorded.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Libp2p } from '@libp2p/interface';
import type { TaskEngine } from '../../orchestrator/engine/index.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import type { TaskHeader } from '../../protocol/messages.ts';
import { TaskKind } from '../../protocol/task-kinds.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';
import { openRawSession } from '../helpers/raw-session.ts';

let mesh: TestMesh;
let worker: Libp2p;
let engine: TaskEngine;
beforeAll(async () => {
  mesh = await startMesh({ workers: 0 });
  worker = await createNode();
  if (mesh.orchestrator.engine === undefined) throw new Error('orchestrator has no engine');
  engine = mesh.orchestrator.engine;
});
afterAll(async () => {
  await worker.stop();
  await mesh.stop();
});

const openSession = (kinds: string[]) =>
  openRawSession(worker, mesh.orchestrator.multiaddrs[0]!, { kinds, maxConcurrent: 4, timeoutMs: 20_000 });

const replica = (id: string) =>
  engine.db
    .query<{ state: string; acked_at: number | null }, [string]>(
      'SELECT state, acked_at FROM replicas WHERE id = ?1',
    )
    .get(id);

function resultFor(task: TaskHeader, output: Uint8Array, digest: string) {
  const { jobId, taskId, replicaId, kind, seed } = task;
  return {
    type: 'result' as const,
    ...{ jobId, taskId, replicaId, kind, seed },
    resultDigest: digest,
    outputLength: output.length,
    elapsedMs: 1,
  };
}

test('only kinds the hello lists are offered; ack + result in one write skip the ack statement', async () => {
  const payload = () => ({ payload: crypto.getRandomValues(new Uint8Array(16)), seed: 1 });
  const gpuOnly = engine.createJob({
    kind: TaskKind.customWgsl,
    priority: 9,
    redundancy: 1,
    quorum: 1,
    tasks: [payload()],
  });
  const cpu = engine.createJob({
    kind: TaskKind.hashReduce,
    redundancy: 1,
    quorum: 1,
    tasks: [payload(), payload()],
  });
  const session = await openSession([TaskKind.hashReduce]);
  await session.channel.send({ type: 'pull', max: 4 });
  const first = (await session.next('task')) as TaskHeader;
  const second = (await session.next('task')) as TaskHeader;
  expect([first.kind, second.kind]).toEqual([TaskKind.hashReduce, TaskKind.hashReduce]);
  expect(first.jobId).toBe(cpu.jobId);

  const output = new Uint8Array([1, 2, 3, 4]);
  const digest = await sha256Hex(output);
  // Same turn, so the channel writes them together, as the task loop does.
  const sent = [
    session.channel.send({ type: 'ack', replicaId: first.replicaId }),
    session.channel.send(resultFor(first, output, digest), output),
  ];
  await Promise.all(sent);
  // An ack on its own (the task is still computing) is recorded.
  await session.channel.send({ type: 'ack', replicaId: second.replicaId });
  const deadline = Date.now() + 10_000;
  while (replica(first.replicaId)?.state !== 'accepted' || replica(second.replicaId)?.state !== 'acked') {
    if (Date.now() > deadline) throw new Error('replicas did not reach accepted / acked');
    await Bun.sleep(20);
  }
  expect(replica(first.replicaId)).toEqual({ state: 'accepted', acked_at: null });
  expect(replica(second.replicaId)?.acked_at).toBeNumber();
  // The GPU-only task stayed queued for a worker that can run it.
  expect(engine.getJob(gpuOnly.jobId)?.counts.pending).toBe(1);
  await session.stream.close();
});
