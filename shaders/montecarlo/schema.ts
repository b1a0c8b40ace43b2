/** TypeGPU data types and bind group layout of the Monte Carlo kernel. */
import tgpu from 'typegpu';
import * as d from 'typegpu/data';

export const MONTECARLO_WORKGROUP = 64;

export const MontecarloParams = d
  .struct({ seed: d.u32, invocations: d.u32, samples: d.u32 })
  .$name('MontecarloParams');

/** total[0] = low 32 bits of the hit count, total[1] = high bits (carries). */
export const montecarloLayout = tgpu
  .bindGroupLayout({
    params: { uniform: MontecarloParams },
    total: { storage: d.arrayOf(d.atomic(d.u32), 2), access: 'mutable' },
  })
  .$name('montecarlo')
  .$idx(0);
