/**
 * Similarity scores: invocation i computes the dot product of the query with vector i over
 * p = 0..dim-1 in order, flushing like the CPU reference (no FMA, no subnormals). No workgroup
 * memory and no barrier: every invocation reads the same query word at the same time, which
 * caches serve well, and software adapters are slow at barriers.
 */
import tgpu from 'typegpu';
import * as d from 'typegpu/data';
import { flushSubnormal } from '../wgsl-common.ts';
import { SIMILARITY_WORKGROUP, similarityLayout } from './schema.ts';

export const similarityMain = tgpu
  .computeFn({
    in: { gid: d.builtin.globalInvocationId },
    workgroupSize: [SIMILARITY_WORKGROUP],
  })(/* wgsl */ `{
  let i = in.gid.x;
  if (i >= io.params.count) { return; }
  let dim = io.params.dim;
  let base = i * dim;
  var acc = 0.0f;
  for (var p = 0u; p < dim; p++) {
    let product = flushSubnormal(flushSubnormal(io.query[p]) * flushSubnormal(io.vectors[base + p]));
    acc = flushSubnormal(acc + product);
  }
  io.scores[i] = acc;
}`)
  .$uses({ io: similarityLayout.$, flushSubnormal })
  .$name('similarityMain');
