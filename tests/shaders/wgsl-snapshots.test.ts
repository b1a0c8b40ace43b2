/** The WGSL each kernel generates, pinned: any change to a shader shows up in review. No GPU needed. */
import { describe, expect, test } from 'bun:test';
import tgpu from 'typegpu';
import { hashReduceMain } from '../../shaders/hash-reduce/index.ts';
import { matmulMain } from '../../shaders/matmul/index.ts';
import { montecarloMain } from '../../shaders/montecarlo/index.ts';
import { similarityMain } from '../../shaders/similarity/index.ts';

describe('generated WGSL', () => {
  const entries = { matmulMain, montecarloMain, hashReduceMain, similarityMain };
  for (const [name, fn] of Object.entries(entries)) {
    test(name, () => {
      const wgsl = tgpu.resolve([fn]);
      expect(wgsl).toContain(`fn ${name}(`);
      expect(wgsl).toMatchSnapshot();
    });
  }

  test('exact float kernels never hand a raw product to an add (no FMA contraction possible)', () => {
    for (const fn of [matmulMain, similarityMain]) {
      const wgsl = tgpu.resolve([fn]);
      expect(wgsl).toMatch(/let product = flushSubnormal\(/);
      expect(wgsl).toMatch(/acc = flushSubnormal\(acc \+ product\)/);
    }
  });
});
