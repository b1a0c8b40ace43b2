/**
 * Monte Carlo pi: one invocation per PRNG stream (see ./cpu.ts for the stream). Counts are
 * reduced with integer atomics: per workgroup into workgroup memory, then one atomicAdd per
 * workgroup into a 64-bit (lo, hi) total, the carry detected from the value atomicAdd returns.
 * Integer addition commutes, so the scheduling order cannot change the result.
 */
import tgpu from 'typegpu';
import * as d from 'typegpu/data';
import { pcgHash } from '../wgsl-common.ts';
import { MONTECARLO_WORKGROUP, montecarloLayout } from './schema.ts';

const wgHits = tgpu.workgroupVar(d.atomic(d.u32)).$name('wgHits');

export const montecarloMain = tgpu
  .computeFn({
    in: { gid: d.builtin.globalInvocationId, lid: d.builtin.localInvocationId },
    workgroupSize: [MONTECARLO_WORKGROUP],
  })(/* wgsl */ `{
  var hits = 0u;
  // No early return: every invocation must reach the barrier.
  if (in.gid.x < io.params.invocations) {
    var state = pcgHash(io.params.seed ^ pcgHash(in.gid.x));
    for (var s = 0u; s < io.params.samples; s++) {
      state = state * 747796405u + 2891336453u;
      let r = pcgHash(state);
      let x = r & 0x7fffu;
      let y = (r >> 15u) & 0x7fffu;
      if (x * x + y * y < 0x40000000u) { hits += 1u; }
    }
  }
  atomicAdd(&wgHits, hits);
  workgroupBarrier();
  if (in.lid.x == 0u) {
    let sum = atomicLoad(&wgHits);
    let before = atomicAdd(&io.total[0], sum);
    if (before > 0xffffffffu - sum) { atomicAdd(&io.total[1], 1u); }
  }
}`)
  .$uses({ io: montecarloLayout.$, wgHits, pcgHash })
  .$name('montecarloMain');
