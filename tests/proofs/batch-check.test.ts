/**
 * Batched proofs against the real engine database: one real result_batch proof over three leased
 * replicas (made by the worker's ResultBatcher with the real prover, ~4-6 s here), then every
 * refusal of orchestrator/dispatch/batch-check.ts with its own code, then the happy path (one
 * verification for three results) and replays.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { resultDigestOf } from '../../circuits/lib/digest.ts';
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
const withListing = (replicas: string[], digests: string[]): JsonObject => ({
  ...proof,
  batch: { replicas, digests },
});
const listing = () => proof.batch as { replicas: string[]; digests: string[] };

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
  test('the worker proved once over its three replicas, listing them in leaf order', async () => {
    expect(proveCalls).toBe(1);
    expect(proof.circuit).toBe('result_batch');
    expect(listing().replicas).toEqual(leasesA.map((l) => l.replicaId));
    expect(listing().digests).toEqual(
      await Promise.all(outputs.map(async (o) => (await resultDigestOf(o)).toString())),
    );
  });

  test('a missing or ill-formed listing is PROOF_BATCH_MALFORMED', async () => {
    const { batch: _, ...bare } = proof;
    expect(await refusal(run(leasesA[0]!, bare, outputs[0]!))).toMatchObject({
      code: ErrorCode.ProofBatchMalformed,
    });
    const dup = withListing([leasesA[0]!.replicaId, leasesA[0]!.replicaId], [listing().digests[0]!, '1']);
    expect(await refusal(run(leasesA[0]!, dup, outputs[0]!))).toMatchObject({
      code: ErrorCode.ProofBatchMalformed,
    });
    const hex = withListing([leasesA[0]!.replicaId], ['0xff']);
    expect(await refusal(run(leasesA[0]!, hex, outputs[0]!))).toMatchObject({
      code: ErrorCode.ProofBatchMalformed,
    });
  });

  test('a result whose replica is not listed is PROOF_BATCH_NOT_MEMBER', async () => {
    const two = withListing(listing().replicas.slice(0, 2), listing().digests.slice(0, 2));
    expect(await refusal(run(leasesA[2]!, two, outputs[2]!))).toMatchObject({
      code: ErrorCode.ProofBatchNotMember,
    });
  });

  test('an output whose digest is not the listed one is PROOF_BATCH_LEAF_MISMATCH', async () => {
    expect(await refusal(run(leasesA[1]!, proof, outputs[0]!))).toMatchObject({
      code: ErrorCode.ProofBatchLeafMismatch,
    });
  });

  test("another worker's replica, or an unknown one, is PROOF_BATCH_FOREIGN_LEAF", async () => {
    const foreign = withListing(
      [...listing().replicas, leaseOther.replicaId],
      [...listing().digests, listing().digests[0]!],
    );
    expect(await refusal(run(leasesA[0]!, foreign, outputs[0]!))).toEqual({
      code: ErrorCode.ProofBatchForeignLeaf,
      field: 'workerId',
    });
    const unknown = withListing([...listing().replicas, 'rep-nope'], [...listing().digests, '1']);
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
    const mixed = withListing([...listing().replicas, leaseB.replicaId], [...listing().digests, '1']);
    expect(await refusal(run(leasesA[0]!, mixed, outputs[0]!))).toMatchObject({
      code: ErrorCode.ProofBatchMixedJobs,
    });
  });

  test('leaves the proof was not made for are PROOF_BATCH_ROOT_MISMATCH', async () => {
    const [r0, r1, r2] = listing().replicas as [string, string, string];
    const [d0, d1, d2] = listing().digests as [string, string, string];
    // Another digest for a leaf this result does not own.
    const changed = withListing([r0, r1, r2], [d0, d1, (BigInt(d2) + 1n).toString()]);
    expect(await refusal(run(leasesA[0]!, changed, outputs[0]!))).toEqual({
      code: ErrorCode.ProofBatchRootMismatch,
      field: 'root',
    });
    // The same leaves in another order.
    const reordered = withListing([r1, r0, r2], [d1, d0, d2]);
    expect(await refusal(run(leasesA[0]!, reordered, outputs[0]!))).toMatchObject({
      code: ErrorCode.ProofBatchRootMismatch,
    });
    // A leaf dropped.
    const dropped = withListing([r0, r1], [d0, d1]);
    expect(await refusal(run(leasesA[0]!, dropped, outputs[0]!))).toMatchObject({
      code: ErrorCode.ProofBatchRootMismatch,
    });
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
      const sub = withListing(listing().replicas.slice(0, 1), listing().digests.slice(0, 1));
      expect(await refusal(run(leasesA[0]!, sub, outputs[0]!))).toMatchObject({
        code: ErrorCode.ProofReplayed,
      });
    } finally {
      verifier.verify = verify;
    }
  });
});
