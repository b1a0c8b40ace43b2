/**
 * Pure-TS preprocessor: the fallback when WebAssembly is unavailable, and the reference the
 * WASM build is tested against bit for bit.
 */
import type { WorkerTaskError } from '../../protocol/errors.ts';
import { sha256Js } from './sha256.ts';
import { CANONICAL_NAN_BITS, type Preprocessor } from './types.ts';
import {
  checkAlpha,
  checkChunkIndex,
  checkChunkSize,
  checkChunkTotal,
  checkColumns,
  checkEmaOut,
  checkLen,
  chunkCountOf,
} from './validate.ts';

export interface JsPreprocessorOptions {
  /** Why WASM was not used, when this instance is a fallback (see `Preprocessor.fallback`). */
  fallback?: WorkerTaskError;
}

export function createJsPreprocessor(opts: JsPreprocessorOptions = {}): Preprocessor {
  const chunkCount = (len: number, chunkSize: number): number => {
    checkLen(len);
    checkChunkSize(chunkSize);
    return chunkCountOf(len, chunkSize);
  };
  return {
    impl: 'js',
    fallback: opts.fallback,
    chunkCount,
    chunkBounds(len, chunkSize) {
      const count = chunkCount(len, chunkSize);
      checkChunkTotal(count);
      const out = new Uint32Array(2 * count);
      for (let i = 0, offset = 0; i < count; i++, offset += chunkSize) {
        out[2 * i] = offset;
        out[2 * i + 1] = Math.min(chunkSize, len - offset);
      }
      return out;
    },
    chunk(payload, chunkSize, index) {
      checkChunkIndex(index, chunkCount(payload.length, chunkSize));
      const offset = index * chunkSize;
      return payload.subarray(offset, offset + Math.min(chunkSize, payload.length - offset));
    },
    ema(x, alpha, out) {
      const a = checkAlpha(alpha);
      if (out !== undefined) checkEmaOut(x, out);
      const dst = out ?? new Float32Array(x.length);
      emaJs(x, a, dst);
      return dst;
    },
    emaColumns(x, columns, alpha, out) {
      const a = checkAlpha(alpha);
      checkColumns(x.length, columns);
      if (out !== undefined) checkEmaOut(x, out);
      const dst = out ?? new Float32Array(x.length);
      emaColumnsJs(x, columns, a, dst);
      return dst;
    },
    sha256: sha256Js,
  };
}

/** `a` is already an f32 value. Mirrors wasm-preproc/src/ema.rs operation by operation. */
function emaJs(x: Float32Array, a: number, dst: Float32Array): void {
  const n = x.length;
  if (n === 0) return;
  // NaNs go through the integer view: a Float32Array store may pick any NaN bit pattern.
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, n);
  let y = x[0] as number;
  if (Number.isNaN(y)) bits[0] = CANONICAL_NAN_BITS;
  else dst[0] = y;
  for (let i = 1; i < n; i++) {
    // f64 then fround gives the correctly rounded f32 result for + - * (53 >= 2 * 24 + 2 bits).
    y = Math.fround(y + Math.fround(a * Math.fround((x[i] as number) - y)));
    if (Number.isNaN(y)) bits[i] = CANONICAL_NAN_BITS;
    else dst[i] = y;
  }
}

/**
 * Mirrors wasm-preproc/src/ema_columns.rs. Row by row, each value's previous output is the one
 * a row above in `dst` (already written: in place works too); the inner loop over columns has
 * no dependency between iterations, which the JIT can overlap.
 */
function emaColumnsJs(x: Float32Array, columns: number, a: number, dst: Float32Array): void {
  const n = x.length;
  if (n === 0) return;
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, n);
  for (let c = 0; c < columns; c++) {
    const v = x[c] as number;
    if (Number.isNaN(v)) bits[c] = CANONICAL_NAN_BITS;
    else dst[c] = v;
  }
  for (let i = columns; i < n; i++) {
    const p = dst[i - columns] as number;
    const y = Math.fround(p + Math.fround(a * Math.fround((x[i] as number) - p)));
    if (Number.isNaN(y)) bits[i] = CANONICAL_NAN_BITS;
    else dst[i] = y;
  }
}
