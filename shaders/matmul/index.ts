/** f32 matmul kernel: C (m x n) = A (m x k) * B (k x n). Exact (see ./cpu.ts for the contract). */
import { type Kernel, KernelKind } from '../kernel.ts';
import { matmulCpu } from './cpu.ts';
import { matmulGpu } from './host.ts';
import { decodeMatmulPayload, type MatmulInput, matmulOutputBytes } from './payload.ts';

export { matmulCpu } from './cpu.ts';
export { matmulGpu } from './host.ts';
export {
  decodeMatmulPayload,
  encodeMatmulPayload,
  MATMUL_MAX_DIM,
  type MatmulInput,
  matmulOutputBytes,
} from './payload.ts';
export { MATMUL_TILE } from './schema.ts';
export { matmulMain } from './shader.ts';

export const exact = true;

export const matmulKernel: Kernel<MatmulInput, Float32Array> = {
  kind: KernelKind.MatmulF32,
  exact,
  requiresGpu: false,
  decodeInput: decodeMatmulPayload,
  cpu: (input) => matmulCpu(input.a, input.b, input.m, input.k, input.n),
  cpuWork: (input) => input.m * input.k * input.n,
  gpu: matmulGpu,
  encodeOutput: matmulOutputBytes,
};
