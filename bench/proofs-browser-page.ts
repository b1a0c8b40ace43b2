/**
 * Browser side of bench/proofs-browser.bench.ts: the page worker's prover (createBrowserProver:
 * artifacts checked with SHA-256, proving in a module Web Worker, single-threaded curve) proves
 * `circuit` (result_binding, or a full result_batch) `runs` times and POSTs the timings and the
 * proofs back for verification.
 */
import '../worker/browser/buffer-global.ts';
import { parseManifest } from '../circuits/lib/manifest.ts';
import { artifactStore } from '../worker/browser/artifact-store.ts';
import { createBrowserProver } from '../worker/browser/prover.ts';
import { BENCH_WORKER_ID, type BenchCircuit, benchBatch, benchOutput } from './proofs-browser-shared.ts';

async function main(): Promise<void> {
  const params = new URL(location.href).searchParams;
  const runs = Number(params.get('runs') ?? '5');
  const circuit = (params.get('circuit') ?? 'result_binding') as BenchCircuit;
  try {
    const manifest = parseManifest(await (await fetch('/manifest.json')).json());
    const store = artifactStore({
      fetchArtifact: async (sha256) =>
        new Uint8Array(await (await fetch(`/artifact/${sha256}`)).arrayBuffer()),
      cacheDir: false,
    });
    const t0 = performance.now();
    const prover = await createBrowserProver({
      manifest,
      store,
      threadUrl: '/prover-thread.js',
      preload: [circuit],
    });
    const loadMs = performance.now() - t0;
    const proofs = [];
    // Keys checked and loaded in the thread above; proof 0 also pays snarkjs' curve set-up.
    for (let i = 0; i <= runs; i++) {
      const t = performance.now();
      const who = { workerId: BENCH_WORKER_ID, nonce: `n${i}` };
      const b =
        circuit === 'result_batch'
          ? await prover.proveBatch({ items: benchBatch(i), ...who })
          : await prover.proveResultBinding({ taskId: `t${i}`, seed: i, output: benchOutput(i), ...who });
      proofs.push({
        ms: performance.now() - t,
        witnessMs: b.timings.witnessMs,
        proveMs: b.timings.proveMs,
        proof: b.proof,
        publicSignals: b.publicSignals,
      });
    }
    await prover.close();
    await fetch('/result', {
      method: 'POST',
      body: JSON.stringify({ ua: navigator.userAgent, loadMs, proofs }),
    });
  } catch (err) {
    await fetch('/result', { method: 'POST', body: JSON.stringify({ error: String(err) }) });
  }
}

void main();
