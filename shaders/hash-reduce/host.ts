/** Host wrapper of the hash-reduce kernel. */
import { beginRun, type GpuRunOptions, outputBuffer, storageBuffer, submitAndRead } from '../gpu/host.ts';
import type { GpuContext } from '../gpu/types.ts';
import { cachedPipeline } from '../pipeline-cache.ts';
import type { HashReduceInput, HashReduceOutput } from './payload.ts';
import {
  HASH_REDUCE_MAX_GROUPS,
  HASH_REDUCE_WORKGROUP,
  HashReduceParams,
  hashReduceLayout,
} from './schema.ts';
import { hashReduceMain } from './shader.ts';

export async function hashReduceGpu(
  ctx: GpuContext,
  input: HashReduceInput,
  opts: GpuRunOptions = {},
): Promise<HashReduceOutput> {
  beginRun(ctx, opts);
  const { root, device } = ctx;
  const count = input.words.length;
  const groups = Math.min(HASH_REDUCE_MAX_GROUPS, Math.ceil(count / HASH_REDUCE_WORKGROUP));
  const pipeline = await cachedPipeline(root, hashReduceMain);
  const params = root
    .createBuffer(HashReduceParams, { seed: input.seed, count, stride: groups * HASH_REDUCE_WORKGROUP })
    .$usage('uniform');
  const words = storageBuffer(device, 'hash-reduce-words', input.words);
  const total = outputBuffer(device, 'hash-reduce-total', 8);
  try {
    const bindGroup = root.createBindGroup(hashReduceLayout, { params, words, total });
    const bytes = await submitAndRead(
      ctx,
      (encoder) => pipeline.with(bindGroup).with(encoder).dispatchWorkgroups(groups),
      total,
      8,
      opts,
    );
    const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
    return { sum: view.getUint32(0, true), xor: view.getUint32(4, true) };
  } finally {
    params.destroy();
    words.destroy();
    total.destroy();
  }
}
