/**
 * WASM vs pure-TS preprocessing throughput in Bun (JavaScriptCore), with the WASM/JS ratio.
 * The product target is WASM >= 2x the JS fallback. For the browser (V8) figures run
 * `bun bench/preprocess-browser.bench.ts`.
 *
 *   bun bench/preprocess.bench.ts [--runs 7] [--mb 16]
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createJsPreprocessor, loadWasmPreprocessor } from '../worker/preprocess/index.ts';
import { formatTable, measurePreprocess, sampleF32, throughput } from './preprocess-measure.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, mb: { type: 'string', default: '16' } },
});
const runs = Math.max(5, Number(values.runs));
const big = Math.max(4, Number(values.mb));

const rows = measurePreprocess(await loadWasmPreprocessor(), createJsPreprocessor(), {
  runs,
  sizesMb: [4, big],
});
console.log(formatTable(`preprocess in Bun ${Bun.version}: median of ${runs} runs (MB/s = 10^6 B/s)`, rows));

// Native digests for comparison: what the docs tell callers to prefer for large buffers.
const data = new Uint8Array(sampleF32((big * 1024 * 1024) / 4).buffer);
const nodeSha = throughput(data.length, runs, () => createHash('sha256').update(data).digest());
const bunSha = throughput(data.length, runs, () => new Bun.CryptoHasher('sha256').update(data).digest());
console.log(
  `reference sha256 ${big} MiB: node:crypto ${nodeSha.toFixed(0)} MB/s, Bun.CryptoHasher ${bunSha.toFixed(0)} MB/s`,
);
