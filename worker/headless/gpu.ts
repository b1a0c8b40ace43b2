/**
 * GPU for the headless worker: Dawn through the npm `webgpu` package (SwiftShader here, a real
 * GPU where there is one). Dawn is imported only when wanted, so `gpu: 'off'` never loads the
 * native module. Without an adapter the provider logs one clear line and tasks use the CPU path.
 *
 * A fallback (software) adapter such as SwiftShader is a GPU emulated on the CPU: by default
 * ('auto') it computes only the kinds that have no CPU path (custom WGSL), and every other kind
 * takes the CPU path, which is faster on the same cores (one worker, 3,000 1x1 matmuls: 2.4 s
 * instead of 6.5 s, a quarter of the CPU; 64x64 matmul in the page: 51 vs 26 tasks/s).
 * 'any' uses whatever adapter Dawn offers for every kind (the GPU path tests, demos of WebGPU).
 */
import { GpuProvider } from '../runtime/gpu-provider.ts';
import { requiresGpu } from '../runtime/task-kinds.ts';

export type HeadlessGpuMode = 'auto' | 'any' | 'off';
export const HEADLESS_GPU_MODES: readonly HeadlessGpuMode[] = ['auto', 'any', 'off'];

export interface HeadlessGpuOptions {
  /** 'auto' (default): a hardware adapter for every kind, a software one for GPU-only kinds; 'any': any adapter; 'off': CPU only. */
  mode?: HeadlessGpuMode;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** A provider with its first context already acquired (or given up), so the hello can report it. */
export async function createHeadlessGpu(opts: HeadlessGpuOptions = {}): Promise<GpuProvider> {
  const log = opts.log ?? (() => {});
  const mode = opts.mode ?? 'auto';
  const provider = new GpuProvider({
    enabled: mode !== 'off',
    acquire: async (acquireOpts) => {
      const { acquireGpu } = await import('../../shaders/gpu/dawn.ts');
      return acquireGpu(acquireOpts);
    },
    ...(mode === 'auto' ? { softwareAdapterFor: requiresGpu } : {}),
    log,
  });
  if (mode === 'off') {
    log('GPU switched off: kernels run on the CPU reference path');
    return provider;
  }
  await provider.get(opts.signal === undefined ? {} : { signal: opts.signal });
  if (provider.adapter !== null && provider.cpuForBuiltInKinds) {
    log(
      'software adapter: built-in kernels run on the CPU path (faster here), custom WGSL on the adapter; --gpu any uses it for all',
    );
  }
  return provider;
}
