/** Deterministic test data (xorshift32), so failures reproduce. */

/** Deterministic f32 data in [-1, 1) (xorshift32), so failures reproduce. */
export function randomF32(length: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export function randomU32(length: number, seed: number): Uint32Array {
  const f = randomF32(length, seed);
  return Uint32Array.from(f, (x) => Math.floor((x + 1) * 2 ** 31) >>> 0);
}
