/**
 * The poseidon-chain task kind end to end: jobs of that kind with `proof: 'poseidon_chain'`
 * complete with proofs that attest the computation (the circuit recomputes the chain from the task
 * id and seed); a worker that sends a wrong chain result with a real proof of the right one is
 * refused with PROOF_MISMATCH (field resultDigest), and a job pairing that proof with another kind
 * is refused at submission. Real proofs: ~4 here, ~20-30 s on this machine.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Libp2p } from '@libp2p/interface';
import { fieldToBytes32 } from '../../circuits/lib/field.ts';
import { computePoseidonChain, encodePoseidonChainOutput } from '../../circuits/lib/poseidon-chain.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import type { TaskHeader } from '../../protocol/messages.ts';
import { HeadlessWorker } from '../../worker/headless/headless-worker.ts';
import { createProver } from '../../worker/prover/index.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';
import { openRawSession } from '../helpers/raw-session.ts';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh({ workers: 0 });
});
afterAll(async () => {
  await mesh.stop();
});

const chainJob = (tasks: number, redundancy: number) => ({
  kind: 'poseidon-chain',
  redundancy,
  quorum: redundancy,
  proof: 'poseidon_chain' as const,
  tasks: Array.from({ length: tasks }, (_, i) => ({ seed: 1000 + i, payload: '' })),
});

describe('poseidon-chain jobs', () => {
  test('a poseidon_chain proof is refused for any other kind', async () => {
    const bad = { ...chainJob(1, 1), kind: 'matmul-f32' };
    expect(await mesh.api.submit(bad).catch((e: { code: string }) => e.code)).toBe(ErrorCode.BadRequest);
  });

  test('a wrong chain result is refused even with a real proof of the right one', async () => {
    const rogue: Libp2p = await createNode();
    const { stream, channel, next } = await openRawSession(rogue, mesh.orchestrator.multiaddrs[0]!, {
      kinds: ['poseidon-chain'],
      timeoutMs: 60_000,
    });
    const rogueId = rogue.peerId.toString();
    const { jobId } = await mesh.api.submit(chainJob(1, 1));
    await channel.send({ type: 'pull', max: 1 });
    const task = (await next('task')) as TaskHeader;
    expect(task.proof).toMatchObject({ circuit: 'poseidon_chain' });

    const prover = await createProver({ circuits: ['poseidon_chain'] });
    try {
      const bundle = await prover.provePoseidonChain({
        taskId: task.taskId,
        seed: task.seed,
        workerId: rogueId,
        nonce: task.proof?.nonce as string,
      });
      expect(bundle.result).toBe(await computePoseidonChain(task.taskId, task.seed));
      const wrong = fieldToBytes32(bundle.result + 1n);
      await channel.send(
        {
          type: 'result',
          jobId,
          taskId: task.taskId,
          replicaId: task.replicaId,
          kind: task.kind,
          seed: task.seed,
          resultDigest: await sha256Hex(wrong),
          outputLength: wrong.length,
          elapsedMs: 1,
          proof: {
            circuit: bundle.circuit,
            version: bundle.version,
            proof: JSON.parse(JSON.stringify(bundle.proof)),
            publicSignals: bundle.publicSignals,
          },
        },
        wrong,
      );
      const refusal = await next('refusal');
      expect(refusal).toMatchObject({ code: ErrorCode.ProofMismatch, replicaId: task.replicaId });
    } finally {
      await prover.close();
      stream.abort(new Error('rogue leaves'));
      await rogue.stop();
    }
    // The replica was failed and is reissued: an honest worker completes the job.
    const honest = new HeadlessWorker({ orchestrator: mesh.orchestrator.multiaddrs[0], gpu: 'off' });
    await honest.start();
    try {
      const done = await mesh.api.waitForJob(jobId, { signal: AbortSignal.timeout(60_000) });
      expect(done).toMatchObject({ counts: { done: 1 }, replicas: { failed: 1, accepted: 1 } });
    } finally {
      await honest.stop();
    }
  }, 120_000);

  test('two workers compute and prove every replica; the accepted digest is the chain result', async () => {
    const workers = [0, 1].map(
      () => new HeadlessWorker({ orchestrator: mesh.orchestrator.multiaddrs[0], gpu: 'off' }),
    );
    for (const w of workers) await w.start();
    try {
      const { jobId } = await mesh.api.submit(chainJob(1, 2));
      const done = await mesh.api.waitForJob(jobId, { signal: AbortSignal.timeout(90_000) });
      expect(done).toMatchObject({
        proof: 'poseidon_chain',
        counts: { total: 1, done: 1 },
        replicas: { accepted: 2 },
      });
      const [line] = await mesh.api.results(jobId, { inline: true });
      const seed = 1000; // chainJob's first task
      const expected = encodePoseidonChainOutput(await computePoseidonChain(line!.taskId, seed));
      expect(line?.digest).toBe(await sha256Hex(expected));
      expect(Buffer.from(line!.output as string, 'base64')).toEqual(Buffer.from(expected));
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  }, 120_000);
});
