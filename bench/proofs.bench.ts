/**
 * Groth16 cost in Bun with the committed development artifacts, with the native prover (where
 * native-bn254 is built) and with snarkjs (the baseline) in the same run: prove and verify time per
 * circuit, and the amortized per-task cost of batches of K = 1, 16, 64 tasks. The baseline is
 * K = 1 (one result-binding proof per task), measured in the same run; a batch is one proof of the
 * BATCH_SIZE (64) circuit however full it is. Targets from the issue: amortized prover
 * <= 20 ms/task and verifier <= 1 ms/task at K = 64. Chromium is not measured here.
 *
 * Poseidon first: Poseidon(16), commitOutput of a 1 KiB output and the batch root with the
 * Rust/WASM build (circuits/lib/poseidon-wasm.ts) against circomlibjs's build (the baseline,
 * same run), then the orchestrator's per-task verify cost: pairing share + what it recomputes
 * from the output (a result-binding digest, or a batch leaf digest and its share of the root).
 *
 *   bun bench/proofs.bench.ts [--runs 5] [--single] [--poseidon-only]
 *   (--single: also without ffjavascript's thread pool; --poseidon-only: skip the proofs)
 */
import { parseArgs } from 'node:util';
import { batchLeafDigest, batchRoot } from '../circuits/lib/batch.ts';
import { resultDigestOf } from '../circuits/lib/digest.ts';
import { packBytes } from '../circuits/lib/field.ts';
import { loadNativeProver } from '../circuits/lib/native-prove.ts';
import {
  BATCH_SIZE,
  LIMBS_PER_CHUNK,
  RESULT_BINDING_CHUNKS,
  RESULT_BINDING_LIMBS,
} from '../circuits/lib/params.ts';
import { buildCircomlibPoseidon, getPoseidonImpl, type PoseidonHash } from '../circuits/lib/poseidon.ts';
import { terminateCurves } from '../circuits/lib/snarkjs-bun.ts';
import { createVerifier, type VerifyRequest } from '../orchestrator/proofs/index.ts';
import { createProver, type Prover } from '../worker/prover/index.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    single: { type: 'boolean' },
    'poseidon-only': { type: 'boolean' },
  },
});
const runs = Math.max(3, Number(values.runs));

async function timeIt(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Median ms of `reps` synchronous calls, over `runs` runs (per call). */
function timeSync(reps: number, fn: (i: number) => unknown): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) fn(i);
    times.push((performance.now() - t) / reps);
  }
  return median(times);
}

const output = (i: number) => new Uint8Array(1024).map((_, j) => (i * 31 + j) & 0xff);
const who = { workerId: 'bench-worker' };

/** commitOutput's sponge (inline mode) over a given hash: circuits/lib/digest.ts, parameterized. */
function digestWith(hash: PoseidonHash, out: Uint8Array): bigint {
  const limbs = packBytes(out, RESULT_BINDING_LIMBS);
  let h = BigInt(out.length);
  for (let c = 0; c < RESULT_BINDING_CHUNKS; c++) {
    h = hash([h, ...limbs.slice(c * LIMBS_PER_CHUNK, (c + 1) * LIMBS_PER_CHUNK)]);
  }
  return hash([h]);
}

interface PoseidonCosts {
  /** ms per 1 KiB result digest, per implementation. */
  digest: Record<'wasm' | 'circomlibjs', number>;
  /** ms per batch root (BATCH_SIZE leaves), per implementation. */
  root: Record<'wasm' | 'circomlibjs', number>;
  /** ms per batch leaf digest of a 1 KiB output (tagged SHA-256, no Poseidon). */
  leaf: number;
}

async function measurePoseidon(): Promise<PoseidonCosts> {
  const { impl, hash: wasm } = await getPoseidonImpl();
  if (impl !== 'wasm') throw new Error('the WASM Poseidon did not load; nothing to compare');
  const ref = await buildCircomlibPoseidon();
  const x16 = Array.from({ length: 16 }, (_, i) => BigInt(i) * 0x1234567890abcdefn);
  const outs = Array.from({ length: 8 }, (_, i) => output(i));
  for (const o of outs) if (digestWith(wasm, o) !== digestWith(ref, o)) throw new Error('digests differ');
  const leaves = Array.from({ length: BATCH_SIZE }, (_, t) =>
    batchLeafDigest(`t${t}`, outs[t % 8] as Uint8Array),
  );
  // circuits/lib/batch.ts's tree, parameterized by the hash: 16 leaves per node, nodes zero-padded.
  const rootWith = (hash: PoseidonHash) => {
    const top = Array.from({ length: 16 }, (_, n) =>
      n < BATCH_SIZE / 16 ? hash(leaves.slice(n * 16, n * 16 + 16)) : 0n,
    );
    return hash(top);
  };
  if (rootWith(ref) !== (await batchRoot(leaves))) throw new Error('batch roots differ');
  const row = (name: string, w: number, r: number, unit: 'us' | 'ms') => {
    const f = unit === 'us' ? 1000 : 1;
    console.log(
      `  ${name.padEnd(26)} ${(w * f).toFixed(unit === 'us' ? 1 : 3).padStart(10)} ${(r * f).toFixed(unit === 'us' ? 1 : 3).padStart(12)} ${unit}  ${(r / w).toFixed(1)}x`,
    );
  };
  const costs: PoseidonCosts = {
    digest: { wasm: 0, circomlibjs: 0 },
    root: { wasm: 0, circomlibjs: 0 },
    leaf: timeSync(200, (i) => batchLeafDigest(`t${i}`, outs[i % 8] as Uint8Array)),
  };
  console.log(`\nPoseidon: medians of ${runs} runs; baseline circomlibjs buildPoseidon, same run`);
  console.log(`  ${''.padEnd(26)} ${'wasm'.padStart(10)} ${'circomlibjs'.padStart(12)}     speed-up`);
  for (const n of [1, 2, 16]) {
    const xs = x16.slice(0, n);
    row(
      `Poseidon(${n})`,
      timeSync(300, () => wasm(xs)),
      timeSync(60, () => ref(xs)),
      'us',
    );
  }
  costs.digest.wasm = timeSync(40, (i) => digestWith(wasm, outs[i % 8] as Uint8Array));
  costs.digest.circomlibjs = timeSync(10, (i) => digestWith(ref, outs[i % 8] as Uint8Array));
  row('commitOutput (1 KiB)', costs.digest.wasm, costs.digest.circomlibjs, 'ms');
  costs.root.wasm = timeSync(40, () => rootWith(wasm));
  costs.root.circomlibjs = timeSync(10, () => rootWith(ref));
  row(`batch root (${BATCH_SIZE} leaves)`, costs.root.wasm, costs.root.circomlibjs, 'ms');
  console.log(`  batch leaf (task id + 1 KiB output, tagged SHA-256) ${(costs.leaf * 1000).toFixed(1)} us`);
  return costs;
}

async function measure(prover: Prover, label: string, costs: PoseidonCosts) {
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
        leafDigests: batch.leafDigests,
        ...who,
        nonce: 'w3',
      },
    },
  };
  // In the job flow the orchestrator also recomputes from the bytes it received what the proof
  // binds (dispatch/proof-check.ts, batch-check.ts): a per-task cost no batching removes.
  const digestMs = await timeIt(runs * 8, (i) => resultDigestOf(output(i)));
  const verify: Record<string, number> = {};
  for (const [name, req] of Object.entries(requests)) {
    await verifier.verify(req);
    verify[name] = await timeIt(runs * 4, () => verifier.verify(req));
  }

  console.log(`\n${label}: medians of ${runs} proofs / ${runs * 4} verifications (ms)`);
  console.log(
    `  prove  result_binding ${proveRb.toFixed(0)}  poseidon_chain ${proveChain.toFixed(0)}  result_batch(${BATCH_SIZE}) ${proveBatch.toFixed(0)}`,
  );
  console.log(
    `  verify result_binding ${verify.result_binding?.toFixed(1)}  poseidon_chain ${verify.poseidon_chain?.toFixed(1)}  result_batch ${verify.result_batch?.toFixed(1)}`,
  );
  console.log(`  result-binding digest per result (orchestrator side, 1 KiB output) ${digestMs.toFixed(2)}`);
  // Per task at K: K = 1 is a result-binding proof (pairing + Poseidon digest of the output);
  // K > 1 is ceil(K / BATCH_SIZE) batch proofs (a partly filled batch costs a full one), plus per
  // task its leaf digest and its share of the root the orchestrator recomputes.
  console.log('  K    proofs  prove ms/task  verify ms/task  prove vs K=1  (targets at K=64: <=20, <=1)');
  for (const k of [1, 16, 64]) {
    const proofs = k === 1 ? 1 : Math.ceil(k / BATCH_SIZE);
    const prove = k === 1 ? proveRb : (proofs * proveBatch) / k;
    const ver =
      k === 1
        ? (verify.result_binding as number) + digestMs
        : (proofs * ((verify.result_batch as number) + costs.root.wasm)) / k + costs.leaf;
    console.log(
      `  ${String(k).padEnd(4)} ${String(proofs).padEnd(7)} ${prove.toFixed(1).padStart(13)} ${ver.toFixed(2).padStart(15)} ${(proveRb / prove).toFixed(1).padStart(12)}x`,
    );
  }
}

const costs = await measurePoseidon();
if (!values['poseidon-only']) {
  // The native prover (the headless default where it is built), then snarkjs as the baseline.
  const native = loadNativeProver();
  if ('prover' in native) {
    const prover = await createProver({ engine: 'native' });
    await measure(prover, 'native prover (native-bn254, Rust, 2 threads; headless default)', costs);
    await prover.close();
  } else {
    console.log(`\nnative prover not measured: ${native.reason}`);
  }
  const pooled = await createProver({ engine: 'snarkjs' });
  await measure(pooled, 'snarkjs, ffjavascript thread pool (baseline)', costs);
  await pooled.close();
  if (values.single) {
    const single = await createProver({ engine: 'snarkjs', curveThreads: false });
    await measure(single, 'snarkjs, single-threaded curve', costs);
    await single.close();
  }
}
await terminateCurves();
