/** Host wrapper of similarity search: scores on the GPU, top-k on the host (./topk.ts). */
import { beginRun, type GpuRunOptions, outputBuffer, storageBuffer, submitAndRead } from '../gpu/host.ts';
import type { GpuContext } from '../gpu/types.ts';
import { cachedPipeline } from '../pipeline-cache.ts';
import type { SimilarityInput, SimilarityOutput } from './payload.ts';
import { SIMILARITY_WORKGROUP, SimilarityParams, similarityLayout } from './schema.ts';
import { similarityMain } from './shader.ts';
import { selectTopK } from './topk.ts';

export async function similarityScoresGpu(
  ctx: GpuContext,
  input: SimilarityInput,
  opts: GpuRunOptions = {},
): Promise<Float32Array> {
  beginRun(ctx, opts);
  const { root, device } = ctx;
  const { count, dim } = input;
  const pipeline = await cachedPipeline(root, similarityMain);
  const params = root.createBuffer(SimilarityParams, { count, dim }).$usage('uniform');
  const query = storageBuffer(device, 'similarity-query', input.query);
  const vectors = storageBuffer(device, 'similarity-vectors', input.vectors);
  const scores = outputBuffer(device, 'similarity-scores', count * 4);
  try {
    const bindGroup = root.createBindGroup(similarityLayout, { params, query, vectors, scores });
    const bytes = await submitAndRead(
      ctx,
      (encoder) =>
        pipeline
          .with(bindGroup)
          .with(encoder)
          .dispatchWorkgroups(Math.ceil(count / SIMILARITY_WORKGROUP)),
      scores,
      count * 4,
      opts,
    );
    return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  } finally {
    params.destroy();
    query.destroy();
    vectors.destroy();
    scores.destroy();
  }
}

export async function similarityGpu(
  ctx: GpuContext,
  input: SimilarityInput,
  opts: GpuRunOptions = {},
): Promise<SimilarityOutput> {
  return selectTopK(await similarityScoresGpu(ctx, input, opts), input.k);
}
