/** TypeGPU data types and bind group layout of the similarity-search kernel. */
import tgpu from 'typegpu';
import * as d from 'typegpu/data';

export const SIMILARITY_WORKGROUP = 64;

export const SimilarityParams = d.struct({ count: d.u32, dim: d.u32 }).$name('SimilarityParams');

export const similarityLayout = tgpu
  .bindGroupLayout({
    params: { uniform: SimilarityParams },
    query: { storage: (len: number) => d.arrayOf(d.f32, len), access: 'readonly' },
    vectors: { storage: (len: number) => d.arrayOf(d.f32, len), access: 'readonly' },
    scores: { storage: (len: number) => d.arrayOf(d.f32, len), access: 'mutable' },
  })
  .$name('similarity')
  .$idx(0);
