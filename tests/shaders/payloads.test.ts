/** Payload codecs: round trips, and every malformed payload rejected with PreprocessFailed. */
import { describe, expect, test } from 'bun:test';
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import { decodeHashReducePayload, encodeHashReducePayload } from '../../shaders/hash-reduce/index.ts';
import { kernels } from '../../shaders/index.ts';
import { decodeMatmulPayload, encodeMatmulPayload, MATMUL_MAX_DIM } from '../../shaders/matmul/index.ts';
import { decodeMontecarloPayload, encodeMontecarloPayload } from '../../shaders/montecarlo/index.ts';
import { decodeSimilarityPayload, encodeSimilarityPayload } from '../../shaders/similarity/index.ts';

function u32s(...words: number[]): Uint8Array {
  return new Uint8Array(Uint32Array.from(words).buffer);
}

function expectPreprocessFailed(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkerTaskError);
    expect((err as WorkerTaskError).code).toBe(ErrorCode.PreprocessFailed);
    return;
  }
  throw new Error('expected PreprocessFailed, nothing was thrown');
}

describe('round trips', () => {
  test('matmul', () => {
    const input = {
      m: 2,
      k: 1,
      n: 3,
      a: Float32Array.from([1, -2]),
      b: Float32Array.from([0.5, 3, Number.NaN]),
    };
    const back = decodeMatmulPayload(encodeMatmulPayload(input));
    expect(back.m).toBe(2);
    expect([...back.a]).toEqual([1, -2]);
    expect(back.b[2]).toBeNaN();
  });
  test('montecarlo', () => {
    const input = { seed: 0xffffffff, invocations: 5, samplesPerInvocation: 9 };
    expect(decodeMontecarloPayload(encodeMontecarloPayload(input))).toEqual(input);
  });
  test('hash-reduce', () => {
    const input = { seed: 3, words: Uint32Array.from([0, 0xffffffff, 42]) };
    const back = decodeHashReducePayload(encodeHashReducePayload(input));
    expect(back.seed).toBe(3);
    expect([...back.words]).toEqual([0, 0xffffffff, 42]);
  });
  test('similarity', () => {
    const input = {
      count: 2,
      dim: 2,
      k: 1,
      query: Float32Array.from([1, 2]),
      vectors: Float32Array.from([3, 4, 5, 6]),
    };
    const back = decodeSimilarityPayload(encodeSimilarityPayload(input));
    expect([back.count, back.dim, back.k]).toEqual([2, 2, 1]);
    expect([...back.vectors]).toEqual([3, 4, 5, 6]);
  });
  test('decoding works on a view into a larger, unaligned buffer', () => {
    const payload = encodeMontecarloPayload({ seed: 1, invocations: 2, samplesPerInvocation: 3 });
    const framed = new Uint8Array(payload.length + 3);
    framed.set(payload, 3);
    expect(decodeMontecarloPayload(framed.subarray(3)).invocations).toBe(2);
  });
});

describe('malformed payloads are PreprocessFailed', () => {
  const cases: [string, () => unknown][] = [
    ['matmul: short header', () => decodeMatmulPayload(new Uint8Array(8))],
    ['matmul: zero dimension', () => decodeMatmulPayload(u32s(0, 1, 1))],
    ['matmul: dimension over the limit', () => decodeMatmulPayload(u32s(MATMUL_MAX_DIM + 1, 1, 1, 0, 0))],
    ['matmul: truncated operands', () => decodeMatmulPayload(u32s(2, 2, 2, 0, 0, 0))],
    ['montecarlo: wrong length', () => decodeMontecarloPayload(u32s(1, 1))],
    ['montecarlo: zero invocations', () => decodeMontecarloPayload(u32s(1, 0, 1))],
    ['montecarlo: too many samples', () => decodeMontecarloPayload(u32s(1, 1, 1 << 20))],
    ['hash-reduce: empty', () => decodeHashReducePayload(u32s(1, 0))],
    ['hash-reduce: count exceeds the data', () => decodeHashReducePayload(u32s(1, 3, 7, 7))],
    ['hash-reduce: trailing bytes', () => decodeHashReducePayload(u32s(1, 1, 7, 7))],
    ['similarity: k larger than count', () => decodeSimilarityPayload(u32s(1, 1, 2, 0, 0))],
    ['similarity: dim zero', () => decodeSimilarityPayload(u32s(1, 0, 1))],
    ['similarity: too many elements', () => decodeSimilarityPayload(u32s(1 << 22, 16, 1))],
    ['custom: header length past the end', () => kernels['custom-wgsl'].decodeInput(u32s(100))],
  ];
  for (const [name, fn] of cases) test(name, () => expectPreprocessFailed(fn));
});

describe('kernel registry', () => {
  test('every kind is registered under its own name with an exactness flag', () => {
    for (const [kind, kernel] of Object.entries(kernels)) {
      expect(kernel.kind).toBe(kind as typeof kernel.kind);
      expect(typeof kernel.exact).toBe('boolean');
    }
    expect(kernels['custom-wgsl'].exact).toBe(false);
    expect(kernels['matmul-f32'].exact).toBe(true);
  });
});
