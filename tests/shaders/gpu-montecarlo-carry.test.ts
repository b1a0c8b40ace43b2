/**
 * The Monte Carlo total is 64-bit: (lo, hi) words with a carry detected from atomicAdd's return
 * value. Within the payload limits the count never reaches 2^32, so the carry is tested by
 * starting the total just below 2^32 and dispatching the real shader directly.
 */
import { describe, expect, test } from 'bun:test';
import { outputBuffer, submitAndRead } from '../../shaders/gpu/host.ts';
import { MONTECARLO_WORKGROUP, montecarloCpu, montecarloMain } from '../../shaders/montecarlo/index.ts';
import { MontecarloParams, montecarloLayout } from '../../shaders/montecarlo/schema.ts';
import { cachedPipeline } from '../../shaders/pipeline-cache.ts';
import { useGpu } from './gpu-fixture.ts';

const { gpu, ctx } = await useGpu();

describe.skipIf(gpu === null)('montecarlo 64-bit total', () => {
  test('hits added onto 2^32 - 100 carry into the high word exactly', async () => {
    const { root, device } = ctx();
    const input = { seed: 77, invocations: 3 * MONTECARLO_WORKGROUP + 5, samplesPerInvocation: 50 };
    const start = 2 ** 32 - 100;
    const pipeline = await cachedPipeline(root, montecarloMain);
    const params = root
      .createBuffer(MontecarloParams, { seed: input.seed, invocations: input.invocations, samples: 50 })
      .$usage('uniform');
    const total = outputBuffer(device, 'carry-total', 8);
    device.queue.writeBuffer(total, 0, Uint32Array.from([start, 0]));
    const bindGroup = root.createBindGroup(montecarloLayout, { params, total });
    const bytes = await submitAndRead(
      ctx(),
      (encoder) =>
        pipeline
          .with(bindGroup)
          .with(encoder)
          .dispatchWorkgroups(Math.ceil(input.invocations / MONTECARLO_WORKGROUP)),
      total,
      8,
    );
    params.destroy();
    total.destroy();
    const [lo = 0, hi = 0] = new Uint32Array(bytes.buffer, bytes.byteOffset, 2);
    const { hits } = montecarloCpu(input);
    expect(hits).toBeGreaterThan(100); // so the sum does cross 2^32
    expect(hi * 2 ** 32 + lo).toBe(start + hits);
    expect(hi).toBe(1);
  });
});
