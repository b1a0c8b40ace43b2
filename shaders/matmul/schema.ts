/** TypeGPU data types and bind group layout of the f32 matmul kernel. */
import tgpu from 'typegpu';
import * as d from 'typegpu/data';

/** Side of the square tiles staged in workgroup memory; the workgroup is TILE x TILE. */
export const MATMUL_TILE = 16;

export const MatmulParams = d.struct({ m: d.u32, k: d.u32, n: d.u32 }).$name('MatmulParams');

export const matmulLayout = tgpu
  .bindGroupLayout({
    params: { uniform: MatmulParams },
    a: { storage: (len: number) => d.arrayOf(d.f32, len), access: 'readonly' },
    b: { storage: (len: number) => d.arrayOf(d.f32, len), access: 'readonly' },
    c: { storage: (len: number) => d.arrayOf(d.f32, len), access: 'mutable' },
  })
  .$name('matmul')
  .$idx(0);
