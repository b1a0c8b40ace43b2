/** The raw exports: bad input returns error codes (never traps), allocation is checked. */
import { beforeAll, describe, expect, test } from 'bun:test';
import { DEFAULT_WASM_URL, WASM_ABI_VERSION } from '../../worker/preprocess/index.ts';
import { asPreprocExports, type PreprocExports, WasmStatus } from '../../worker/preprocess/wasm-abi.ts';

let raw: PreprocExports;
let module: WebAssembly.Module;

beforeAll(async () => {
  module = await WebAssembly.compile(await Bun.file(DEFAULT_WASM_URL).arrayBuffer());
  raw = asPreprocExports((await WebAssembly.instantiate(module, {})).exports);
});

describe('wasm ABI', () => {
  test('imports nothing and reports the ABI version the loader expects', () => {
    expect(WebAssembly.Module.imports(module)).toEqual([]);
    expect(raw.abi_version()).toBe(WASM_ABI_VERSION);
  });

  test('chunk size 0 and out-of-range pages are status codes, not traps', () => {
    expect(raw.chunk_count(10, 0)).toBe(BigInt(WasmStatus.ChunkSizeZero));
    expect(raw.chunk_count(0xffff_ffff, 1)).toBe(0xffff_ffffn);
    const out = raw.alloc_bytes(16) >>> 0;
    try {
      expect(raw.chunk_bounds(10, 0, 0, 1, out)).toBe(WasmStatus.ChunkSizeZero);
      expect(raw.chunk_bounds(10, 4, 2, 2, out)).toBe(WasmStatus.Range);
      expect(raw.chunk_bounds(10, 4, 4, 0, out)).toBe(WasmStatus.Range);
      expect(raw.chunk_bounds(10, 4, 1, 1, 0)).toBe(WasmStatus.BadPointer);
      expect(raw.chunk_bounds(10, 4, 1, 1, out + 2)).toBe(WasmStatus.BadPointer);
      expect(raw.chunk_bounds(10, 4, 1, 2, out)).toBe(WasmStatus.Ok);
      expect(Array.from(new Uint32Array(raw.memory.buffer, out, 4))).toEqual([4, 4, 8, 2]);
    } finally {
      raw.dealloc_bytes(out, 16);
    }
  });

  test('ema_f32 rejects a NaN or out-of-range alpha and misaligned pointers', () => {
    const buf = raw.alloc_bytes(32) >>> 0;
    try {
      expect(raw.ema_f32(buf, buf, 4, Number.NaN, 0, 0)).toBe(WasmStatus.BadAlpha);
      expect(raw.ema_f32(buf, buf, 4, 1.5, 0, 0)).toBe(WasmStatus.BadAlpha);
      expect(raw.ema_f32(buf + 1, buf, 4, 0.5, 0, 0)).toBe(WasmStatus.BadPointer);
      expect(raw.ema_f32(0, 0, 0, 0.5, 0, 0)).toBe(WasmStatus.Ok);
    } finally {
      raw.dealloc_bytes(buf, 32);
    }
  });

  test('ema_columns_f32 rejects a bad alpha, misaligned pointers and rows x cols overflow', () => {
    const buf = raw.alloc_bytes(64) >>> 0;
    try {
      expect(raw.ema_columns_f32(buf, buf, 2, 4, Number.NaN, 0)).toBe(WasmStatus.BadAlpha);
      expect(raw.ema_columns_f32(buf, buf, 2, 4, -0.5, 0)).toBe(WasmStatus.BadAlpha);
      expect(raw.ema_columns_f32(buf + 2, buf, 2, 4, 0.5, 0)).toBe(WasmStatus.BadPointer);
      expect(raw.ema_columns_f32(buf, buf, 2, 4, 0.5, buf + 33)).toBe(WasmStatus.BadPointer);
      expect(raw.ema_columns_f32(buf, buf, 0x10000, 0x10000, 0.5, 0)).toBe(WasmStatus.Range);
      expect(raw.ema_columns_f32(0, 0, 0, 4, 0.5, 0)).toBe(WasmStatus.Ok);
      // SIMD body (4 columns) + scalar tail (1): rows [1..5], [3..7] -> row 1 = row0 + 0.5 * (row1 - row0).
      const m = new Float32Array(raw.memory.buffer, buf, 10);
      m.set([1, 2, 3, 4, 5, 3, 4, 5, 6, 7]);
      expect(raw.ema_columns_f32(buf, buf, 2, 5, 0.5, 0)).toBe(WasmStatus.Ok);
      expect(Array.from(new Float32Array(raw.memory.buffer, buf, 10))).toEqual([
        1, 2, 3, 4, 5, 2, 3, 4, 5, 6,
      ]);
    } finally {
      raw.dealloc_bytes(buf, 64);
    }
  });

  test('sha256 rejects null pointers; allocation failure returns null and is not counted', () => {
    expect(raw.sha256(0, 5, 64)).toBe(WasmStatus.BadPointer);
    expect(raw.sha256_init(0)).toBe(WasmStatus.BadPointer);
    const before = raw.live_bytes();
    expect(raw.alloc_bytes(0xffff_fff0) >>> 0).toBe(0);
    expect(raw.alloc_bytes(0) >>> 0).not.toBe(0);
    raw.dealloc_bytes(raw.alloc_bytes(0), 0);
    expect(raw.live_bytes()).toBe(before);
    const p = raw.alloc_bytes(100) >>> 0;
    expect(p % 16).toBe(0);
    expect(raw.live_bytes()).toBe(before + 100);
    raw.dealloc_bytes(p, 100);
    expect(raw.live_bytes()).toBe(before);
  });
});
