/**
 * Prove time in headless Chromium (the worker page's prover: a module Web Worker, single-threaded
 * curve, since the page's CSP refuses ffjavascript's blob: thread pool) against Bun in the same
 * run (the headless worker's prover: a Bun Worker, with and without the curve thread pool), for
 * result_binding or a full result_batch (BATCH_SIZE tasks; per-task cost printed too). Same
 * circuit, same inputs (1 KiB outputs), medians of `runs` proofs after one warm-up proof each.
 * Every browser proof is verified here with the orchestrator's verifier.
 *
 *   bun bench/proofs-browser.bench.ts [--runs 5] [--circuit result_binding|result_batch]
 *                                     [--chromium /usr/bin/chromium]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Groth16Proof } from 'snarkjs';
import { batchLeafDigest } from '../circuits/lib/batch.ts';
import { resultDigestOf } from '../circuits/lib/digest.ts';
import { findEntry } from '../circuits/lib/manifest.ts';
import { DEFAULT_ARTIFACTS_DIR, readManifest } from '../circuits/lib/manifest-fs.ts';
import { BATCH_SIZE } from '../circuits/lib/params.ts';
import { terminateCurves } from '../circuits/lib/snarkjs-bun.ts';
import { createVerifier } from '../orchestrator/proofs/index.ts';
import { createProver } from '../worker/prover/index.ts';
import { BENCH_WORKER_ID, type BenchCircuit, benchBatch, benchOutput } from './proofs-browser-shared.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    circuit: { type: 'string', default: 'result_binding' },
  },
});
const runs = Math.max(3, Number(values.runs));
if (values.circuit !== 'result_binding' && values.circuit !== 'result_batch') {
  throw new Error(`--circuit must be result_binding or result_batch, got ${values.circuit}`);
}
const circuit: BenchCircuit = values.circuit;
const perProof = circuit === 'result_batch' ? BATCH_SIZE : 1;
const TIMEOUT_MS = 300_000;

interface BrowserProof {
  ms: number;
  witnessMs: number;
  proveMs: number;
  proof: Groth16Proof;
  publicSignals: string[];
}
interface PageResult {
  ua?: string;
  loadMs?: number;
  proofs?: BrowserProof[];
  error?: string;
}

async function bunProver(curveThreads: boolean): Promise<{ ms: number; witnessMs: number; proveMs: number }> {
  const prover = await createProver({ circuits: [circuit], curveThreads });
  const rows: { ms: number; witnessMs: number; proveMs: number }[] = [];
  for (let i = 0; i <= runs; i++) {
    const t = performance.now();
    const who = { workerId: BENCH_WORKER_ID, nonce: `n${i}` };
    const b =
      circuit === 'result_batch'
        ? await prover.proveBatch({ items: benchBatch(i), ...who })
        : await prover.proveResultBinding({ taskId: `t${i}`, seed: i, output: benchOutput(i), ...who });
    if (i > 0) rows.push({ ms: performance.now() - t, ...b.timings }); // i = 0: warm-up
  }
  await prover.close();
  return {
    ms: median(rows.map((r) => r.ms)),
    witnessMs: median(rows.map((r) => r.witnessMs)),
    proveMs: median(rows.map((r) => r.proveMs)),
  };
}

async function browserRun(): Promise<PageResult> {
  const build = async (entry: string) => {
    const out = await Bun.build({
      entrypoints: [new URL(entry, import.meta.url).pathname],
      target: 'browser',
    });
    const file = out.outputs[0];
    if (!out.success || file === undefined)
      throw new Error(`bundling ${entry} failed: ${out.logs.join('\n')}`);
    return file.text();
  };
  const page = await build('./proofs-browser-page.ts');
  const thread = await build('../worker/prover/prover-thread.ts');
  const manifest = await readManifest(DEFAULT_ARTIFACTS_DIR);
  const entry = findEntry(manifest, circuit);
  if (entry === undefined) throw new Error(`no ${circuit} in the manifest`);
  const files = new Map([entry.wasm, entry.zkey].map((f) => [f.sha256, join(DEFAULT_ARTIFACTS_DIR, f.path)]));
  const js = { 'content-type': 'text/javascript' };

  const { promise, resolve } = Promise.withResolvers<PageResult>();
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === '/') {
        return new Response('<!doctype html><script type="module" src="/page.js"></script>', {
          headers: { 'content-type': 'text/html' },
        });
      }
      if (path === '/page.js') return new Response(page, { headers: js });
      if (path === '/prover-thread.js') return new Response(thread, { headers: js });
      if (path === '/manifest.json') return Response.json(manifest);
      const file = files.get(path.replace('/artifact/', ''));
      if (file !== undefined) return new Response(Bun.file(file));
      if (path === '/result' && req.method === 'POST') {
        resolve((await req.json()) as PageResult);
        return new Response('ok');
      }
      return new Response('not found', { status: 404 });
    },
  });
  const profile = mkdtempSync(join(tmpdir(), 'shardmesh-bench-'));
  const chromium = Bun.spawn(
    [
      values.chromium,
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      `http://127.0.0.1:${server.port}/?runs=${runs}&circuit=${circuit}`,
    ],
    { stdout: 'ignore', stderr: 'ignore' },
  );
  const timer = setTimeout(() => resolve({ error: `no result after ${TIMEOUT_MS / 1000} s` }), TIMEOUT_MS);
  try {
    return await promise;
  } finally {
    clearTimeout(timer);
    chromium.kill();
    await chromium.exited;
    await server.stop(true);
    rmSync(profile, { recursive: true, force: true });
  }
}

// Browser first, alone on the cores; then Bun.
const browser = await browserRun();
if (browser.error !== undefined || browser.proofs === undefined)
  throw new Error(`browser bench failed: ${browser.error}`);
const verifier = await createVerifier();
for (const [i, p] of browser.proofs.entries()) {
  const common = { version: 1, proof: p.proof, publicSignals: p.publicSignals };
  const who = { workerId: BENCH_WORKER_ID, nonce: `n${i}` };
  if (circuit === 'result_batch') {
    const leafDigests = benchBatch(i).map((it) => batchLeafDigest(it.taskId, it.output));
    await verifier.verify({ circuit, ...common, expected: { leafDigests, ...who } });
  } else {
    const output = benchOutput(i);
    const expected = {
      taskId: `t${i}`,
      seed: i,
      outputLen: output.length,
      resultDigest: await resultDigestOf(output),
    };
    await verifier.verify({ circuit, ...common, expected: { ...expected, ...who } });
  }
}
const timed = browser.proofs.slice(1);
const chrome = {
  ms: median(timed.map((p) => p.ms)),
  witnessMs: median(timed.map((p) => p.witnessMs)),
  proveMs: median(timed.map((p) => p.proveMs)),
};
const single = await bunProver(false);
const pooled = await bunProver(true);
await terminateCurves();

const version = /Chrome\/[\d.]+/.exec(browser.ua ?? '')?.[0] ?? browser.ua;
const row = (label: string, r: typeof chrome) =>
  `  ${label.padEnd(52)} ${r.ms.toFixed(0).padStart(6)} ${r.witnessMs.toFixed(0).padStart(8)} ${r.proveMs.toFixed(0).padStart(8)} ${(r.ms / single.ms).toFixed(2).padStart(8)}x ${(r.ms / perProof).toFixed(1).padStart(9)}`;
console.log(
  `${circuit} proofs (${perProof} task(s) each): medians of ${runs} after one warm-up (ms); all ${browser.proofs.length} browser proofs verified`,
);
console.log(
  `  ${''.padEnd(52)} ${'total'.padStart(6)} ${'witness'.padStart(8)} ${'groth16'.padStart(8)} ${'vs Bun 1T'.padStart(9)} ${'ms/task'.padStart(9)}`,
);
console.log(row(`${version}, Web Worker, single-threaded curve`, chrome));
console.log(row('Bun Worker, single-threaded curve (baseline)', single));
console.log(row('Bun Worker, curve thread pool (headless default)', pooled));
console.log(
  `  browser: keys checked + loaded in ${browser.loadMs?.toFixed(0)} ms; first proof (curve set-up) ${browser.proofs[0]?.ms.toFixed(0)} ms`,
);
