/**
 * Real Groth16 proofs with the committed development artifacts: one shared prover (its artifacts
 * fetched by hash, as a worker fetches them from its orchestrator), five proofs in all (~1-2 s
 * each on this machine, so this file takes ~15-25 s).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { batchLeafDigest } from '../../circuits/lib/batch.ts';
import { resultDigestOf } from '../../circuits/lib/digest.ts';
import { taskIdToField } from '../../circuits/lib/field.ts';
import { findEntry } from '../../circuits/lib/manifest.ts';
import { computePoseidonChain } from '../../circuits/lib/poseidon-chain.ts';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { createVerifier, ProofReplayGuard, type Verifier } from '../../orchestrator/proofs/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { createProver, type ProofBundle, type Prover } from '../../worker/prover/index.ts';
import { artifactStore, refusal } from './helpers.ts';

const output = new Uint8Array(100).map((_, i) => (i * 37) & 0xff);
const claim = { taskId: 'job-1/task-7', seed: 4242, workerId: 'worker-a', nonce: 'nonce-1' };

let prover: Prover;
let verifier: Verifier;
let binding: ProofBundle<'result_binding'> & { resultDigest: bigint; outputLen: number };
const store = await artifactStore();

beforeAll(async () => {
  const fetched: string[] = [];
  prover = await createProver({
    manifest: store.manifest,
    fetchArtifact: async (sha) => {
      fetched.push(sha);
      return store.bySha.get(sha) as Uint8Array;
    },
  });
  expect(fetched.length).toBe(6); // wasm + zkey of three circuits, each fetched once
  verifier = await createVerifier({ manifest: store.manifest });
  binding = await prover.proveResultBinding({ ...claim, output });
}, 60_000);

afterAll(async () => {
  await prover.close();
});

const expected = () => ({ ...claim, outputLen: binding.outputLen, resultDigest: binding.resultDigest });
const request = (
  overrides: Record<string, unknown> = {},
  proof = binding.proof,
  publicSignals = binding.publicSignals,
) =>
  verifier.verify({
    circuit: 'result_binding',
    version: binding.version,
    proof,
    publicSignals,
    expected: { ...expected(), ...overrides },
  });

describe('result binding', () => {
  test('a valid proof verifies and binds the output digest', async () => {
    expect(binding.resultDigest).toBe(await resultDigestOf(output));
    const ok = await request();
    expect(ok.circuit).toBe('result_binding');
    expect(ok.proofHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a forged proof (mutated pi_a) is PROOF_INVALID', async () => {
    const forged = structuredClone(binding.proof);
    forged.pi_a[0] = (BigInt(forged.pi_a[0] as string) + 1n).toString(); // off the curve
    expect(await refusal(request({}, forged))).toEqual({ code: ErrorCode.ProofInvalid });
    const swapped = { ...structuredClone(binding.proof), pi_a: binding.proof.pi_c }; // on the curve, wrong
    expect(await refusal(request({}, swapped))).toEqual({ code: ErrorCode.ProofInvalid });
    expect(await refusal(request({}, { ...binding.proof, pi_b: [] }))).toEqual({
      code: ErrorCode.ProofInvalid,
    });
  });

  test('a proof for another task, seed, length, digest, worker or nonce is PROOF_MISMATCH naming it', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['taskId', { taskId: 'job-1/task-8' }],
      ['seed', { seed: 4243 }],
      ['outputLen', { outputLen: 99 }],
      ['resultDigest', { resultDigest: await resultDigestOf(output.subarray(1)) }],
      ['workerId', { workerId: 'worker-b' }],
      ['nonce', { nonce: 'nonce-2' }],
    ];
    for (const [field, change] of cases) {
      expect({ field, ...(await refusal(request(change))) }).toEqual({
        field,
        code: ErrorCode.ProofMismatch,
      });
    }
  });

  test('public signals relabelled for another task do not verify (PROOF_INVALID)', async () => {
    const signals = [...binding.publicSignals];
    signals[0] = taskIdToField('job-1/task-8').toString();
    expect(await refusal(request({ taskId: 'job-1/task-8' }, binding.proof, signals))).toEqual({
      code: ErrorCode.ProofInvalid,
    });
  });

  test('a replayed proof or nonce is PROOF_REPLAYED', async () => {
    const guarded = await createVerifier({
      manifest: store.manifest,
      replayGuard: new ProofReplayGuard(openDatabase(':memory:')),
    });
    const req = {
      circuit: 'result_binding' as const,
      version: binding.version,
      proof: binding.proof,
      publicSignals: binding.publicSignals,
      expected: expected(),
    };
    await guarded.verify(req);
    expect(await refusal(guarded.verify(req))).toEqual({ code: ErrorCode.ProofReplayed, field: 'nonce' });
  });
});

describe('key versions', () => {
  test('add and retire versions while verifications run, without a new verifier', async () => {
    const v1 = findEntry(store.manifest, 'result_binding', binding.version);
    if (v1 === undefined) throw new Error('manifest lacks result_binding');
    // Same key material republished as v2: what a rotation looks like to a verifier.
    const v2 = { ...v1, version: v1.version + 1 };
    const inFlight = Array.from({ length: 3 }, () => request());
    const adding = verifier.addVersion(v2);
    verifier.retireVersion('result_binding', v1.version);
    await adding;
    // Verifications already past the version check finish; new ones see the change.
    await Promise.allSettled(inFlight);
    expect(await refusal(request())).toEqual({ code: ErrorCode.ProofVersionRetired });
    await verifier.verify({
      circuit: 'result_binding',
      version: v2.version,
      proof: binding.proof,
      publicSignals: binding.publicSignals,
      expected: expected(),
    });
    expect(
      await refusal(
        verifier.verify({
          circuit: 'result_binding',
          version: 99,
          proof: binding.proof,
          publicSignals: binding.publicSignals,
          expected: expected(),
        }),
      ),
    ).toEqual({ code: ErrorCode.ProofUnknownVersion });
    await verifier.addVersion(v1);
    await request();
    expect(verifier.activeVersions()).toContainEqual({ circuit: 'result_binding', version: v2.version });
  });
});

describe('prover lifecycle', () => {
  test('an aborted proof is AbortError, and the next proof runs on a fresh thread', async () => {
    const pre = new AbortController();
    pre.abort();
    expect(await refusal(prover.provePoseidonChain(claim, { signal: pre.signal }))).toEqual({
      code: ErrorCode.Aborted,
    });
    const mid = new AbortController();
    const proving = prover.provePoseidonChain({ ...claim, nonce: 'nonce-x' }, { signal: mid.signal });
    setTimeout(() => mid.abort(), 30);
    expect(await refusal(proving)).toEqual({ code: ErrorCode.Aborted });
  });
});

describe('poseidon chain (the circuit computes the task)', () => {
  test('the proven result equals the TypeScript reference and verifies', async () => {
    const chain = await prover.provePoseidonChain({ ...claim, nonce: 'nonce-chain' });
    expect(chain.result).toBe(await computePoseidonChain(claim.taskId, claim.seed));
    expect(chain.publicSignals[2]).toBe(chain.result.toString());
    const verify = (resultDigest: bigint, seed = claim.seed) =>
      verifier.verify({
        circuit: 'poseidon_chain',
        version: chain.version,
        proof: chain.proof,
        publicSignals: chain.publicSignals,
        expected: { ...claim, seed, nonce: 'nonce-chain', resultDigest },
      });
    await verify(chain.result);
    expect(await refusal(verify(chain.result + 1n))).toEqual({
      code: ErrorCode.ProofMismatch,
      field: 'resultDigest',
    });
    expect(await refusal(verify(chain.result, 1))).toEqual({ code: ErrorCode.ProofMismatch, field: 'seed' });
  }, 30_000);
});

describe('batch', () => {
  test('one proof binds every (taskId, output) leaf', async () => {
    const outputs = [new Uint8Array([1]), new Uint8Array(3000).fill(7), new Uint8Array(64).fill(2)];
    const items = outputs.map((o, i) => ({ taskId: `job-2/task-${i}`, output: o }));
    const batch = await prover.proveBatch({ items, workerId: claim.workerId, nonce: 'nonce-batch' });
    const leafDigests = items.map((it) => batchLeafDigest(it.taskId, it.output));
    expect(batch.leafDigests).toEqual(leafDigests);
    const expectedItems = leafDigests;
    const verify = (list: readonly bigint[], workerId = claim.workerId) =>
      verifier.verify({
        circuit: 'result_batch',
        version: batch.version,
        proof: batch.proof,
        publicSignals: batch.publicSignals,
        expected: { leafDigests: list, workerId, nonce: 'nonce-batch' },
      });
    await verify(expectedItems);
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as (typeof items)[number];
      const otherOutput = leafDigests.map((d, j) =>
        j === i ? batchLeafDigest(it.taskId, new Uint8Array([9])) : d,
      );
      expect(await refusal(verify(otherOutput))).toEqual({ code: ErrorCode.ProofMismatch, field: 'root' });
      const otherTask = leafDigests.map((d, j) => (j === i ? batchLeafDigest('job-2/other', it.output) : d));
      expect(await refusal(verify(otherTask))).toEqual({ code: ErrorCode.ProofMismatch, field: 'root' });
    }
    expect(await refusal(verify(expectedItems.slice(0, 2)))).toEqual({
      code: ErrorCode.ProofMismatch,
      field: 'root',
    });
    expect(await refusal(verify([...expectedItems].reverse()))).toEqual({
      code: ErrorCode.ProofMismatch,
      field: 'root',
    });
    expect(await refusal(verify(expectedItems, 'worker-b'))).toEqual({
      code: ErrorCode.ProofMismatch,
      field: 'workerId',
    });
  }, 30_000);
});
