/** One compiled pipeline per (TypeGPU root, compute fn): compiling is the slow part of a dispatch. */
import type { TgpuComputeFn, TgpuComputePipeline, TgpuRoot } from 'typegpu';

const cache = new WeakMap<TgpuRoot, Map<TgpuComputeFn, Promise<TgpuComputePipeline>>>();

export function cachedPipeline(root: TgpuRoot, compute: TgpuComputeFn): Promise<TgpuComputePipeline> {
  let perRoot = cache.get(root);
  if (perRoot === undefined) {
    perRoot = new Map();
    cache.set(root, perRoot);
  }
  let pipeline = perRoot.get(compute);
  if (pipeline === undefined) {
    const created = root.createComputePipeline({ compute });
    pipeline = created.initAsync().then(() => created);
    // A failed compile must not be cached: the next task retries it.
    pipeline.catch(() => perRoot.delete(compute));
    perRoot.set(compute, pipeline);
  }
  return pipeline;
}
