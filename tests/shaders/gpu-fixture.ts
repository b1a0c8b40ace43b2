/**
 * One Dawn context per test file. When no adapter can be created the GPU tests are skipped and
 * the reason is printed, so a skip is never silent. CI has Chromium's SwiftShader, and
 * acquireGpu sets the Vulkan environment itself, so a plain `bun test` runs them there.
 */
import { afterAll } from 'bun:test';
import { acquireGpu } from '../../shaders/gpu/dawn.ts';
import type { GpuContext } from '../../shaders/gpu/types.ts';

/**
 * Call at the top level of each test file: a fresh context for that file, destroyed after it
 * (bun runs test files in one process, so a context shared through module state would be
 * destroyed by the first file's afterAll).
 */
export async function useGpu(): Promise<{ gpu: GpuContext | null; ctx: () => GpuContext }> {
  const reasons: string[] = [];
  const gpu = await acquireGpu({ log: (line) => reasons.push(line) });
  if (gpu === null) {
    const why = reasons.join('; ') || 'no adapter';
    // CI installs Chromium (SwiftShader), so a missing adapter there is a broken setup, not a skip.
    if (process.env.CI === 'true') throw new Error(`GPU kernel tests cannot run under CI: ${why}`);
    console.warn(`[tests/shaders] GPU tests SKIPPED: ${why}`);
  }
  afterAll(() => gpu?.destroy());
  const ctx = (): GpuContext => {
    if (gpu === null) throw new Error('GPU test ran without a GPU context');
    return gpu;
  };
  return { gpu, ctx };
}

/** Bytes compared as u32 words (the exactness contract), with the first mismatch in the message. */
export function firstMismatch(a: Uint8Array, b: Uint8Array): string | null {
  if (a.length !== b.length) return `length ${a.length} != ${b.length}`;
  const wa = new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.length));
  const wb = new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  for (let i = 0; i < wa.length; i++) {
    if (wa[i] !== wb[i]) return `word ${i}: 0x${wa[i]?.toString(16)} != 0x${wb[i]?.toString(16)}`;
  }
  return null;
}

export { randomF32, randomU32 } from '../helpers/random.ts';
