/**
 * One call for the worker task loop: payload bytes in, output bytes out, on the GPU when a
 * context is given and usable, otherwise on the CPU reference.
 */
import { ErrorCode, throwIfAborted, WorkerTaskError } from '../protocol/errors.ts';
import type { GpuContext } from './gpu/types.ts';
import type { Kernel, KernelRunOptions } from './kernel.ts';

export interface ExecuteKernelOptions extends KernelRunOptions {
  /** The GPU to use; null/undefined or a lost context selects the CPU path. */
  gpu?: GpuContext | null;
}

export interface KernelResult {
  readonly output: Uint8Array;
  readonly path: 'gpu' | 'cpu';
}

export async function executeKernel<I, O>(
  kernel: Kernel<I, O>,
  payload: Uint8Array,
  opts: ExecuteKernelOptions = {},
): Promise<KernelResult> {
  throwIfAborted(opts.signal);
  const input = kernel.decodeInput(payload);
  const ctx = opts.gpu;
  if (ctx !== null && ctx !== undefined && !ctx.lost) {
    const output = await kernel.gpu(ctx, input, opts);
    return { output: kernel.encodeOutput(output), path: 'gpu' };
  }
  if (kernel.requiresGpu) {
    throw new WorkerTaskError(ErrorCode.KernelFailed, `${kernel.kind} needs a GPU; this worker has none`, {
      reason: 'gpu-required',
    });
  }
  return { output: kernel.encodeOutput(kernel.cpu(input)), path: 'cpu' };
}
