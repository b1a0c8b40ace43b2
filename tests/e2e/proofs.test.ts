/**
 * Jobs that require proofs, end to end: workers prove each result with a real Groth16 proof
 * bound to (task, seed, output, worker, nonce); the orchestrator verifies before a result counts.
 * A worker that sends no proof or a forged one is refused with a proof code, counted, and the
 * replica is reissued. (Real proofs take ~1-3 s each here, so the jobs are tiny.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Libp2p } from '@libp2p/interface';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import type { TaskHeader } from '../../protocol/messages.ts';
import { HeadlessWorker } from '../../worker/headless/headless-worker.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';
import { openRawSession } from '../helpers/raw-session.ts';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh({ workers: 0 });
});
afterAll(async () => {
  await mesh.stop();
});

const engine = () => mesh.orchestrator.engine!;
const job = (tasks: number, redundancy: number) => ({
  ...buildDemoJob({ tasks, size: 4, redundancy, quorum: redundancy, smoothAlpha: 0.5 }),
  proof: 'result_binding' as const,
});

describe('proof-requiring jobs', () => {
  test('a forged or missing proof is refused, counted, and the replica reissued to an honest prover', async () => {
    const rogue: Libp2p = await createNode();
    const { stream, channel, next } = await openRawSession(rogue, mesh.orchestrator.multiaddrs[0]!, {
      kinds: ['matmul-f32'],
      timeoutMs: 30_000,
    });
    const rogueId = rogue.peerId.toString();
    const { jobId } = await mesh.api.submit(job(1, 1));
    await channel.send({ type: 'pull', max: 1 });
    const task = (await next('task')) as TaskHeader & { payload: Uint8Array };
    expect(task.proof).toEqual({ circuit: 'result_binding', nonce: expect.stringMatching(/^[0-9a-f]{32}$/) });

    const output = new Uint8Array(64);
    const result = {
      type: 'result' as const,
      jobId,
      taskId: task.taskId,
      replicaId: task.replicaId,
      kind: task.kind,
      seed: task.seed,
      resultDigest: await sha256Hex(output),
      outputLength: 64,
      elapsedMs: 1,
    };
    await channel.send(result, output); // no proof at all
    expect(await next('refusal')).toMatchObject({ code: 'PROOF_INVALID', replicaId: task.replicaId });

    await channel.send({ type: 'pull', max: 1 });
    const again = (await next('task')) as TaskHeader; // failed replicas may be retaken after backoff
    const forged = {
      circuit: 'result_binding',
      version: 1,
      proof: {
        pi_a: ['1', '2', '1'],
        pi_b: [
          ['1', '2'],
          ['3', '4'],
          ['1', '0'],
        ],
        pi_c: ['1', '2', '1'],
        protocol: 'groth16',
        curve: 'bn128',
      },
      publicSignals: ['1', '2', '3', '4', '5', '6'],
    };
    await channel.send({ ...result, replicaId: again.replicaId, proof: forged }, output);
    const refusal = (await next('refusal')) as { code: string };
    expect(['PROOF_INVALID', 'PROOF_MISMATCH']).toContain(refusal.code);
    const badProofs = engine()
      .db.query<{ n: number }, [string]>('SELECT bad_proofs AS n FROM workers WHERE id = ?')
      .get(rogueId);
    expect(badProofs?.n).toBe(2);
    stream.abort(new Error('rogue leaves'));
    await rogue.stop();

    const honest = new HeadlessWorker({ orchestrator: mesh.orchestrator.multiaddrs[0], gpu: 'off' });
    await honest.start();
    try {
      const done = await mesh.api.waitForJob(jobId, { signal: AbortSignal.timeout(60_000) });
      expect(done.counts).toMatchObject({ total: 1, done: 1 });
      expect(done.replicas).toMatchObject({ failed: 2, accepted: 1 });
    } finally {
      await honest.stop();
    }
  }, 90_000);

  test('two honest workers prove every replica; each nonce is consumed exactly once', async () => {
    const workers = [0, 1].map(
      () => new HeadlessWorker({ orchestrator: mesh.orchestrator.multiaddrs[0], gpu: 'off' }),
    );
    for (const w of workers) await w.start();
    try {
      const { jobId } = await mesh.api.submit(job(2, 2));
      const done = await mesh.api.waitForJob(jobId, { signal: AbortSignal.timeout(90_000) });
      expect(done).toMatchObject({
        proof: 'result_binding',
        counts: { total: 2, done: 2 },
        replicas: { accepted: 4 },
      });
      const used = engine()
        .db.query<{ n: number }, []>("SELECT count(*) AS n FROM proof_replay_guard WHERE kind = 'nonce'")
        .get();
      expect(used?.n).toBe(5); // 4 here + the honest proof of the first test
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  }, 120_000);
});
