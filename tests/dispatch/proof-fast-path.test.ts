/**
 * The worker session skips the proof lookup only for replicas it sent itself without a proof
 * request. A replica leased in an earlier session of the same worker (the lease outlives the
 * connection) must still be checked: a result without its proof is refused, not accepted.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Libp2p } from '@libp2p/interface';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import type { TaskHeader } from '../../protocol/messages.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';
import { openRawSession } from '../helpers/raw-session.ts';

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

/** One session: a stream to the orchestrator, greeted. */
const openSession = () => openRawSession(worker, mesh.orchestrator.multiaddrs[0]!, { timeoutMs: 20_000 });

test('a result for a proof-owed replica leased in an earlier session is still proof-checked', async () => {
  const first = await openSession();
  const { jobId } = await mesh.api.submit({
    ...buildDemoJob({ tasks: 1, size: 4, redundancy: 1, quorum: 1, smoothAlpha: 0.5 }),
    proof: 'result_binding' as const,
  });
  await first.channel.send({ type: 'pull', max: 1 });
  const task = (await first.next('task')) as TaskHeader;
  expect(task.proof).toBeDefined();
  await first.stream.close();

  const second = await openSession();
  const output = new Uint8Array(64);
  await second.channel.send(
    {
      type: 'result',
      jobId,
      taskId: task.taskId,
      replicaId: task.replicaId,
      kind: task.kind,
      seed: task.seed,
      resultDigest: await sha256Hex(output),
      outputLength: output.length,
      elapsedMs: 1,
    },
    output,
  );
  expect(await second.next('refusal')).toMatchObject({ code: 'PROOF_INVALID', replicaId: task.replicaId });
  const replica = mesh.orchestrator
    .engine!.db.query<{ state: string }, [string]>('SELECT state FROM replicas WHERE id = ?1')
    .get(task.replicaId);
  expect(replica?.state).toBe('failed'); // refused and reissued, never accepted
  await second.stream.close();
}, 30_000);
