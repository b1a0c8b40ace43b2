/** TypeGPU data types and bind group layout of the hash-reduce kernel. */
import tgpu from 'typegpu';
import * as d from 'typegpu/data';

export const HASH_REDUCE_WORKGROUP = 64;
/** Upper bound on workgroups; larger inputs are covered by a grid-stride loop. */
export const HASH_REDUCE_MAX_GROUPS = 1024;

export const HashReduceParams = d
  .struct({ seed: d.u32, count: d.u32, stride: d.u32 })
  .$name('HashReduceParams');

/** total[0] = wrapping sum, total[1] = xor. */
export const hashReduceLayout = tgpu
  .bindGroupLayout({
    params: { uniform: HashReduceParams },
    words: { storage: (len: number) => d.arrayOf(d.u32, len), access: 'readonly' },
    total: { storage: d.arrayOf(d.atomic(d.u32), 2), access: 'mutable' },
  })
  .$name('hashReduce')
  .$idx(0);
