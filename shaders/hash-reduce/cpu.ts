/**
 * CPU reference of the hash-reduce kernel: h(i, w) = fmix32((w ^ seed) + i * 0x9e3779b9) for each
 * word, reduced by wrapping sum and by xor. Both reductions commute, so any order gives the same
 * bits: the GPU may combine partial results in whatever order its atomics land.
 */
import { fmix32 } from '../prng.ts';
import type { HashReduceInput, HashReduceOutput } from './payload.ts';

export const GOLDEN = 0x9e3779b9;

export function hashWord(seed: number, index: number, word: number): number {
  return fmix32((((word ^ seed) >>> 0) + Math.imul(index, GOLDEN)) >>> 0);
}

export function hashReduceCpu(input: HashReduceInput): HashReduceOutput {
  let sum = 0;
  let xor = 0;
  const { seed, words } = input;
  for (let i = 0; i < words.length; i++) {
    const h = hashWord(seed, i, words[i] as number);
    sum = (sum + h) >>> 0;
    xor = (xor ^ h) >>> 0;
  }
  return { sum, xor };
}
