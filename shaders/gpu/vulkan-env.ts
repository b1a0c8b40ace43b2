/**
 * Points the Vulkan loader at Chromium's SwiftShader when the machine has no Vulkan driver.
 *
 * Two details matter and are why this is more than `process.env.X = ...`:
 * - Bun's `process.env` writes do not reach the C environment the Vulkan loader reads, so under
 *   Bun the variable is set with libc `setenv` through bun:ffi.
 * - Without Debian's libvulkan1, Dawn cannot dlopen `libvulkan.so.1`; Chromium ships one beside
 *   its SwiftShader. Loading it by absolute path first makes Dawn's later dlopen by soname find
 *   it (the dynamic linker reuses an already loaded library with the same soname).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DawnGpuConfig } from './config.ts';

export interface VulkanEnvOutcome {
  /** SwiftShader ICD json that was configured, or null when the environment was left alone. */
  readonly swiftshaderIcd: string | null;
  /** Human-readable account of the decision, logged when no adapter turns up. */
  readonly note: string;
}

// Handles stay referenced for the life of the process: closing them would unload the loader.
const keepAlive: unknown[] = [];
let outcome: Promise<VulkanEnvOutcome> | undefined;

/** Idempotent: the environment is decided once per process, before the first Dawn instance. */
export function prepareVulkanEnv(config: DawnGpuConfig): Promise<VulkanEnvOutcome> {
  outcome ??= decide(config);
  return outcome;
}

async function decide(config: DawnGpuConfig): Promise<VulkanEnvOutcome> {
  if (process.platform !== 'linux') return { swiftshaderIcd: null, note: 'not Linux: Vulkan env untouched' };
  const icd = await chooseIcd(config);
  // The loader matters whichever driver was chosen (VK_ICD_FILENAMES set by hand needs it too).
  const loader = await ensureLoader(config.swiftshaderIcds.map((p) => join(dirname(p), 'libvulkan.so.1')));
  return { swiftshaderIcd: icd.path, note: `${icd.note}; ${loader}` };
}

async function chooseIcd(config: DawnGpuConfig): Promise<{ path: string | null; note: string }> {
  if (config.driverConfigured) {
    return { path: null, note: 'Vulkan driver chosen by VK_ICD_FILENAMES/VK_DRIVER_FILES' };
  }
  const installed = config.icdDirs.find((dir) => hasJson(dir));
  if (installed !== undefined)
    return { path: null, note: `system Vulkan driver manifest found in ${installed}` };
  const icd = config.swiftshaderIcds.find((p) => existsSync(p));
  if (icd === undefined) {
    return {
      path: null,
      note: `no Vulkan driver and no SwiftShader ICD (looked for ${config.swiftshaderIcds.join(', ')})`,
    };
  }
  const set = await setEnv('VK_ICD_FILENAMES', icd);
  return {
    path: set ? icd : null,
    note: set ? `using SwiftShader ICD ${icd}` : 'setenv(VK_ICD_FILENAMES) failed',
  };
}

function hasJson(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => f.endsWith('.json'));
  } catch {
    return false;
  }
}

/** Sets a variable where the Vulkan loader (C getenv) will see it. */
async function setEnv(name: string, value: string): Promise<boolean> {
  process.env[name] = value; // enough under Node, whose process.env writes call setenv
  if (process.versions.bun === undefined) return true;
  const ffi = await import('bun:ffi');
  const libc = ffi.dlopen('libc.so.6', { setenv: { args: ['ptr', 'ptr', 'i32'], returns: 'i32' } });
  keepAlive.push(libc);
  const cstr = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');
  return libc.symbols.setenv(cstr(name), cstr(value), 1) === 0;
}

/** Makes `libvulkan.so.1` loadable for Dawn: the system's, else one shipped beside SwiftShader. */
async function ensureLoader(bundled: readonly string[]): Promise<string> {
  if (process.versions.bun === undefined) {
    return 'Node: libvulkan.so.1 must be on the library path (install libvulkan1 or set LD_LIBRARY_PATH)';
  }
  const ffi = await import('bun:ffi');
  const probe = { vkGetInstanceProcAddr: { args: ['ptr', 'ptr'], returns: 'ptr' } } as const;
  try {
    keepAlive.push(ffi.dlopen('libvulkan.so.1', probe));
    return 'system libvulkan.so.1';
  } catch {
    const path = bundled.find((p) => existsSync(p));
    if (path === undefined) return `no libvulkan.so.1 on the system nor at ${bundled.join(', ')}`;
    keepAlive.push(ffi.dlopen(path, probe));
    return `preloaded ${path}`;
  }
}
