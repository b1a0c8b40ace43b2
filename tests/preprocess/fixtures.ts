/** Shared arbitraries and helpers for the preprocessing tests. */
import fc from 'fast-check';

/** Bit patterns that stress f32 arithmetic: zeros, subnormals, extremes, infinities, NaNs. */
export const SPECIAL_F32_BITS = [
  0x0000_0000, // +0
  0x8000_0000, // -0
  0x0000_0001, // smallest subnormal
  0x8000_0001,
  0x007f_ffff, // largest subnormal
  0x0080_0000, // smallest normal
  0x7f7f_ffff, // largest finite
  0xff7f_ffff,
  0x7f80_0000, // +Infinity
  0xff80_0000, // -Infinity
  0x7fc0_0000, // canonical quiet NaN
  0xffc0_0000, // negative quiet NaN
  0x7f80_0001, // signalling NaN
  0x7fa5_a5a5, // NaN with payload
  0x3f80_0000, // 1
  0xbf80_0000, // -1
];

/** Any f32 bit pattern, biased towards the special ones and towards ordinary magnitudes. */
export const f32Bits = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_F32_BITS) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }) },
  { weight: 3, arbitrary: fc.float({ min: -1000, max: 1000, noNaN: true }).map(toBits) },
  // Subnormal range, both signs.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 0x007f_ffff }), fc.boolean())
      .map(([m, negative]) => (negative ? (m | 0x8000_0000) >>> 0 : m)),
  },
);

export function toBits(v: number): number {
  return new Uint32Array(new Float32Array([v]).buffer)[0] as number;
}

export function f32FromBits(bits: readonly number[]): Float32Array {
  return new Float32Array(new Uint32Array(bits).buffer);
}

/** Bit views, so NaN payloads and -0 count in comparisons. */
export function bitsOf(x: Float32Array): Uint32Array {
  return new Uint32Array(x.buffer, x.byteOffset, x.length);
}

/** alpha in [0, 1], including the edges, tiny values that round to f32 subnormals/0, and 1-ulp. */
export const alphaArb = fc.oneof(
  fc.constantFrom(0, 1, 0.5, 0.1, 1e-45, 1e-50, Math.fround(1 - 2 ** -24), 2 ** -149),
  fc.double({ min: 0, max: 1, noNaN: true }),
);
