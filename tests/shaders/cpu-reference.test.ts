/** CPU references and shared helpers; no GPU needed. Known values were computed independently (Python). */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { canonicalizeNaNs, f32Bytes, flushSubnormal } from '../../shaders/f32.ts';
import { hashReduceCpu, hashWord } from '../../shaders/hash-reduce/index.ts';
import { matmulCpu } from '../../shaders/matmul/index.ts';
import { invocationHits, montecarloCpu } from '../../shaders/montecarlo/index.ts';
import { fmix32, pcgHash } from '../../shaders/prng.ts';
import {
  ranksBefore,
  selectTopK,
  similarityCpu,
  similarityScoresCpu,
} from '../../shaders/similarity/index.ts';

describe('integer hashes match independent values', () => {
  test('pcgHash', () => {
    expect([0, 1, 0xdeadbeef, 0xffffffff].map(pcgHash)).toEqual([
      0x7bb2fe2, 0xa8beea3c, 0x67299972, 0xe62a4902,
    ]);
  });
  test('fmix32 (MurmurHash3 finalizer)', () => {
    expect([0, 1, 0xdeadbeef, 0xffffffff].map(fmix32)).toEqual([0, 0x514e28b7, 0xde5c6a9, 0x81f16f39]);
  });
  test('hashReduceCpu', () => {
    expect(hashReduceCpu({ seed: 7, words: Uint32Array.from([1, 2, 3, 0xffffffff]) })).toEqual({
      sum: 0x790ae00a,
      xor: 0xbf3a20f8,
    });
  });
  test('montecarlo hits for seed 42, invocations 0..2, 1000 samples each', () => {
    const hits = [0, 1, 2].reduce((s, i) => s + invocationHits(42, i, 1000), 0);
    expect(hits).toBe(2366);
    expect(montecarloCpu({ seed: 42, invocations: 3, samplesPerInvocation: 1000 })).toEqual({
      hits,
      samples: 3000,
    });
  });
  test('montecarlo estimates pi', () => {
    const { hits, samples } = montecarloCpu({ seed: 1, invocations: 256, samplesPerInvocation: 1024 });
    expect(Math.abs((4 * hits) / samples - Math.PI)).toBeLessThan(0.02);
  });
});

describe('hash-reduce', () => {
  test('the reduction is order-independent (any chunking gives the same sum and xor)', () => {
    fc.assert(
      fc.property(
        fc.uint32Array({ minLength: 1, maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 50 }),
        (words, seed, chunk) => {
          let sum = 0;
          let xor = 0;
          for (let start = words.length - 1; start >= 0; start -= chunk) {
            for (let i = Math.max(0, start - chunk + 1); i <= start; i++) {
              const h = hashWord(seed >>> 0, i, words[i] as number);
              sum = (sum + h) >>> 0;
              xor = (xor ^ h) >>> 0;
            }
          }
          expect(hashReduceCpu({ seed: seed >>> 0, words })).toEqual({ sum, xor });
        },
      ),
    );
  });
});

describe('f32 rules', () => {
  test('flushSubnormal flushes exactly the subnormals', () => {
    expect(flushSubnormal(2 ** -127)).toBe(0);
    expect(Object.is(flushSubnormal(-(2 ** -149)), 0)).toBe(true);
    expect(flushSubnormal(2 ** -126)).toBe(2 ** -126);
    expect(flushSubnormal(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(flushSubnormal(Number.NaN)).toBeNaN();
  });
  test('NaNs of any payload and sign are written canonically; other values untouched', () => {
    const words = Uint32Array.from([0xffc00000, 0x7f800001, 0x7fffffff, 0x7f800000, 0xff800000, 0x3f800000]);
    canonicalizeNaNs(words);
    expect([...words]).toEqual([0x7fc00000, 0x7fc00000, 0x7fc00000, 0x7f800000, 0xff800000, 0x3f800000]);
    const bytes = f32Bytes(new Float32Array(new Uint32Array([0xffc00000, 0x40490fdb]).buffer));
    expect([...bytes]).toEqual([0, 0, 0xc0, 0x7f, 0xdb, 0x0f, 0x49, 0x40]);
  });
});

describe('matmulCpu', () => {
  test('a small product', () => {
    const c = matmulCpu(
      Float32Array.from([1, 2, 3, 4, 5, 6]),
      Float32Array.from([7, 8, 9, 10, 11, 12]),
      2,
      3,
      2,
    );
    expect([...c]).toEqual([58, 64, 139, 154]);
  });
  test('sums in p order with f32 rounding after every step', () => {
    // 1 + 2^-24 rounds to 1 in f32; done in order (1 + e) + e = 1, a different order would give 1 + 2^-23.
    const e = 2 ** -24;
    const c = matmulCpu(Float32Array.from([1, 1, 1]), Float32Array.from([1, e, e]), 1, 3, 1);
    expect(c[0]).toBe(1);
    const reordered = matmulCpu(Float32Array.from([1, 1, 1]), Float32Array.from([e, e, 1]), 1, 3, 1);
    expect(reordered[0]).toBe(1 + 2 ** -23);
  });
});

describe('similarity', () => {
  test('scores are fixed-order f32 dot products', () => {
    const input = {
      count: 2,
      dim: 3,
      k: 2,
      query: Float32Array.from([1, 2, 3]),
      vectors: Float32Array.from([1, 0, 0, 4, 5, 6]),
    };
    expect([...similarityScoresCpu(input)]).toEqual([1, 32]);
    const out = similarityCpu(input);
    expect([...out.indices]).toEqual([1, 0]);
    expect([...out.scores]).toEqual([32, 1]);
  });

  test('selectTopK equals a full sort by (score desc, NaN last, index asc)', () => {
    const score = fc.oneof(fc.float({ noNaN: false }), fc.constantFrom(0, -0, 1, 1, Number.NaN));
    fc.assert(
      fc.property(fc.array(score, { minLength: 1, maxLength: 300 }), fc.nat(), (values, kSeed) => {
        const scores = Float32Array.from(values);
        const k = 1 + (kSeed % scores.length);
        const order = [...scores.keys()].sort((a, b) =>
          ranksBefore(scores[a] as number, a, scores[b] as number, b) ? -1 : 1,
        );
        expect([...selectTopK(scores, k).indices]).toEqual(order.slice(0, k));
      }),
    );
  });

  test('ranksBefore: NaN ranks last, ties by index, -0 equals +0', () => {
    expect(ranksBefore(-1e30, 5, Number.NaN, 0)).toBe(true);
    expect(ranksBefore(Number.NaN, 0, -1e30, 5)).toBe(false);
    expect(ranksBefore(-0, 1, 0, 2)).toBe(true);
    expect(ranksBefore(0, 2, -0, 1)).toBe(false);
  });
});
