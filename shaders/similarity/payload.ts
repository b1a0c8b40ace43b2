/**
 * Wire format of a similarity-search task payload, all little-endian:
 *
 *   u32 count | u32 dim | u32 k | f32[dim] query | f32[count * dim] vectors (row-major)
 *
 * Output: k entries of (u32 index, f32 score), best first, 8 bytes each.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import { readF32Le } from '../bytes.ts';

export interface SimilarityInput {
  readonly count: number;
  readonly dim: number;
  readonly k: number;
  readonly query: Float32Array;
  readonly vectors: Float32Array;
}

export interface SimilarityOutput {
  /** Indices of the k best vectors, best first (ties: lower index first). */
  readonly indices: Uint32Array;
  readonly scores: Float32Array;
}

const HEADER_BYTES = 12;
export const SIMILARITY_MAX_DIM = 4096;
/** count * dim bound: 64 MiB of vectors, under the default 128 MiB storage binding limit. */
export const SIMILARITY_MAX_ELEMENTS = 1 << 24;
export const SIMILARITY_MAX_K = 1024;

export function encodeSimilarityPayload(input: SimilarityInput): Uint8Array {
  const { count, dim, k, query, vectors } = input;
  checkShape(count, dim, k);
  if (query.length !== dim || vectors.length !== count * dim) {
    throw new WorkerTaskError(ErrorCode.PreprocessFailed, 'similarity operand sizes do not match count, dim');
  }
  const bytes = new Uint8Array(HEADER_BYTES + 4 * (dim + count * dim));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, count, true);
  view.setUint32(4, dim, true);
  view.setUint32(8, k, true);
  let offset = HEADER_BYTES;
  for (const arr of [query, vectors]) {
    for (let i = 0; i < arr.length; i++, offset += 4) view.setFloat32(offset, arr[i] as number, true);
  }
  return bytes;
}

export function decodeSimilarityPayload(bytes: Uint8Array): SimilarityInput {
  if (bytes.length < HEADER_BYTES) {
    throw new WorkerTaskError(ErrorCode.PreprocessFailed, 'similarity payload shorter than its header');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  const dim = view.getUint32(4, true);
  const k = view.getUint32(8, true);
  checkShape(count, dim, k);
  const expected = HEADER_BYTES + 4 * (dim + count * dim);
  if (bytes.length !== expected) {
    throw new WorkerTaskError(
      ErrorCode.PreprocessFailed,
      `similarity payload is ${bytes.length} bytes, header implies ${expected}`,
    );
  }
  return {
    count,
    dim,
    k,
    query: readF32Le(bytes, HEADER_BYTES, dim),
    vectors: readF32Le(bytes, HEADER_BYTES + 4 * dim, count * dim),
  };
}

function checkShape(count: number, dim: number, k: number): void {
  const fail = (field: string, msg: string): never => {
    throw new WorkerTaskError(ErrorCode.PreprocessFailed, `similarity ${msg}`, { field });
  };
  if (!Number.isInteger(dim) || dim < 1 || dim > SIMILARITY_MAX_DIM) {
    fail('dim', `dim=${dim} out of range 1..${SIMILARITY_MAX_DIM}`);
  }
  if (!Number.isInteger(count) || count < 1 || count * dim > SIMILARITY_MAX_ELEMENTS) {
    fail('count', `count=${count} out of range (count >= 1, count * dim <= ${SIMILARITY_MAX_ELEMENTS})`);
  }
  if (!Number.isInteger(k) || k < 1 || k > Math.min(count, SIMILARITY_MAX_K)) {
    fail('k', `k=${k} out of range 1..min(count, ${SIMILARITY_MAX_K})`);
  }
}
