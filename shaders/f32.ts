/**
 * f32 rules shared by the exact float kernels and their CPU references.
 *
 * Adapters differ in two places even when every operation is a correctly rounded + or *:
 * - subnormals: SwiftShader flushes subnormal inputs and results to zero (measured), the CPU
 *   keeps them, real GPUs vary. Exact kernels therefore flush every input, product and partial
 *   sum explicitly, on both sides (WGSL twin: `flushSubnormal` in ./wgsl-common.ts).
 * - NaN bit patterns: SwiftShader yields 0xffc00000 for inf - inf, JavaScript 0x7fc00000.
 *   Output bytes therefore carry one canonical NaN.
 */
import { wordsToLeBytes } from './bytes.ts';

/** Smallest positive normal f32, 2^-126. */
export const F32_MIN_NORMAL = 2 ** -126;
export const CANONICAL_NAN_BITS = 0x7fc00000;

/** Subnormal (or -0) -> +0; everything else, NaN and infinities too, unchanged. */
export function flushSubnormal(x: number): number {
  return Math.abs(x) < F32_MIN_NORMAL ? 0 : x;
}

/** Rewrites every NaN in place to the canonical quiet NaN. `words` is a u32 view of f32 data. */
export function canonicalizeNaNs(words: Uint32Array): void {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as number;
    if ((w & 0x7f800000) === 0x7f800000 && (w & 0x007fffff) !== 0) words[i] = CANONICAL_NAN_BITS;
  }
}

/** f32 values as little-endian bytes with canonical NaNs: the exact bytes a worker hashes. */
export function f32Bytes(values: Float32Array): Uint8Array {
  const words = new Uint32Array(values.length);
  words.set(new Uint32Array(values.buffer, values.byteOffset, values.length));
  canonicalizeNaNs(words);
  return wordsToLeBytes(words);
}
