/**
 * Input checks shared by both implementations, so invalid input fails the same way (same code,
 * same `details.field`) whichever implementation runs.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import { MAX_CHUNKS, MAX_PAYLOAD_LEN } from './types.ts';

function fail(field: string, message: string, value: unknown): never {
  throw new WorkerTaskError(ErrorCode.PreprocessFailed, message, { field, value: String(value) });
}

export function checkLen(len: number): void {
  if (!Number.isInteger(len) || len < 0 || len > MAX_PAYLOAD_LEN) {
    fail('len', `payload length must be an integer in [0, ${MAX_PAYLOAD_LEN}]`, len);
  }
}

export function checkChunkSize(chunkSize: number): void {
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_PAYLOAD_LEN) {
    fail('chunkSize', `chunk size must be an integer in [1, ${MAX_PAYLOAD_LEN}]`, chunkSize);
  }
}

export function checkChunkIndex(index: number, count: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    fail('index', `chunk index must be an integer in [0, ${count})`, index);
  }
}

export function checkChunkTotal(count: number): void {
  if (count > MAX_CHUNKS) fail('chunkSize', `${count} chunks exceed the limit of ${MAX_CHUNKS}`, count);
}

/** Returns alpha rounded to f32, which is what both implementations compute with. */
export function checkAlpha(alpha: number): number {
  // Written so that NaN (and non-numbers) fail too.
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1))
    fail('alpha', 'alpha must be in [0, 1]', alpha);
  return Math.fround(alpha);
}

/** `out` must have x's length and either be x itself or not overlap it (partial overlap differs). */
export function checkEmaOut(x: Float32Array, out: Float32Array): void {
  if (out.length !== x.length) fail('out', `out has ${out.length} elements, x has ${x.length}`, out.length);
  if (out.buffer !== x.buffer || out.byteOffset === x.byteOffset) return;
  const overlap =
    out.byteOffset < x.byteOffset + x.byteLength && x.byteOffset < out.byteOffset + out.byteLength;
  if (overlap) fail('out', 'out partially overlaps x (use x itself for in place)', out.byteOffset);
}

/** `columns` must be a positive integer dividing x's length (whole rows only). */
export function checkColumns(length: number, columns: number): void {
  if (!Number.isInteger(columns) || columns < 1 || columns > MAX_PAYLOAD_LEN) {
    fail('columns', `columns must be an integer in [1, ${MAX_PAYLOAD_LEN}]`, columns);
  }
  if (length % columns !== 0) fail('columns', `${length} values do not form rows of ${columns}`, columns);
}

/**
 * ceil(len / chunkSize). Exact for every safe-integer len: if the true quotient is not an integer
 * it is at least 1/chunkSize away from one, more than the f64 rounding error len/chunkSize * 2^-53.
 */
export function chunkCountOf(len: number, chunkSize: number): number {
  return Math.ceil(len / chunkSize);
}
