/**
 * The contract both preprocessing implementations (WASM and pure TS) fulfil bit for bit.
 * Callers depend on `Preprocessor` only; `impl` says which one they got.
 */
import type { WorkerTaskError } from '../../protocol/errors.ts';

export type PreprocessImpl = 'wasm' | 'js';

export interface Preprocessor {
  readonly impl: PreprocessImpl;
  /**
   * Set when `createPreprocessor` wanted WASM but fell back to JS: a WorkerTaskError with code
   * WASM_UNAVAILABLE and `details.reason` ('no-webassembly' | 'load-failed'), worth logging.
   */
  readonly fallback?: WorkerTaskError;
  /** ceil(len / chunkSize): an empty payload has no chunks. */
  chunkCount(len: number, chunkSize: number): number;
  /**
   * Chunk boundaries as interleaved u32 pairs [offset0, len0, offset1, len1, ...]: chunk i
   * starts at i * chunkSize and only the last chunk may be shorter than chunkSize.
   */
  chunkBounds(len: number, chunkSize: number): Uint32Array;
  /** Chunk `index` of `payload` as a view (subarray, no copy). */
  chunk(payload: Uint8Array, chunkSize: number, index: number): Uint8Array;
  /**
   * EMA in f32, fixed order, no FMA: y[0] = x[0]; y[i] = y[i-1] + alpha * (x[i] - y[i-1]),
   * each operation rounded to f32. `alpha` is rounded to f32 first. Every NaN output is the
   * canonical 0x7FC00000. Writes into `out` when given (it may be `x` itself: in place).
   */
  ema(x: Float32Array, alpha: number, out?: Float32Array): Float32Array;
  /**
   * The same EMA down each column of the row-major matrix `x` with `columns` columns (each
   * column its own series: a multichannel signal, one feature per column):
   * y[0][c] = x[0][c]; y[r][c] = y[r-1][c] + alpha * (x[r][c] - y[r-1][c]). `columns = 1` is
   * `ema`. `x.length` must be a multiple of `columns`. WASM runs four columns per SIMD op.
   */
  emaColumns(x: Float32Array, columns: number, alpha: number, out?: Float32Array): Float32Array;
  /**
   * Synchronous SHA-256 (32 bytes). For large buffers prefer `crypto.subtle.digest` (browser) or
   * `Bun.CryptoHasher` / node:crypto (Bun): native SHA-NI/AVX2 code, 2-4x faster here.
   */
  sha256(bytes: Uint8Array): Uint8Array<ArrayBuffer>;
}

/** A WASM-backed preprocessor also exposes its memory, so tests can prove nothing leaks. */
export interface WasmPreprocessor extends Preprocessor {
  readonly impl: 'wasm';
  /** Bytes allocated in wasm memory and not freed (0 between calls when nothing leaks). */
  liveBytes(): number;
  /** Current size of the wasm linear memory in bytes (it grows, it never shrinks). */
  memoryBytes(): number;
}

/** Largest payload length accepted: chunk bounds are u32 on both implementations. */
export const MAX_PAYLOAD_LEN = 0xffff_ffff;
/** Largest chunk count `chunkBounds` materialises (8 bytes each: 32 MiB at the limit). */
export const MAX_CHUNKS = 1 << 22;
/** Bit pattern of every NaN that `ema` writes. */
export const CANONICAL_NAN_BITS = 0x7fc0_0000;
