/** Vector similarity search: fixed-order f32 dot products + top-k. Exact. */
import { type Kernel, KernelKind } from '../kernel.ts';
import { similarityCpu } from './cpu.ts';
import { similarityGpu } from './host.ts';
import { decodeSimilarityPayload, type SimilarityInput, type SimilarityOutput } from './payload.ts';
import { similarityOutputBytes } from './topk.ts';

export { similarityCpu, similarityScoresCpu } from './cpu.ts';
export { similarityGpu, similarityScoresGpu } from './host.ts';
export {
  decodeSimilarityPayload,
  encodeSimilarityPayload,
  SIMILARITY_MAX_DIM,
  SIMILARITY_MAX_ELEMENTS,
  SIMILARITY_MAX_K,
  type SimilarityInput,
  type SimilarityOutput,
} from './payload.ts';
export { SIMILARITY_WORKGROUP } from './schema.ts';
export { similarityMain } from './shader.ts';
export { ranksBefore, selectTopK, similarityOutputBytes } from './topk.ts';

export const exact = true;

export const similarityKernel: Kernel<SimilarityInput, SimilarityOutput> = {
  kind: KernelKind.SimilarityTopk,
  exact,
  requiresGpu: false,
  decodeInput: decodeSimilarityPayload,
  cpu: similarityCpu,
  cpuWork: (input) => input.count * input.dim,
  gpu: similarityGpu,
  encodeOutput: similarityOutputBytes,
};
