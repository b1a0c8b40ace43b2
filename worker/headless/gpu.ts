/**
 * GPU for the headless worker: Dawn through the npm `webgpu` package (SwiftShader here, a real
 * GPU where there is one). Dawn is imported only when wanted, so `gpu: 'off'` never loads the
 * native module. Without an adapter the provider logs one clear line and tasks use the CPU path.
 */
import { GpuProvider } from '../runtime/gpu-provider.ts';

export type HeadlessGpuMode = 'auto' | 'off';

export interface HeadlessGpuOptions {
  /** 'auto' (default) uses Dawn when it offers an adapter; 'off' computes on the CPU only. */
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
    log,
  });
  if (mode === 'off') log('GPU switched off: kernels run on the CPU reference path');
  else await provider.get(opts.signal === undefined ? {} : { signal: opts.signal });
  return provider;
}
