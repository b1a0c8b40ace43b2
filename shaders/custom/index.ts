/**
 * Researcher-supplied WGSL. Not exact (the shader may use anything, transcendentals included), so
 * digests are compared only within one adapter class. There is no CPU path.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import { type Kernel, KernelKind } from '../kernel.ts';
import { customGpu } from './host.ts';
import { type CustomInput, decodeCustomPayload } from './payload.ts';

export { type CompiledCustomKernel, compileCustomKernel } from './compile.ts';
export { customGpu } from './host.ts';
export {
  CUSTOM_LIMITS,
  type CustomBinding,
  type CustomHeader,
  type CustomInput,
  decodeCustomPayload,
  encodeCustomPayload,
} from './payload.ts';
export {
  CustomKernelReason,
  type ScannedBinding,
  scanBindings,
  stripComments,
  validateCustomKernel,
} from './validate.ts';

export const exact = false;

export const customKernel: Kernel<CustomInput, Uint8Array> = {
  kind: KernelKind.CustomWgsl,
  exact,
  requiresGpu: true,
  decodeInput: decodeCustomPayload,
  cpu: () => {
    throw new WorkerTaskError(
      ErrorCode.KernelFailed,
      'custom WGSL kernels need a GPU; this worker has none',
      {
        reason: 'gpu-required',
      },
    );
  },
  cpuWork: () => Number.POSITIVE_INFINITY,
  gpu: customGpu,
  encodeOutput: (output) => output,
};
