/** WGSL helpers shared by several kernels, as TypeGPU functions so they resolve into each shader. */
import tgpu from 'typegpu';
import * as d from 'typegpu/data';

/**
 * Subnormal -> +0 (twin of `flushSubnormal` in ./f32.ts). Placing this select between every
 * multiply and add also means no compiler can contract them into an FMA: the add's operand is a
 * select, not a multiply.
 */
export const flushSubnormal = tgpu
  .fn(
    [d.f32],
    d.f32,
  )(`(x: f32) -> f32 {
  return select(x, 0.0, abs(x) < 1.17549435e-38);
}`)
  .$name('flushSubnormal');

/** PCG "RXS M XS" output permutation (O'Neill), a u32 -> u32 hash. Twin of `pcgHash` in ./prng.ts. */
export const pcgHash = tgpu
  .fn(
    [d.u32],
    d.u32,
  )(`(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}`)
  .$name('pcgHash');

/** MurmurHash3's 32-bit finalizer. Twin of `fmix32` in ./prng.ts. */
export const fmix32 = tgpu
  .fn(
    [d.u32],
    d.u32,
  )(`(v: u32) -> u32 {
  var h = v;
  h = h ^ (h >> 16u);
  h = h * 0x85ebca6bu;
  h = h ^ (h >> 13u);
  h = h * 0xc2b2ae35u;
  h = h ^ (h >> 16u);
  return h;
}`)
  .$name('fmix32');
