/** Every built-in kernel on Dawn (SwiftShader here) against its CPU reference, bit for bit. */
import { describe, expect, test } from 'bun:test';
import {
  encodeHashReducePayload,
  HASH_REDUCE_MAX_GROUPS,
  HASH_REDUCE_WORKGROUP,
  hashReduceKernel,
} from '../../shaders/hash-reduce/index.ts';
import type { Kernel } from '../../shaders/kernel.ts';
import { encodeMatmulPayload, MATMUL_TILE, matmulKernel } from '../../shaders/matmul/index.ts';
import {
  encodeMontecarloPayload,
  MONTECARLO_WORKGROUP,
  montecarloKernel,
} from '../../shaders/montecarlo/index.ts';
import {
  encodeSimilarityPayload,
  SIMILARITY_WORKGROUP,
  similarityKernel,
} from '../../shaders/similarity/index.ts';
import { firstMismatch, randomF32, randomU32, useGpu } from './gpu-fixture.ts';

const { gpu, ctx } = await useGpu();
const noGpu = gpu === null;

async function bothPaths<I, O>(kernel: Kernel<I, O>, payload: Uint8Array): Promise<[Uint8Array, Uint8Array]> {
  const input = kernel.decodeInput(payload);
  const gpuBytes = kernel.encodeOutput(await kernel.gpu(ctx(), input, { timeoutMs: 20_000 }));
  return [gpuBytes, kernel.encodeOutput(kernel.cpu(input))];
}

const boundary = (wg: number, large: number): number[] => [1, wg - 1, wg, wg + 1, large];

describe.skipIf(noGpu)('matmul-f32 on the GPU equals matmulCpu', () => {
  const T = MATMUL_TILE;
  const shapes: [number, number, number][] = [
    ...boundary(T, 70).map((s): [number, number, number] => [s, s, s]),
    [T + 1, 1, 2 * T + 3],
    [3, 2 * T + 1, T - 1],
  ];
  for (const [m, k, n] of shapes) {
    test(`${m}x${k} * ${k}x${n}`, async () => {
      const payload = encodeMatmulPayload({
        m,
        k,
        n,
        a: randomF32(m * k, m + k),
        b: randomF32(k * n, n + 7),
      });
      const [g, c] = await bothPaths(matmulKernel, payload);
      expect(firstMismatch(g, c)).toBeNull();
    });
  }

  // Each case isolates one place where adapters disagree unless the kernel pins it down.
  const cases: [string, number[], number[], number][] = [
    ['subnormal input times a large value', [2 ** -140], [2 ** 60], 0], // unflushed: 2^-80
    ['product that underflows', [1e-20], [1e-20], 0], // unflushed: ~1e-40
    ['partial sum that underflows', [1.5 * 2 ** -126, -(2 ** -126)], [1, 1], 0], // unflushed: 2^-127
    ['inf - inf', [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY], [1, -1], Number.NaN],
    ['overflow to infinity', [2 ** 100], [2 ** 100], Number.POSITIVE_INFINITY],
  ];
  for (const [name, a, b, expected] of cases) {
    test(`${name}: flushed / canonical on both paths`, async () => {
      const payload = encodeMatmulPayload({
        m: 1,
        k: a.length,
        n: 1,
        a: Float32Array.from(a),
        b: Float32Array.from(b),
      });
      const [g, c] = await bothPaths(matmulKernel, payload);
      expect(firstMismatch(g, c)).toBeNull();
      const want = new Uint8Array(new Float32Array([expected]).buffer);
      if (Number.isNaN(expected)) new Uint32Array(want.buffer)[0] = 0x7fc00000;
      expect(firstMismatch(c, want)).toBeNull();
    });
  }
});

describe.skipIf(noGpu)('montecarlo-u32 on the GPU equals montecarloCpu', () => {
  for (const invocations of boundary(MONTECARLO_WORKGROUP, 5000)) {
    test(`${invocations} invocations`, async () => {
      const payload = encodeMontecarloPayload({
        seed: (0x9e3779b9 ^ invocations) >>> 0,
        invocations,
        samplesPerInvocation: 33,
      });
      const [g, c] = await bothPaths(montecarloKernel, payload);
      expect(firstMismatch(g, c)).toBeNull();
    });
  }
});

describe.skipIf(noGpu)('hash-reduce-u32 on the GPU equals hashReduceCpu', () => {
  const gridStride = HASH_REDUCE_MAX_GROUPS * HASH_REDUCE_WORKGROUP * 3 + 5; // several grid-stride rounds
  for (const count of [...boundary(HASH_REDUCE_WORKGROUP, 4099), gridStride]) {
    test(`${count} words`, async () => {
      const payload = encodeHashReducePayload({ seed: count * 31, words: randomU32(count, count) });
      const [g, c] = await bothPaths(hashReduceKernel, payload);
      expect(firstMismatch(g, c)).toBeNull();
    });
  }
});

describe.skipIf(noGpu)('similarity-topk on the GPU equals similarityCpu', () => {
  for (const count of boundary(SIMILARITY_WORKGROUP, 3001)) {
    test(`${count} vectors`, async () => {
      const dim = 19;
      const k = Math.min(count, 10);
      const vectors = randomF32(count * dim, count);
      const payload = encodeSimilarityPayload({ count, dim, k, query: randomF32(dim, 5), vectors });
      const [g, c] = await bothPaths(similarityKernel, payload);
      expect(firstMismatch(g, c)).toBeNull();
    });
  }

  test('duplicate vectors tie and are ordered by index', async () => {
    const dim = 4;
    const row = [0.5, -0.25, 1, 2];
    const vectors = Float32Array.from([...row, 0, 0, 0, 0, ...row, ...row]);
    const payload = encodeSimilarityPayload({
      count: 4,
      dim,
      k: 3,
      query: Float32Array.from([1, 1, 1, 1]),
      vectors,
    });
    const [g, c] = await bothPaths(similarityKernel, payload);
    expect(firstMismatch(g, c)).toBeNull();
    const words = new Uint32Array(g.buffer, g.byteOffset, 6);
    expect([words[0], words[2], words[4]]).toEqual([0, 2, 3]);
  });
});
