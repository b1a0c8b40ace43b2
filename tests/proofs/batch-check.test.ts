/**
 * Batched proofs against the real engine database: one real result_batch proof over three leased
 * replicas (made by the worker's ResultBatcher with the real prover, ~4-6 s here), then every
 * refusal of orchestrator/dispatch/batch-check.ts with its own code, then the happy path (one
 * verification for three results) and replays.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { BATCH_SIZE } from '../../circuits/lib/params.ts';
import { createProofCheck, verifierFor } from '../../orchestrator/dispatch/proof-check.ts';
import type { Lease } from '../../orchestrator/engine/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { JsonObject, ResultHeader, TaskHeader } from '../../protocol/messages.ts';
import { createProver, type Prover } from '../../worker/prover/index.ts';
import { ResultBatcher } from '../../worker/runtime/prove-batch.ts';
import { harness } from '../engine/helpers.ts';
import { refusal } from './helpers.ts';

const W = 'worker-w';
const h = harness({ redundancy: 1, quorum: 1 });
const job = (n: number, tag: string) =>
  h.engine.createJob({
    kind: 'batch-test',
    proof: 'result_batch',
    redundancy: 1,
    quorum: 1,
    tasks: Array.from({ length: n }, (_, i) => ({
      payload: new TextEncoder().encode(`${tag}-${i}`),
      seed: i,
    })),
  });
const jobA = job(3, 'a');
const leasesA = h.engine.lease(W, 3);
job(1, 'b');
const [leaseB] = h.engine.lease(W, 1) as [Lease];
job(1, 'c');
const [leaseOther] = h.engine.lease('worker-other', 1) as [Lease];
const outputs = leasesA.map((l) => new TextEncoder().encode(`output of ${l.taskId}`));

/** Frame fields the codec fills in; these headers never go through it. */
const base = { v: 1, payloadLength: 0, payloadSha256: '0'.repeat(64) } as const;

const taskHeader = (l: Lease): TaskHeader => ({
  ...base,
  type: 'task',
  jobId: l.jobId,
  taskId: l.taskId,
  replicaId: l.replicaId,
  kind: l.kind,
  seed: l.seed,
  attempt: l.attempt,
  leaseExpiresAt: Date.now() + 60_000,
  params: {},
  ...(l.proof === undefined ? {} : { proof: l.proof }),
});

const resultHeader = (l: Lease, proof: JsonObject, output: Uint8Array): ResultHeader => ({
  ...base,
  type: 'result',
  jobId: l.jobId,
  taskId: l.taskId,
  replicaId: l.replicaId,
  kind: l.kind,
  seed: l.seed,
  resultDigest: '0'.repeat(64),
  outputLength: output.length,
  elapsedMs: 1,
  proof,
});

let prover: Prover;
let proof: JsonObject;
let proveCalls = 0;
const check = createProofCheck(h.db);
const run = (l: Lease, p: JsonObject, output: Uint8Array, workerId = W) =>
  check({
    header: resultHeader(l, p, output),
    output,
    workerId,
    request: {
      ...(h.engine.proofRequest(l.replicaId) as NonNullable<ReturnType<typeof h.engine.proofRequest>>),
    },
  });
const withListing = (replicas: string[]): JsonObject => ({ ...proof, batch: { replicas } });
const listing = () => proof.batch as { replicas: string[] };

beforeAll(async () => {
  prover = await createProver({ circuits: ['result_batch'] });
  const counting: Prover = {
    ...prover,
    proveBatch: (req, o) => {
      proveCalls++;
      return prover.proveBatch(req, o);
    },
  };
  const batcher = new ResultBatcher(W, async () => counting, { quietMs: 20 });
  const signal = new AbortController().signal;
  const proofs = await Promise.all(leasesA.map((l, i) => batcher.add(taskHeader(l), outputs[i]!, signal)));
  expect(new Set(proofs).size).toBe(1); // one proof object shared by the three results
  proof = proofs[0] as JsonObject;
}, 60_000);

afterAll(async () => {
  await prover.close();
});

describe('batch proofs in the job flow', () => {
  test('the worker proved once over its three replicas, listing them in leaf order', () => {
    expect(proveCalls).toBe(1);
    expect(proof.circuit).toBe('result_batch');
    expect(listing()).toEqual({ replicas: leasesA.map((l) => l.replicaId) });
  });

  test('a missing or ill-formed listing is PROOF_BATCH_MALFORMED', async () => {
    const { batch: _, ...bare } = proof;
    const [r0] = listing().replicas as [string];
    const tooMany = Array.from({ length: BATCH_SIZE + 1 }, (_, i) => (i === 0 ? r0 : `rep-${i}`));
    for (const sent of [
      bare,
      withListing([r0, r0]),
      { ...proof, batch: { replicas: r0 } },
      withListing(tooMany),
    ]) {
      expect(await refusal(run(leasesA[0]!, sent, outputs[0]!))).toMatchObject({
        code: ErrorCode.ProofBatchMalformed,
      });
    }
  });

  test('a result whose replica is not listed is PROOF_BATCH_NOT_MEMBER', async () => {
    const two = withListing(listing().replicas.slice(0, 2));
    expect(await refusal(run(leasesA[2]!, two, outputs[2]!))).toMatchObject({
      code: ErrorCode.ProofBatchNotMember,
    });
  });

  test("another worker's replica, or an unknown one, is PROOF_BATCH_FOREIGN_LEAF at the first result", async () => {
    const foreign = withListing([...listing().replicas, leaseOther.replicaId]);
    expect(await refusal(run(leasesA[0]!, foreign, outputs[0]!))).toEqual({
      code: ErrorCode.ProofBatchForeignLeaf,
      field: 'workerId',
    });
    const unknown = withListing([...listing().replicas, 'rep-nope']);
    expect(await refusal(run(leasesA[0]!, unknown, outputs[0]!))).toEqual({
      code: ErrorCode.ProofBatchForeignLeaf,
      field: 'replicaId',
    });
    // The same listing sent by a worker that holds none of it.
    expect(await refusal(run(leasesA[0]!, proof, outputs[0]!, 'worker-thief'))).toMatchObject({
      code: ErrorCode.ProofBatchForeignLeaf,
    });
  });

  test('a batch mixing jobs is PROOF_BATCH_MIXED_JOBS', async () => {
    const mixed = withListing([...listing().replicas, leaseB.replicaId]);
    expect(await refusal(run(leasesA[0]!, mixed, outputs[0]!))).toMatchObject({
      code: ErrorCode.ProofBatchMixedJobs,
    });
  });

  test('a batch whose other results never arrive is PROOF_BATCH_INCOMPLETE', async () => {
    const impatient = createProofCheck(h.db, { batch: { waitMs: 50 } });
    const l = leasesA[0]!;
    const request = h.engine.proofRequest(l.replicaId);
    if (request === undefined) throw new Error('no proof request');
    const alone = impatient({
      header: resultHeader(l, proof, outputs[0]!),
      output: outputs[0]!,
      workerId: W,
      request,
    });
    expect(await refusal(alone)).toMatchObject({ code: ErrorCode.ProofBatchIncomplete });
  });

  test('outputs or leaves the proof was not made for are PROOF_BATCH_ROOT_MISMATCH, for every member', async () => {
    const all = (sent: JsonObject, outs: readonly Uint8Array[], order = leasesA) =>
      Promise.all(order.map((l, i) => refusal(run(l, sent, outs[i]!))));
    // One output changed: every member of the batch is refused, the proof does not say which.
    const changed = [outputs[0]!, outputs[1]!, new TextEncoder().encode('another output')];
    for (const r of await all(proof, changed)) {
      expect(r).toEqual({ code: ErrorCode.ProofBatchRootMismatch, field: 'root' });
    }
    // The same leaves listed in another order.
    const [r0, r1, r2] = listing().replicas as [string, string, string];
    const [l0, l1, l2] = leasesA as [Lease, Lease, Lease];
    const reordered = await all(
      withListing([r1, r0, r2]),
      [outputs[1]!, outputs[0]!, outputs[2]!],
      [l1, l0, l2],
    );
    for (const r of reordered) expect(r).toMatchObject({ code: ErrorCode.ProofBatchRootMismatch });
    // A leaf dropped.
    const dropped = await all(withListing([r0, r1]), outputs, [l0, l1]);
    for (const r of dropped) expect(r).toMatchObject({ code: ErrorCode.ProofBatchRootMismatch });
  });

  test('the batch verifies once, then each of its results passes once; replays are refused', async () => {
    const verifier = await verifierFor(h.db);
    const verify = verifier.verify;
    let verifies = 0;
    verifier.verify = (req, o) => {
      verifies++;
      return verify(req, o);
    };
    try {
      await Promise.all(leasesA.map((l, i) => run(l, proof, outputs[i]!)));
      expect(verifies).toBe(1);
      const refs = h.db
        .query<{ n: number }, [string]>(
          `SELECT count(*) AS n FROM proof_refs p JOIN replicas r ON r.id = p.replica_id
           JOIN tasks t ON t.id = r.task_id WHERE t.job_id = ?1 AND p.circuit = 'result_batch'`,
        )
        .get(jobA.jobId);
      expect(refs?.n).toBe(3);
      // The whole batch again, a member alone, and a sub-batch: every leaf nonce is spent.
      expect(await refusal(run(leasesA[0]!, proof, outputs[0]!))).toMatchObject({
        code: ErrorCode.ProofReplayed,
      });
      const sub = withListing(listing().replicas.slice(0, 1));
      expect(await refusal(run(leasesA[0]!, sub, outputs[0]!))).toMatchObject({
        code: ErrorCode.ProofReplayed,
      });
    } finally {
      verifier.verify = verify;
    }
  });
});
