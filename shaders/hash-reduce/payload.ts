/**
 * Wire format of a hash-reduce task payload, all little-endian:
 *
 *   u32 seed | u32 count | u32[count] words
 *
 * Output: u32 sum | u32 xor (8 bytes), the wrapping sum and the xor of h(i, word_i) over all i.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import { readU32Le, u32Bytes } from '../bytes.ts';

export interface HashReduceInput {
  readonly seed: number;
  readonly words: Uint32Array;
}

export interface HashReduceOutput {
  readonly sum: number;
  readonly xor: number;
}

const HEADER_BYTES = 8;
/** 16 Mi words = 64 MiB of data, under WebGPU's default 128 MiB storage binding limit. */
export const HASH_REDUCE_MAX_WORDS = 1 << 24;

export function encodeHashReducePayload(input: HashReduceInput): Uint8Array {
  checkCount(input.words.length);
  const bytes = new Uint8Array(HEADER_BYTES + input.words.length * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, input.seed >>> 0, true);
  view.setUint32(4, input.words.length, true);
  bytes.set(u32Bytes(input.words), HEADER_BYTES);
  return bytes;
}

export function decodeHashReducePayload(bytes: Uint8Array): HashReduceInput {
  if (bytes.length < HEADER_BYTES) {
    throw new WorkerTaskError(ErrorCode.PreprocessFailed, 'hash-reduce payload shorter than its header');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seed = view.getUint32(0, true);
  const count = view.getUint32(4, true);
  checkCount(count);
  const expected = HEADER_BYTES + count * 4;
  if (bytes.length !== expected) {
    throw new WorkerTaskError(
      ErrorCode.PreprocessFailed,
      `hash-reduce payload is ${bytes.length} bytes, header implies ${expected}`,
    );
  }
  return { seed, words: readU32Le(bytes, HEADER_BYTES, count) };
}

export function hashReduceOutputBytes(out: HashReduceOutput): Uint8Array {
  return u32Bytes(new Uint32Array([out.sum, out.xor]));
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > HASH_REDUCE_MAX_WORDS) {
    throw new WorkerTaskError(
      ErrorCode.PreprocessFailed,
      `hash-reduce count=${count} out of range 1..${HASH_REDUCE_MAX_WORDS}`,
    );
  }
}
