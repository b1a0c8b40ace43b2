/**
 * Headless GPU for Bun/Node: Dawn through the npm `webgpu` package (SwiftShader here, a real GPU
 * where there is one). Browser bundles must import `./browser.ts` instead: this file pulls in
 * the native module.
 */
import { throwIfAborted } from '../../protocol/errors.ts';
import { readDawnGpuConfig } from './config.ts';
import { contextFromGpu, defaultGpuLog } from './context.ts';
import type { AcquireGpuOptions, GpuContext } from './types.ts';
import { prepareVulkanEnv } from './vulkan-env.ts';

export type { AcquireGpuOptions, GpuAdapterSummary, GpuContext } from './types.ts';

/**
 * The object `create([])` returns owns the Dawn instance; when it is garbage collected while a
 * device is in use, Bun crashes (observed: segfault during a 100 ms dispatch). It is created once
 * and pinned on globalThis under a registry symbol so neither module reloads nor the optimizer
 * can drop it.
 */
const PIN = Symbol.for('shardmesh.dawn.gpu');

async function dawnGpu(log: (line: string) => void, dawnFlags: readonly string[]): Promise<GPU | null> {
  const config = readDawnGpuConfig();
  if (config.disabled) {
    log('SHARDMESH_GPU=off; kernels will run on the CPU reference path');
    return null;
  }
  const pinned = (globalThis as Record<symbol, unknown>)[PIN];
  if (pinned !== undefined) return pinned as GPU;
  const env = await prepareVulkanEnv(config);
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch (err) {
    log(`cannot load Dawn (npm webgpu): ${String(err)}; kernels will run on the CPU reference path`);
    return null;
  }
  // Dawn's constants (GPUBufferUsage, GPUMapMode, ...) are globals in browsers; install them here.
  for (const [name, value] of Object.entries(mod.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true });
  }
  // A concurrent call may have created the instance while this one awaited: use that one.
  const raced = (globalThis as Record<symbol, unknown>)[PIN];
  if (raced !== undefined) return raced as GPU;
  const gpu = mod.create([...dawnFlags]);
  (globalThis as Record<symbol, unknown>)[PIN] = gpu;
  if (env.swiftshaderIcd !== null) log(env.note);
  return gpu;
}

export interface AcquireDawnGpuOptions extends AcquireGpuOptions {
  /** Extra Dawn options for `create()`, e.g. `backend=vulkan`; only the first call's flags apply. */
  dawnFlags?: readonly string[];
}

/** A GPU context on Dawn, or null (with the reason logged) when none can be had. */
export async function acquireGpu(opts: AcquireDawnGpuOptions = {}): Promise<GpuContext | null> {
  const log = opts.log ?? defaultGpuLog;
  throwIfAborted(opts.signal);
  const gpu = await dawnGpu(log, opts.dawnFlags ?? []);
  if (gpu === null) return null;
  const ctx = await contextFromGpu(gpu, { ...opts, log });
  // Without an adapter the Vulkan decision is the likeliest cause: say what it was.
  if (ctx === null) log(`Vulkan environment: ${(await prepareVulkanEnv(readDawnGpuConfig())).note}`);
  return ctx;
}
