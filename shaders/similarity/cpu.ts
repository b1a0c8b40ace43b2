/**
 * CPU reference of similarity search: score_i = sum over p = 0..dim-1, in order, of
 * query[p] * vector_i[p], each product and partial sum rounded to f32 and flushed like the
 * matmul reference (see ../f32.ts), then `selectTopK`.
 */
import { flushSubnormal } from '../f32.ts';
import type { SimilarityInput, SimilarityOutput } from './payload.ts';
import { selectTopK } from './topk.ts';

export function similarityScoresCpu(input: SimilarityInput): Float32Array {
  const { count, dim } = input;
  const query = input.query.map(flushSubnormal);
  const scores = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let acc = 0;
    const base = i * dim;
    for (let p = 0; p < dim; p++) {
      const v = flushSubnormal(input.vectors[base + p] as number);
      acc = flushSubnormal(Math.fround(acc + flushSubnormal(Math.fround((query[p] as number) * v))));
    }
    scores[i] = acc;
  }
  return scores;
}

export function similarityCpu(input: SimilarityInput): SimilarityOutput {
  return selectTopK(similarityScoresCpu(input), input.k);
}
