/**
 * Batched proofs end to end, over real in-process libp2p: a job with `proof: 'result_batch'` is
 * served to two headless workers that each prove their replicas of it with one real Groth16 batch
 * proof; the orchestrator verifies each batch once and lets every member count toward quorum. A
 * rogue worker that lists another worker's replica in its batch is refused on the wire with
 * PROOF_BATCH_FOREIGN_LEAF and counted. (~2 real proofs, ~15-25 s here.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Libp2p } from '@libp2p/interface';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { ErrorCode } from '../../protocol/errors.ts';
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
  proof: 'result_batch' as const,
});

describe('batched proofs in the job flow', () => {
  test('two workers each prove their replicas once; every member counts toward quorum', async () => {
    const workers = [0, 1].map(
      () =>
        new HeadlessWorker({
          orchestrator: mesh.orchestrator.multiaddrs[0],
          gpu: 'off',
          computeThreads: false,
          concurrency: 8,
        }),
    );
    for (const w of workers) await w.start();
    try {
      const { jobId } = await mesh.api.submit(job(6, 2));
      const done = await mesh.api.waitForJob(jobId, { signal: AbortSignal.timeout(90_000) });
      expect(done).toMatchObject({
        proof: 'result_batch',
        counts: { total: 6, done: 6 },
        replicas: { accepted: 12 },
      });
      const db = engine().db;
      // One batch nonce and one proof fingerprint per proof, plus one nonce per member replica.
      const guard = db
        .query<{ kind: string; n: number }, []>(
          "SELECT kind, count(*) AS n FROM proof_replay_guard WHERE circuit = 'result_batch' GROUP BY kind",
        )
        .all();
      const proofs = guard.find((g) => g.kind === 'proof')?.n ?? 0;
      const nonces = guard.find((g) => g.kind === 'nonce')?.n ?? 0;
      expect(proofs).toBeGreaterThanOrEqual(2); // at least one per worker
      expect(proofs).toBeLessThan(12); // fewer proofs than results: batching happened
      expect(nonces).toBe(12 + proofs);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  }, 120_000);

  test("a batch listing another worker's replica is refused on the wire and counted", async () => {
    const rogues: Libp2p[] = [await createNode(), await createNode()];
    const channels = await Promise.all(
      rogues.map(async (node) => {
        const { channel, next, stream } = await openRawSession(node, mesh.orchestrator.multiaddrs[0]!);
        return { channel, next, stream };
      }),
    );
    const [a, b] = channels as [(typeof channels)[0], (typeof channels)[0]];
    const { jobId } = await mesh.api.submit(job(1, 2));
    await a.channel.send({ type: 'pull', max: 1 });
    await b.channel.send({ type: 'pull', max: 1 });
    const taskA = (await a.next('task')) as TaskHeader;
    const taskB = (await b.next('task')) as TaskHeader;
    expect(taskA.proof).toEqual({ circuit: 'result_batch', nonce: expect.stringMatching(/^[0-9a-f]{32}$/) });

    const output = new Uint8Array(64);
    const { resultDigestOf } = await import('../../circuits/lib/digest.ts');
    const digest = (await resultDigestOf(output)).toString();
    await a.channel.send(
      {
        type: 'result',
        jobId,
        taskId: taskA.taskId,
        replicaId: taskA.replicaId,
        kind: taskA.kind,
        seed: taskA.seed,
        resultDigest: await sha256Hex(output),
        outputLength: 64,
        elapsedMs: 1,
        proof: {
          circuit: 'result_batch',
          version: 1,
          proof: { pi_a: ['1', '2', '1'] },
          publicSignals: ['1', '2', '3'],
          batch: { replicas: [taskA.replicaId, taskB.replicaId], digests: [digest, digest] },
        },
      },
      output,
    );
    expect(await a.next('refusal')).toMatchObject({
      code: ErrorCode.ProofBatchForeignLeaf,
      replicaId: taskA.replicaId,
    });
    const badProofs = engine()
      .db.query<{ n: number }, [string]>('SELECT bad_proofs AS n FROM workers WHERE id = ?')
      .get(rogues[0]!.peerId.toString());
    expect(badProofs?.n).toBe(1);
    for (const c of channels) c.stream.abort(new Error('rogue leaves'));
    await Promise.all(rogues.map((r) => r.stop()));
  }, 60_000);
});
