/** Host wrapper of the Monte Carlo kernel. */
import { beginRun, type GpuRunOptions, outputBuffer, submitAndRead } from '../gpu/host.ts';
import type { GpuContext } from '../gpu/types.ts';
import { cachedPipeline } from '../pipeline-cache.ts';
import type { MontecarloInput, MontecarloOutput } from './payload.ts';
import { MONTECARLO_WORKGROUP, MontecarloParams, montecarloLayout } from './schema.ts';
import { montecarloMain } from './shader.ts';

export async function montecarloGpu(
  ctx: GpuContext,
  input: MontecarloInput,
  opts: GpuRunOptions = {},
): Promise<MontecarloOutput> {
  beginRun(ctx, opts);
  const { root, device } = ctx;
  const pipeline = await cachedPipeline(root, montecarloMain);
  const params = root
    .createBuffer(MontecarloParams, {
      seed: input.seed,
      invocations: input.invocations,
      samples: input.samplesPerInvocation,
    })
    .$usage('uniform');
  const total = outputBuffer(device, 'montecarlo-total', 8);
  try {
    const bindGroup = root.createBindGroup(montecarloLayout, { params, total });
    const bytes = await submitAndRead(
      ctx,
      (encoder) =>
        pipeline
          .with(bindGroup)
          .with(encoder)
          .dispatchWorkgroups(Math.ceil(input.invocations / MONTECARLO_WORKGROUP)),
      total,
      8,
      opts,
    );
    const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
    const hits = view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
    return { hits, samples: input.invocations * input.samplesPerInvocation };
  } finally {
    params.destroy();
    total.destroy();
  }
}
