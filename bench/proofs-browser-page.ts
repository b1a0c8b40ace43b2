/**
 * Browser side of bench/proofs-browser.bench.ts: the page worker's prover (createBrowserProver:
 * artifacts checked with SHA-256, proving in a module Web Worker, single-threaded curve) proves
 * result_binding `runs` times and POSTs the timings and the proofs back for verification.
 */
import '../worker/browser/buffer-global.ts';
import { parseManifest } from '../circuits/lib/manifest.ts';
import { artifactStore } from '../worker/browser/artifact-store.ts';
import { createBrowserProver } from '../worker/browser/prover.ts';
import { BENCH_WORKER_ID, benchOutput } from './proofs-browser-shared.ts';

async function main(): Promise<void> {
  const runs = Number(new URL(location.href).searchParams.get('runs') ?? '5');
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
      preload: ['result_binding'],
    });
    const loadMs = performance.now() - t0;
    const proofs = [];
    // Keys checked and loaded in the thread above; proof 0 also pays snarkjs' curve set-up.
    for (let i = 0; i <= runs; i++) {
      const t = performance.now();
      const b = await prover.proveResultBinding({
        taskId: `t${i}`,
        seed: i,
        output: benchOutput(i),
        workerId: BENCH_WORKER_ID,
        nonce: `n${i}`,
      });
      proofs.push({
        ms: performance.now() - t,
        witnessMs: b.timings.witnessMs,
        proveMs: b.timings.proveMs,
        proof: b.proof,
        publicSignals: b.publicSignals,
        resultDigest: b.resultDigest.toString(),
        outputLen: b.outputLen,
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
