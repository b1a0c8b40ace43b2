/** u32 hash-reduce: per-word mixing, wrapping sum and xor reductions. Exact. */
import { type Kernel, KernelKind } from '../kernel.ts';
import { hashReduceCpu } from './cpu.ts';
import { hashReduceGpu } from './host.ts';
import {
  decodeHashReducePayload,
  type HashReduceInput,
  type HashReduceOutput,
  hashReduceOutputBytes,
} from './payload.ts';

export { hashReduceCpu, hashWord } from './cpu.ts';
export { hashReduceGpu } from './host.ts';
export {
  decodeHashReducePayload,
  encodeHashReducePayload,
  HASH_REDUCE_MAX_WORDS,
  type HashReduceInput,
  type HashReduceOutput,
  hashReduceOutputBytes,
} from './payload.ts';
export { HASH_REDUCE_MAX_GROUPS, HASH_REDUCE_WORKGROUP } from './schema.ts';
export { hashReduceMain } from './shader.ts';

export const exact = true;

export const hashReduceKernel: Kernel<HashReduceInput, HashReduceOutput> = {
  kind: KernelKind.HashReduceU32,
  exact,
  requiresGpu: false,
  decodeInput: decodeHashReducePayload,
  cpu: hashReduceCpu,
  cpuWork: (input) => input.words.length,
  gpu: hashReduceGpu,
  encodeOutput: hashReduceOutputBytes,
};
