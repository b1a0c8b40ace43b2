/** Browser (page or dedicated Worker) GPU: navigator.gpu. Same contract as `./dawn.ts`. */
import { throwIfAborted } from '../../protocol/errors.ts';
import { contextFromGpu, defaultGpuLog } from './context.ts';
import type { AcquireGpuOptions, GpuContext } from './types.ts';

export type { AcquireGpuOptions, GpuAdapterSummary, GpuContext } from './types.ts';

export async function acquireGpu(opts: AcquireGpuOptions = {}): Promise<GpuContext | null> {
  const log = opts.log ?? defaultGpuLog;
  throwIfAborted(opts.signal);
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu === undefined) {
    log('navigator.gpu is missing (no WebGPU, or not a secure context); using the CPU reference path');
    return null;
  }
  return contextFromGpu(gpu, { ...opts, log });
}
