/**
 * CPU reference for the f32 matmul kernel.
 *
 * Exactness contract: every product and every partial sum is rounded to f32 (Math.fround) and
 * the sum runs over p = 0..k-1 in order, with no fused multiply-add. Inputs, products and partial
 * sums that are subnormal are flushed to +0 (adapters disagree on subnormals: SwiftShader flushes
 * them, the CPU keeps them; see ../f32.ts). The WGSL kernel follows the same order and the same
 * flushing, so honest workers produce bit-identical outputs on any adapter; for inputs whose
 * values, products and partial sums stay normal the flushing changes nothing.
 */
import { flushSubnormal } from '../f32.ts';

export function matmulCpu(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const fa = a.map(flushSubnormal);
  const fb = b.map(flushSubnormal);
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) {
        const product = flushSubnormal(Math.fround((fa[i * k + p] as number) * (fb[p * n + j] as number)));
        acc = flushSubnormal(Math.fround(acc + product));
      }
      c[i * n + j] = acc;
    }
  }
  return c;
}
