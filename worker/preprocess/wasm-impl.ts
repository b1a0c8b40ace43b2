/**
 * Preprocessor over an instantiated shardmesh_preproc.wasm. Large inputs stream through one
 * small window of wasm memory (copy in, compute, copy out), so the linear memory stays a few
 * hundred KiB whatever the payload size, and the window stays in cache.
 *
 * Memory rules: every block is freed in a `finally`; views on `memory.buffer` are created
 * after the allocation that may have grown (and so detached) the previous buffer.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import type { WasmPreprocessor } from './types.ts';
import {
  checkAlpha,
  checkChunkIndex,
  checkChunkSize,
  checkChunkTotal,
  checkColumns,
  checkEmaOut,
  checkLen,
} from './validate.ts';
import { checkStatus, type PreprocExports } from './wasm-abi.ts';

export interface WasmWindowOptions {
  /** f32 elements per EMA window (default 64 Ki = 256 KiB). */
  emaWindow?: number;
  /** Bytes per SHA-256 update window (default 256 KiB). */
  shaWindow?: number;
  /** Chunk bound pairs per window (default 8 Ki = 64 KiB). */
  boundsWindow?: number;
}

const DEFAULT_WINDOWS: Required<WasmWindowOptions> = {
  emaWindow: 64 * 1024,
  shaWindow: 256 * 1024,
  boundsWindow: 8 * 1024,
};

export function createWasmPreprocessor(wasm: PreprocExports, opts: WasmWindowOptions = {}): WasmPreprocessor {
  const windows = { ...DEFAULT_WINDOWS, ...opts };
  for (const [field, value] of Object.entries(windows)) {
    // A zero or fractional window would never advance through the input.
    if (!Number.isInteger(value) || value < 1 || value > 1 << 26) {
      throw new WorkerTaskError(ErrorCode.PreprocessFailed, `${field} must be an integer in [1, 2^26]`, {
        field,
        value: String(value),
      });
    }
  }
  // SHA-256 block layout: [state (rounded to 16) | digest (32, padded to 16-aligned 32) | data window].
  const stateBytes = (wasm.sha256_state_size() + 15) & ~15;

  /** Runs `fn` with a fresh block of `len` bytes, always freed, traps reported as typed errors. */
  function withBlock<T>(len: number, op: string, fn: (ptr: number) => T): T {
    const ptr = wasm.alloc_bytes(len) >>> 0;
    if (ptr === 0) {
      throw new WorkerTaskError(ErrorCode.PreprocessFailed, `wasm ${op}: out of memory for ${len} bytes`, {
        op,
        len,
      });
    }
    try {
      return fn(ptr);
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError) {
        throw new WorkerTaskError(ErrorCode.PreprocessFailed, `wasm ${op} trapped`, { op }, { cause: err });
      }
      throw err;
    } finally {
      wasm.dealloc_bytes(ptr, len);
    }
  }

  const chunkCount = (len: number, chunkSize: number): number => {
    checkLen(len);
    checkChunkSize(chunkSize);
    const count = wasm.chunk_count(len, chunkSize);
    checkStatus(count, 'chunk_count');
    return Number(count);
  };

  const pre: WasmPreprocessor = {
    impl: 'wasm',
    chunkCount,
    chunkBounds(len, chunkSize) {
      const count = chunkCount(len, chunkSize);
      checkChunkTotal(count);
      const out = new Uint32Array(2 * count);
      if (count === 0) return out;
      const win = Math.min(count, windows.boundsWindow);
      return withBlock(8 * win, 'chunk_bounds', (ptr) => {
        const pairs = new Uint32Array(wasm.memory.buffer, ptr, 2 * win);
        for (let first = 0; first < count; first += win) {
          const n = Math.min(win, count - first);
          checkStatus(wasm.chunk_bounds(len, chunkSize, first, n, ptr), 'chunk_bounds');
          out.set(n === win ? pairs : pairs.subarray(0, 2 * n), 2 * first);
        }
        return out;
      });
    },
    chunk(payload, chunkSize, index) {
      checkChunkIndex(index, chunkCount(payload.length, chunkSize));
      return withBlock(8, 'chunk_bounds', (ptr) => {
        checkStatus(wasm.chunk_bounds(payload.length, chunkSize, index, 1, ptr), 'chunk_bounds');
        const pair = new Uint32Array(wasm.memory.buffer, ptr, 2);
        const offset = pair[0] as number;
        return payload.subarray(offset, offset + (pair[1] as number));
      });
    },
    ema(x, alpha, out) {
      const a = checkAlpha(alpha);
      if (out !== undefined) checkEmaOut(x, out);
      const dst = out ?? new Float32Array(x.length);
      const n = x.length;
      if (n === 0) return dst;
      const win = Math.min(n, windows.emaWindow);
      return withBlock(4 * win, 'ema_f32', (ptr) => {
        const mem = new Uint8Array(wasm.memory.buffer);
        // Byte views: a same-type copy preserves every bit, NaN payloads included.
        const src = new Uint8Array(x.buffer, x.byteOffset, 4 * n);
        const dstBytes = new Uint8Array(dst.buffer, dst.byteOffset, 4 * n);
        let prev = 0;
        for (let start = 0; start < n; start += win) {
          const m = Math.min(win, n - start);
          mem.set(src.subarray(4 * start, 4 * (start + m)), ptr);
          checkStatus(wasm.ema_f32(ptr, ptr, m, a, prev, start === 0 ? 0 : 1), 'ema_f32');
          dstBytes.set(mem.subarray(ptr, ptr + 4 * m), 4 * start);
          // The last output carries the state into the next window (a NaN stays a NaN).
          prev = dst[start + m - 1] as number;
        }
        return dst;
      });
    },
    emaColumns(x, columns, alpha, out) {
      const a = checkAlpha(alpha);
      checkColumns(x.length, columns);
      if (out !== undefined) checkEmaOut(x, out);
      // One column is one series: ema_f32's scalar loop has no per-row overhead (same bits).
      if (columns === 1) return pre.ema(x, alpha, out);
      const dst = out ?? new Float32Array(x.length);
      const n = x.length;
      if (n === 0) return dst;
      // Whole rows per window (at least one), after a 16-aligned slot for the previous output row.
      const rowsPerWin = Math.max(1, Math.floor(windows.emaWindow / columns));
      const rows = n / columns;
      const prevBytes = (4 * columns + 15) & ~15;
      const winValues = Math.min(rows, rowsPerWin) * columns;
      return withBlock(prevBytes + 4 * winValues, 'ema_columns_f32', (base) => {
        const mem = new Uint8Array(wasm.memory.buffer);
        const win = base + prevBytes;
        const src = new Uint8Array(x.buffer, x.byteOffset, 4 * n);
        const dstBytes = new Uint8Array(dst.buffer, dst.byteOffset, 4 * n);
        for (let row = 0; row < rows; row += rowsPerWin) {
          const m = Math.min(rowsPerWin, rows - row);
          const start = 4 * row * columns;
          const len = 4 * m * columns;
          mem.set(src.subarray(start, start + len), win);
          checkStatus(wasm.ema_columns_f32(win, win, m, columns, a, row === 0 ? 0 : base), 'ema_columns_f32');
          dstBytes.set(mem.subarray(win, win + len), start);
          // The window's last output row seeds the next window (bit for bit: a byte copy).
          mem.copyWithin(base, win + len - 4 * columns, win + len);
        }
        return dst;
      });
    },
    sha256(bytes) {
      const len = bytes.length;
      const win = Math.min(len, windows.shaWindow);
      const digestAt = stateBytes;
      const dataAt = stateBytes + 32;
      return withBlock(dataAt + win, 'sha256', (base) => {
        const mem = new Uint8Array(wasm.memory.buffer);
        const state = base;
        checkStatus(wasm.sha256_init(state), 'sha256_init');
        for (let start = 0; start < len; start += win) {
          const m = Math.min(win, len - start);
          mem.set(bytes.subarray(start, start + m), base + dataAt);
          checkStatus(wasm.sha256_update(state, base + dataAt, m), 'sha256_update');
        }
        checkStatus(wasm.sha256_final(state, base + digestAt), 'sha256_final');
        return mem.slice(base + digestAt, base + digestAt + 32);
      });
    },
    liveBytes: () => wasm.live_bytes() >>> 0,
    memoryBytes: () => wasm.memory.buffer.byteLength,
  };
  return pre;
}
