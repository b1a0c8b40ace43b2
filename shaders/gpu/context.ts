/**
 * Shared by the Dawn and browser entry points: adapter -> device -> TypeGPU root -> GpuContext.
 * Has no host-specific imports, so browser bundles can include it.
 */
import tgpu from 'typegpu';
import { throwIfAborted } from '../../protocol/errors.ts';
import type { AcquireGpuOptions, GpuAdapterSummary, GpuContext } from './types.ts';

export const defaultGpuLog = (line: string): void => console.warn(`[shardmesh:gpu] ${line}`);

/** Resolves to null (after logging why) when the GPU object offers no adapter or device. */
export async function contextFromGpu(gpu: GPU, opts: AcquireGpuOptions = {}): Promise<GpuContext | null> {
  const log = opts.log ?? defaultGpuLog;
  throwIfAborted(opts.signal);
  const adapter = await gpu.requestAdapter(
    opts.powerPreference === undefined ? undefined : { powerPreference: opts.powerPreference },
  );
  throwIfAborted(opts.signal);
  if (adapter === null) {
    log('no WebGPU adapter available; kernels will run on the CPU reference path');
    return null;
  }
  let device: GPUDevice;
  try {
    // Default limits on purpose: every worker then validates kernels against the same limits.
    device = await adapter.requestDevice({ label: 'shardmesh' });
  } catch (err) {
    log(`adapter found but requestDevice failed (${String(err)}); using the CPU reference path`);
    return null;
  }
  if (opts.signal?.aborted === true) {
    device.destroy();
    throwIfAborted(opts.signal);
  }
  return wrapDevice(device, summarizeAdapter(adapter), log);
}

export function summarizeAdapter(adapter: GPUAdapter): GpuAdapterSummary {
  const info = adapter.info;
  // isFallbackAdapter moved from GPUAdapter to GPUAdapterInfo; read whichever this host has.
  const legacy = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const fromInfo = (info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallback: fromInfo ?? legacy ?? false,
  };
}

function wrapDevice(
  device: GPUDevice,
  adapterInfo: GpuAdapterSummary,
  log: (line: string) => void,
): GpuContext {
  const root = tgpu.initFromDevice({ device });
  let lost = false;
  let destroyed = false;
  void device.lost.then((info) => {
    if (!destroyed) log(`device lost (${info.reason}): ${info.message}`);
    lost = true;
  });
  device.addEventListener('uncapturederror', (event) => {
    log(`uncaptured GPU error: ${(event as GPUUncapturedErrorEvent).error.message}`);
  });
  return {
    root,
    device,
    adapterInfo,
    get lost() {
      return lost;
    },
    markLost(reason: string) {
      if (!lost) log(`context marked unusable: ${reason}`);
      lost = true;
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      lost = true;
      root.destroy();
      device.destroy();
    },
  };
}
