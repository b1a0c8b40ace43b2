/**
 * Groth16 cost in Bun with the committed development artifacts: prove and verify time per
 * circuit, and the amortized per-task cost of batches of K = 1, 16, 64 tasks. The baseline is
 * K = 1 (one result-binding proof per task), measured in the same run; batches above
 * BATCH_SIZE (16) take ceil(K/16) batch proofs. Targets from the issue: amortized prover
 * <= 20 ms/task and verifier <= 1 ms/task at K = 64. Chromium is not measured here.
 *
 *   bun bench/proofs.bench.ts [--runs 5] [--single]   (--single: also without ffjavascript's thread pool)
 */
import { parseArgs } from 'node:util';
import { BATCH_SIZE } from '../circuits/lib/params.ts';
import { terminateCurves } from '../circuits/lib/snarkjs-bun.ts';
import { createVerifier, type VerifyRequest } from '../orchestrator/proofs/index.ts';
import { createProver, type Prover } from '../worker/prover/index.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, single: { type: 'boolean' } },
});
const runs = Math.max(3, Number(values.runs));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

async function timeIt(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  return median(times);
}

const output = (i: number) => new Uint8Array(1024).map((_, j) => (i * 31 + j) & 0xff);
const who = { workerId: 'bench-worker' };

async function measure(prover: Prover, label: string) {
  const verifier = await createVerifier();
  // Warm up: first proof per circuit pays JIT and curve set-up.
  const rb = await prover.proveResultBinding({ taskId: 't', seed: 1, output: output(0), ...who, nonce: 'w' });
  const chain = await prover.provePoseidonChain({ taskId: 't', seed: 1, ...who, nonce: 'w2' });
  const items = Array.from({ length: BATCH_SIZE }, (_, i) => ({ taskId: `t${i}`, output: output(i) }));
  const batch = await prover.proveBatch({ items, ...who, nonce: 'w3' });

  const proveRb = await timeIt(runs, (i) =>
    prover.proveResultBinding({ taskId: `t${i}`, seed: i, output: output(i), ...who, nonce: `rb${i}` }),
  );
  const proveChain = await timeIt(runs, (i) =>
    prover.provePoseidonChain({ taskId: `t${i}`, seed: i, ...who, nonce: `pc${i}` }),
  );
  const proveBatch = await timeIt(runs, (i) => prover.proveBatch({ items, ...who, nonce: `b${i}` }));

  const requests: Record<string, VerifyRequest> = {
    result_binding: {
      circuit: 'result_binding',
      version: rb.version,
      proof: rb.proof,
      publicSignals: rb.publicSignals,
      expected: {
        taskId: 't',
        seed: 1,
        outputLen: rb.outputLen,
        resultDigest: rb.resultDigest,
        ...who,
        nonce: 'w',
      },
    },
    poseidon_chain: {
      circuit: 'poseidon_chain',
      version: chain.version,
      proof: chain.proof,
      publicSignals: chain.publicSignals,
      expected: { taskId: 't', seed: 1, resultDigest: chain.result, ...who, nonce: 'w2' },
    },
    result_batch: {
      circuit: 'result_batch',
      version: batch.version,
      proof: batch.proof,
      publicSignals: batch.publicSignals,
      expected: {
        items: items.map((it, i) => ({ taskId: it.taskId, resultDigest: batch.digests[i] as bigint })),
        ...who,
        nonce: 'w3',
      },
    },
  };
  const verify: Record<string, number> = {};
  for (const [name, req] of Object.entries(requests)) {
    await verifier.verify(req);
    verify[name] = await timeIt(runs * 4, () => verifier.verify(req));
  }

  console.log(`\n${label}: medians of ${runs} proofs / ${runs * 4} verifications (ms)`);
  console.log(
    `  prove  result_binding ${proveRb.toFixed(0)}  poseidon_chain ${proveChain.toFixed(0)}  result_batch(16) ${proveBatch.toFixed(0)}`,
  );
  console.log(
    `  verify result_binding ${verify.result_binding?.toFixed(1)}  poseidon_chain ${verify.poseidon_chain?.toFixed(1)}  result_batch ${verify.result_batch?.toFixed(1)}`,
  );
  console.log('  K    proofs  prove ms/task  verify ms/task  prove vs K=1  (targets at K=64: <=20, <=1)');
  for (const k of [1, 16, 64]) {
    const proofs = k === 1 ? 1 : Math.ceil(k / BATCH_SIZE);
    const prove = k === 1 ? proveRb : (proofs * proveBatch) / k;
    const ver = k === 1 ? (verify.result_binding as number) : (proofs * (verify.result_batch as number)) / k;
    console.log(
      `  ${String(k).padEnd(4)} ${String(proofs).padEnd(7)} ${prove.toFixed(1).padStart(13)} ${ver.toFixed(2).padStart(15)} ${(proveRb / prove).toFixed(1).padStart(12)}x`,
    );
  }
}

const pooled = await createProver();
await measure(pooled, 'prover thread + ffjavascript thread pool (default)');
await pooled.close();
if (values.single) {
  const single = await createProver({ curveThreads: false });
  await measure(single, 'prover thread, single-threaded curve');
  await single.close();
}
await terminateCurves();
