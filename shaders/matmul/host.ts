/** Host wrapper of the f32 matmul kernel: upload A and B, one dispatch, read C back. */
import { beginRun, type GpuRunOptions, outputBuffer, storageBuffer, submitAndRead } from '../gpu/host.ts';
import type { GpuContext } from '../gpu/types.ts';
import { cachedPipeline } from '../pipeline-cache.ts';
import type { MatmulInput } from './payload.ts';
import { MATMUL_TILE, MatmulParams, matmulLayout } from './schema.ts';
import { matmulMain } from './shader.ts';

/** C = A * B on the GPU, bit-identical to `matmulCpu`. */
export async function matmulGpu(
  ctx: GpuContext,
  input: MatmulInput,
  opts: GpuRunOptions = {},
): Promise<Float32Array> {
  beginRun(ctx, opts);
  const { root, device } = ctx;
  const { m, k, n } = input;
  const pipeline = await cachedPipeline(root, matmulMain);
  const params = root.createBuffer(MatmulParams, { m, k, n }).$usage('uniform');
  const a = storageBuffer(device, 'matmul-a', input.a);
  const b = storageBuffer(device, 'matmul-b', input.b);
  const c = outputBuffer(device, 'matmul-c', m * n * 4);
  try {
    const bindGroup = root.createBindGroup(matmulLayout, { params, a, b, c });
    const bytes = await submitAndRead(
      ctx,
      (encoder) =>
        pipeline
          .with(bindGroup)
          .with(encoder)
          .dispatchWorkgroups(Math.ceil(n / MATMUL_TILE), Math.ceil(m / MATMUL_TILE)),
      c,
      m * n * 4,
      opts,
    );
    return new Float32Array(bytes.buffer, bytes.byteOffset, m * n);
  } finally {
    params.destroy();
    a.destroy();
    b.destroy();
    c.destroy();
  }
}
