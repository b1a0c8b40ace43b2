/**
 * Runtime-agnostic measurement shared by the Bun and the Chromium preprocessing benchmarks:
 * WASM vs pure-TS throughput in MB/s, median of `runs` interleaved timed runs after a warm-up.
 */
import type { Preprocessor } from '../worker/preprocess/index.ts';

import { median } from './stats.ts';

export interface MeasureOptions {
  /** Timed runs per cell (at least 5). */
  runs?: number;
  /** Input sizes in MiB. */
  sizesMb?: number[];
}

export interface BenchRow {
  op: string;
  mb: number;
  wasm: number;
  js: number;
}

export const DEFAULT_MEASURE: Required<MeasureOptions> = { runs: 7, sizesMb: [4, 16] };

/** Runs `fn` at least 5 times and for at least 500 ms, so JIT and wasm tiers have settled. */
function warmUp(fn: () => unknown): void {
  const t0 = performance.now();
  for (let i = 0; i < 100 && (i < 5 || performance.now() - t0 < 500); i++) fn();
}

function timeOnce(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const mbPerS = (bytes: number, ms: number[]): number => bytes / 1e6 / (median(ms) / 1e3);

/** Median MB/s (10^6 bytes per second) of `fn` over `runs` timed runs, after a warm-up. */
export function throughput(bytes: number, runs: number, fn: () => unknown): number {
  warmUp(fn);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(timeOnce(fn));
  return mbPerS(bytes, times);
}

/**
 * Median MB/s of `a` and `b`, timed interleaved (a b, b a, a b...): on a shared machine a burst
 * of load then hits both sides instead of skewing the ratio.
 */
export function pairedThroughput(
  bytes: number,
  runs: number,
  a: () => unknown,
  b: () => unknown,
): [number, number] {
  warmUp(a);
  warmUp(b);
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      ta.push(timeOnce(a));
      tb.push(timeOnce(b));
    } else {
      tb.push(timeOnce(b));
      ta.push(timeOnce(a));
    }
  }
  return [mbPerS(bytes, ta), mbPerS(bytes, tb)];
}

/** Deterministic pseudo-random f32 series in [-128, 128): no NaN, so no NaN fast paths. */
export function sampleF32(n: number): Float32Array<ArrayBuffer> {
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    x[i] = (s >>> 8) / 65536 - 128;
  }
  return x;
}

export function measurePreprocess(
  wasm: Preprocessor,
  js: Preprocessor,
  opts: MeasureOptions = {},
): BenchRow[] {
  const { runs, sizesMb } = { ...DEFAULT_MEASURE, ...opts };
  const rows: BenchRow[] = [];
  for (const mb of sizesMb) {
    const bytes = mb * 1024 * 1024;
    const x = sampleF32(bytes / 4);
    const out = new Float32Array(x.length);
    const data = new Uint8Array(x.buffer);
    /** `repeat` calls per timed run keep sub-millisecond operations above timer noise. */
    const cell = (op: string, f: (p: Preprocessor) => unknown, repeat = 1): void => {
      const many = (p: Preprocessor) => () => {
        for (let i = 0; i < repeat; i++) f(p);
      };
      const [w, j] = pairedThroughput(bytes * repeat, runs, many(wasm), many(js));
      rows.push({ op, mb, wasm: w, js: j });
    };
    cell('ema (f32 -> out)', (p) => p.ema(x, 0.125, out));
    // The same EMA per column of a row-major matrix (independent series): WASM SIMD, 4 columns per op.
    cell('emaColumns (16 cols)', (p) => p.emaColumns(x, 16, 0.125, out));
    cell('emaColumns (4 cols)', (p) => p.emaColumns(x, 4, 0.125, out));
    cell('emaColumns (256 cols)', (p) => p.emaColumns(x, 256, 0.125, out));
    cell('sha256', (p) => p.sha256(data));
    cell('chunkBounds (4 KiB)', (p) => p.chunkBounds(bytes, 4096), 200);
  }
  return rows;
}

export function formatTable(title: string, rows: BenchRow[]): string {
  const num = (v: number): string => v.toFixed(0).padStart(10);
  const lines = [
    title,
    `${'op'.padEnd(21)}${'size'.padStart(7)} ${'wasm MB/s'.padStart(10)} ${'js MB/s'.padStart(10)}   wasm/js`,
  ];
  for (const r of rows) {
    const ratio = r.wasm / r.js;
    const flag = ratio >= 2 ? '' : '  (below the 2x target)';
    lines.push(
      `${r.op.padEnd(21)}${`${r.mb} MiB`.padStart(7)} ${num(r.wasm)} ${num(r.js)}  ${ratio.toFixed(2).padStart(6)}x${flag}`,
    );
  }
  return lines.join('\n');
}
