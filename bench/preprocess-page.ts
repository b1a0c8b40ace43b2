/**
 * Browser side of bench/preprocess-browser.bench.ts: runs the shared measurement in the page
 * and POSTs the rows back to the server that served it.
 */
import { createJsPreprocessor, loadWasmPreprocessor } from '../worker/preprocess/index.ts';
import { measurePreprocess, sampleF32 } from './preprocess-measure.ts';
import { median } from './stats.ts';

async function subtleSha256MBps(mb: number, runs: number): Promise<number> {
  const data = new Uint8Array(sampleF32((mb * 1024 * 1024) / 4).buffer);
  await crypto.subtle.digest('SHA-256', data);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await crypto.subtle.digest('SHA-256', data);
    times.push(performance.now() - t0);
  }
  return data.length / 1e6 / (median(times) / 1e3);
}

async function main(): Promise<void> {
  const params = new URL(location.href).searchParams;
  const runs = Number(params.get('runs') ?? '7');
  const mb = Number(params.get('mb') ?? '16');
  try {
    const wasm = await loadWasmPreprocessor({ url: '/shardmesh_preproc.wasm' });
    const rows = measurePreprocess(wasm, createJsPreprocessor(), { runs, sizesMb: [4, mb] });
    const subtle = await subtleSha256MBps(mb, runs);
    await fetch('/result', {
      method: 'POST',
      body: JSON.stringify({ ua: navigator.userAgent, rows, subtle }),
    });
  } catch (err) {
    await fetch('/result', { method: 'POST', body: JSON.stringify({ error: String(err) }) });
  }
}

void main();
