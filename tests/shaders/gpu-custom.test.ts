/** Researcher WGSL on Dawn: a real run, compile errors with their line, and the time limit. */
import { describe, expect, test } from 'bun:test';
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import {
  type CustomHeader,
  CustomKernelReason,
  customKernel,
  encodeCustomPayload,
} from '../../shaders/custom/index.ts';
import { acquireGpu } from '../../shaders/gpu/dawn.ts';
import { executeKernel } from '../../shaders/run.ts';
import { randomU32, useGpu } from './gpu-fixture.ts';

const { gpu, ctx } = await useGpu();
const noGpu = gpu === null;

import { spinPayload } from '../worker/payloads.ts';
import { DOUBLE_WGSL } from './wgsl-fixtures.ts';

function doublePayload(words: Uint32Array, overrides: Partial<CustomHeader> = {}): Uint8Array {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const header: CustomHeader = {
    wgsl: DOUBLE_WGSL,
    entryPoint: 'main',
    workgroupSize: [64],
    dispatch: [Math.ceil(words.length / 64)],
    inputs: [{ binding: 0, byteLength: bytes.length }],
    output: { binding: 1, byteLength: bytes.length },
    ...overrides,
  };
  return encodeCustomPayload({ header, inputs: [bytes] });
}

async function failure(promise: Promise<unknown>): Promise<WorkerTaskError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkerTaskError);
    return err as WorkerTaskError;
  }
  throw new Error('expected a WorkerTaskError');
}

describe.skipIf(noGpu)('custom WGSL on the GPU', () => {
  for (const n of [1, 63, 64, 65, 1000]) {
    test(`runs the declared kernel over ${n} words`, async () => {
      const words = randomU32(n, n);
      const { output, path } = await executeKernel(customKernel, doublePayload(words), { gpu: ctx() });
      expect(path).toBe('gpu');
      const expected = Uint32Array.from(words, (w) => (w * 2 + 1) >>> 0);
      expect([...new Uint32Array(output.buffer, output.byteOffset, n)]).toEqual([...expected]);
    });
  }

  test('a compile error is KernelCompileFailed with its line and column', async () => {
    const wgsl = DOUBLE_WGSL.replace('src[gid.x] * 2u', 'src[gid.x] * undefinedThing');
    const err = await failure(
      executeKernel(customKernel, doublePayload(new Uint32Array(4), { wgsl }), { gpu: ctx() }),
    );
    expect(err.code).toBe(ErrorCode.KernelCompileFailed);
    expect(err.details).toMatchObject({ reason: CustomKernelReason.Compile, line: 7 });
    expect(err.details?.column).toBeGreaterThan(1);
  });

  test('a type error after the binding checks is also reported with its line', async () => {
    const wgsl = DOUBLE_WGSL.replace('dst[gid.x] =', 'let x: f32 = 1u; dst[gid.x] =');
    const err = await failure(
      executeKernel(customKernel, doublePayload(new Uint32Array(4), { wgsl }), { gpu: ctx() }),
    );
    expect(err.details).toMatchObject({ reason: CustomKernelReason.Compile, line: 7 });
  });

  test('a kernel that outlives its time limit is TaskTimeout and marks the context lost', async () => {
    // Own context: the runaway shader keeps its queue busy. The loop count is an input, so a
    // first short run compiles (and caches) the pipeline and only the dispatch races the limit.
    const own = await acquireGpu({ log: () => undefined });
    if (own === null) throw new Error('adapter vanished');
    expect((await executeKernel(customKernel, spinPayload(1, 30_000), { gpu: own })).path).toBe('gpu');
    const started = performance.now();
    // ~0.4 s of work on SwiftShader here; the limit is 20 ms.
    const err = await failure(executeKernel(customKernel, spinPayload(3_000_000, 20), { gpu: own }));
    expect(err.code).toBe(ErrorCode.TaskTimeout);
    expect(err.details).toMatchObject({ timeoutMs: 20 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(own.lost).toBe(true);
    own.destroy(); // waits for the shader to finish (Dawn/SwiftShader)
  });

  test('an aborted signal stops waiting with AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    const promise = executeKernel(customKernel, doublePayload(new Uint32Array(4)), {
      gpu: ctx(),
      signal: controller.signal,
    });
    await expect(promise).rejects.toMatchObject({ code: ErrorCode.Aborted });
  });
});

test('without a GPU, custom WGSL fails with KernelFailed (gpu-required) instead of running', async () => {
  const err = await failure(executeKernel(customKernel, doublePayload(new Uint32Array(4)), { gpu: null }));
  expect(err.code).toBe(ErrorCode.KernelFailed);
  expect(err.details).toMatchObject({ reason: 'gpu-required' });
});
