/** The loader frees every block it allocates: wasm memory reaches a plateau and stays there. */
import { beforeAll, describe, expect, test } from 'bun:test';
import { loadWasmPreprocessor, type WasmPreprocessor } from '../../worker/preprocess/index.ts';

let wasm: WasmPreprocessor;

beforeAll(async () => {
  wasm = await loadWasmPreprocessor();
});

function mixedRound(i: number): void {
  // Every 20th round crosses several windows; the others stay inside one.
  const big = i % 20 === 0;
  const x = new Float32Array((big ? 150_000 : 10_000) + (i % 7) * 100).fill(i);
  wasm.ema(x, 0.25);
  wasm.ema(x, 0.5, x);
  wasm.sha256(new Uint8Array((big ? 600_000 : 20_000) + i));
  wasm.sha256(new Uint8Array(i % 100));
  wasm.chunkBounds(100_000 + i, 16 + (i % 5));
  wasm.chunk(new Uint8Array(1000), 64, i % 16);
  // Rejected calls must not leak either.
  expect(() => wasm.ema(x, Number.NaN)).toThrow();
  expect(() => wasm.chunkBounds(100, 0)).toThrow();
}

describe('wasm memory', () => {
  test('nothing stays allocated after any call, and memory stops growing', () => {
    expect(wasm.liveBytes()).toBe(0);
    for (let i = 0; i < 5; i++) mixedRound(i);
    expect(wasm.liveBytes()).toBe(0);
    const plateau = wasm.memoryBytes();
    for (let i = 5; i < 200; i++) {
      mixedRound(i);
      if (wasm.liveBytes() !== 0) throw new Error(`round ${i} leaked ${wasm.liveBytes()} bytes`);
    }
    expect(wasm.memoryBytes()).toBe(plateau);
    // Windows keep the footprint small whatever the input size (64 KiB pages).
    wasm.sha256(new Uint8Array(8 * 1024 * 1024));
    wasm.ema(new Float32Array(2 * 1024 * 1024), 0.1);
    expect(wasm.memoryBytes()).toBe(plateau);
    expect(plateau).toBeLessThanOrEqual(2 * 1024 * 1024);
  });
});
