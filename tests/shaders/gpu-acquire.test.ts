/** GPU acquisition: Dawn on this machine, the reasons logged when there is none, the CPU path. */
import { describe, expect, test } from 'bun:test';
import { acquireGpu as acquireBrowserGpu } from '../../shaders/gpu/browser.ts';
import { readDawnGpuConfig } from '../../shaders/gpu/config.ts';
import { acquireGpu } from '../../shaders/gpu/dawn.ts';
import type { GpuContext } from '../../shaders/gpu/types.ts';
import { encodeHashReducePayload } from '../../shaders/hash-reduce/index.ts';
import { executeKernel, hashReduceKernel } from '../../shaders/index.ts';
import { randomU32, useGpu } from './gpu-fixture.ts';

const { gpu, ctx } = await useGpu();

describe.skipIf(gpu === null)('Dawn context', () => {
  test('reports its adapter and a TypeGPU root on its device', () => {
    const { adapterInfo, root, device } = ctx();
    expect(typeof adapterInfo.vendor).toBe('string');
    expect(typeof adapterInfo.isFallback).toBe('boolean');
    expect(root.device).toBe(device);
    expect(ctx().lost).toBe(false);
  });

  test('executeKernel gives the same bytes on the GPU and on the CPU path', async () => {
    const payload = encodeHashReducePayload({ seed: 9, words: randomU32(1000, 3) });
    const onGpu = await executeKernel(hashReduceKernel, payload, { gpu: ctx() });
    const onCpu = await executeKernel(hashReduceKernel, payload, { gpu: null });
    expect([onGpu.path, onCpu.path]).toEqual(['gpu', 'cpu']);
    expect(Buffer.from(onGpu.output).equals(Buffer.from(onCpu.output))).toBe(true);
  });

  test('a destroyed context is lost and refuses work with KernelFailed', async () => {
    const own = await useGpuOnce();
    own.destroy();
    expect(own.lost).toBe(true);
    const payload = encodeHashReducePayload({ seed: 1, words: Uint32Array.of(5) });
    await expect(hashReduceKernel.gpu(own, hashReduceKernel.decodeInput(payload))).rejects.toMatchObject({
      code: 'KERNEL_FAILED',
    });
    // executeKernel skips a lost context and takes the CPU path.
    expect((await executeKernel(hashReduceKernel, payload, { gpu: own })).path).toBe('cpu');
  });
});

async function useGpuOnce(): Promise<GpuContext> {
  const own = await acquireGpu({ log: () => undefined });
  if (own === null) throw new Error('adapter vanished');
  return own;
}

describe('no GPU', () => {
  test('browser entry without navigator.gpu logs why and returns null', async () => {
    const lines: string[] = [];
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
    try {
      expect(await acquireBrowserGpu({ log: (l) => lines.push(l) })).toBeNull();
    } finally {
      if (saved !== undefined) Object.defineProperty(globalThis, 'navigator', saved);
    }
    expect(lines.join()).toContain('navigator.gpu');
  });

  test('an aborted signal rejects before touching the GPU', async () => {
    await expect(acquireBrowserGpu({ signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  test('config: SHARDMESH_GPU=off disables, loader variables count as a configured driver', () => {
    expect(readDawnGpuConfig({ SHARDMESH_GPU: 'off' }).disabled).toBe(true);
    expect(readDawnGpuConfig({}).driverConfigured).toBe(false);
    expect(readDawnGpuConfig({ VK_DRIVER_FILES: '/x.json' }).driverConfigured).toBe(true);
    expect(readDawnGpuConfig({ SHARDMESH_SWIFTSHADER_ICD: '/s.json' }).swiftshaderIcds).toEqual(['/s.json']);
    expect(readDawnGpuConfig({ XDG_DATA_DIRS: '/a:/b', HOME: '/h' }).icdDirs).toEqual([
      '/etc/vulkan/icd.d',
      '/a/vulkan/icd.d',
      '/b/vulkan/icd.d',
      '/h/.local/share/vulkan/icd.d',
    ]);
  });
});
