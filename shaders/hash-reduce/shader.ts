/**
 * Hash-reduce: each invocation hashes words gid, gid + stride, ... (grid-stride), folds them into
 * a local sum and xor, then workgroup atomics and one global atomic per workgroup combine them.
 * Wrapping add and xor commute, so the result is the CPU reference's, bit for bit.
 */
import tgpu from 'typegpu';
import * as d from 'typegpu/data';
import { fmix32 } from '../wgsl-common.ts';
import { HASH_REDUCE_WORKGROUP, hashReduceLayout } from './schema.ts';

const wgSum = tgpu.workgroupVar(d.atomic(d.u32)).$name('wgSum');
const wgXor = tgpu.workgroupVar(d.atomic(d.u32)).$name('wgXor');

export const hashReduceMain = tgpu
  .computeFn({
    in: { gid: d.builtin.globalInvocationId, lid: d.builtin.localInvocationId },
    workgroupSize: [HASH_REDUCE_WORKGROUP],
  })(/* wgsl */ `{
  var sum = 0u;
  var acc = 0u;
  for (var i = in.gid.x; i < io.params.count; i += io.params.stride) {
    let h = fmix32((io.words[i] ^ io.params.seed) + i * 0x9e3779b9u);
    sum += h;
    acc ^= h;
  }
  atomicAdd(&wgSum, sum);
  atomicXor(&wgXor, acc);
  workgroupBarrier();
  if (in.lid.x == 0u) {
    atomicAdd(&io.total[0], atomicLoad(&wgSum));
    atomicXor(&io.total[1], atomicLoad(&wgXor));
  }
}`)
  .$uses({ io: hashReduceLayout.$, wgSum, wgXor, fmix32 })
  .$name('hashReduceMain');
