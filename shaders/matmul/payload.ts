/**
 * Wire format of a matmul task payload: C = A (m x k) * B (k x n), all f32 little-endian.
 *
 *   u32 m | u32 k | u32 n | f32[m*k] A (row-major) | f32[k*n] B (row-major)
 *
 * The output is C (m x n) as f32 little-endian, row-major.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import { readF32Le } from '../bytes.ts';
import { f32Bytes } from '../f32.ts';

export interface MatmulInput {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly a: Float32Array;
  readonly b: Float32Array;
}

const HEADER_BYTES = 12;
/** Largest side accepted: keeps a single task's output under 16 MiB. */
export const MATMUL_MAX_DIM = 2048;

export function encodeMatmulPayload(input: MatmulInput): Uint8Array {
  const { m, k, n, a, b } = input;
  checkDims(m, k, n);
  if (a.length !== m * k || b.length !== k * n) {
    throw new WorkerTaskError(ErrorCode.PreprocessFailed, 'matmul operand sizes do not match m, k, n');
  }
  const bytes = new Uint8Array(HEADER_BYTES + 4 * (a.length + b.length));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, m, true);
  view.setUint32(4, k, true);
  view.setUint32(8, n, true);
  let offset = HEADER_BYTES;
  for (const arr of [a, b]) {
    for (let i = 0; i < arr.length; i++, offset += 4) view.setFloat32(offset, arr[i] as number, true);
  }
  return bytes;
}

export function decodeMatmulPayload(bytes: Uint8Array): MatmulInput {
  if (bytes.length < HEADER_BYTES) {
    throw new WorkerTaskError(ErrorCode.PreprocessFailed, 'matmul payload shorter than its header');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m = view.getUint32(0, true);
  const k = view.getUint32(4, true);
  const n = view.getUint32(8, true);
  checkDims(m, k, n);
  const expected = HEADER_BYTES + 4 * (m * k + k * n);
  if (bytes.length !== expected) {
    throw new WorkerTaskError(
      ErrorCode.PreprocessFailed,
      `matmul payload is ${bytes.length} bytes, header implies ${expected}`,
    );
  }
  const a = readF32Le(bytes, HEADER_BYTES, m * k);
  const b = readF32Le(bytes, HEADER_BYTES + 4 * m * k, k * n);
  return { m, k, n, a, b };
}

/**
 * C as little-endian bytes: the exact bytes a worker hashes and returns. Every NaN is written as
 * the canonical 0x7fc00000 (adapters produce different NaN bit patterns; see ../f32.ts).
 */
export function matmulOutputBytes(c: Float32Array): Uint8Array {
  return f32Bytes(c);
}

function checkDims(m: number, k: number, n: number): void {
  for (const [name, v] of [
    ['m', m],
    ['k', k],
    ['n', n],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MATMUL_MAX_DIM) {
      throw new WorkerTaskError(
        ErrorCode.PreprocessFailed,
        `matmul ${name}=${v} out of range 1..${MATMUL_MAX_DIM}`,
      );
    }
  }
}
