/**
 * CPU reference for the f32 matmul kernel.
 *
 * Exactness contract: every product and every partial sum is rounded to f32 (Math.fround) and
 * the sum runs over p = 0..k-1 in order, with no fused multiply-add. The WGSL kernel follows the
 * same order, so honest workers produce bit-identical outputs on any adapter that does not fuse.
 */
export function matmulCpu(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) {
        const product = Math.fround((a[i * k + p] as number) * (b[p * n + j] as number));
        acc = Math.fround(acc + product);
      }
      c[i * n + j] = acc;
    }
  }
  return c;
}
