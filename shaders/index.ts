/**
 * Public surface of the kernels. GPU contexts come from `./gpu/dawn.ts` (Bun/Node) or
 * `./gpu/browser.ts` (browsers); this file imports neither, so it is safe in both bundles.
 */
import { customKernel } from './custom/index.ts';
import { hashReduceKernel } from './hash-reduce/index.ts';
import { type Kernel, KernelKind } from './kernel.ts';
import { matmulKernel } from './matmul/index.ts';
import { montecarloKernel } from './montecarlo/index.ts';
import { similarityKernel } from './similarity/index.ts';

export type { GpuRunOptions } from './gpu/host.ts';
export type { AcquireGpuOptions, GpuAdapterSummary, GpuContext } from './gpu/types.ts';
export { type Kernel, KernelKind, type KernelRunOptions } from './kernel.ts';
export { type ExecuteKernelOptions, executeKernel, type KernelResult } from './run.ts';
export { customKernel, hashReduceKernel, matmulKernel, montecarloKernel, similarityKernel };

/** Every kernel by task kind. Method-style members make each Kernel<I, O> fit Kernel<unknown, unknown>. */
export const kernels: Readonly<Record<KernelKind, Kernel<unknown, unknown>>> = {
  [KernelKind.MatmulF32]: matmulKernel as Kernel<unknown, unknown>,
  [KernelKind.MontecarloU32]: montecarloKernel as Kernel<unknown, unknown>,
  [KernelKind.SimilarityTopk]: similarityKernel as Kernel<unknown, unknown>,
  [KernelKind.HashReduceU32]: hashReduceKernel as Kernel<unknown, unknown>,
  [KernelKind.CustomWgsl]: customKernel as Kernel<unknown, unknown>,
};

export function isKernelKind(value: string): value is KernelKind {
  return Object.hasOwn(kernels, value);
}
