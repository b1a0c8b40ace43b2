/**
 * The raw exports of wasm-preproc/shardmesh_preproc.wasm, checked once at load so the rest of
 * the loader can call them without guessing. Mirrors wasm-preproc/src/lib.rs.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';

/** Must equal ABI_VERSION in wasm-preproc/src/lib.rs. */
export const WASM_ABI_VERSION = 2;

/** Status codes returned by the exports (negative = error). */
export const WasmStatus = {
  Ok: 0,
  ChunkSizeZero: -1,
  Range: -2,
  BadAlpha: -3,
  BadPointer: -4,
} as const;

/** Pointers and lengths are i32 on the wire: read pointers back with `>>> 0`. */
export interface PreprocExports {
  readonly memory: WebAssembly.Memory;
  abi_version(): number;
  alloc_bytes(len: number): number;
  dealloc_bytes(ptr: number, len: number): void;
  live_bytes(): number;
  chunk_count(len: number, chunkSize: number): bigint;
  chunk_bounds(len: number, chunkSize: number, first: number, n: number, out: number): number;
  ema_f32(src: number, dst: number, n: number, alpha: number, prev: number, hasPrev: number): number;
  /** `prev`: pointer to the previous window's last output row, or 0 for none. */
  ema_columns_f32(src: number, dst: number, rows: number, cols: number, alpha: number, prev: number): number;
  sha256_state_size(): number;
  sha256_init(state: number): number;
  sha256_update(state: number, data: number, len: number): number;
  sha256_final(state: number, out: number): number;
  sha256(data: number, len: number, out: number): number;
}

const FUNCTIONS = [
  'abi_version',
  'alloc_bytes',
  'dealloc_bytes',
  'live_bytes',
  'chunk_count',
  'chunk_bounds',
  'ema_f32',
  'ema_columns_f32',
  'sha256_state_size',
  'sha256_init',
  'sha256_update',
  'sha256_final',
  'sha256',
] as const;

function unavailable(message: string, details: Record<string, unknown>): WorkerTaskError {
  return new WorkerTaskError(ErrorCode.WasmUnavailable, message, { reason: 'load-failed', ...details });
}

/** Checks that an instance exposes this ABI; throws WASM_UNAVAILABLE otherwise. */
export function asPreprocExports(exports: WebAssembly.Exports): PreprocExports {
  if (!(exports.memory instanceof WebAssembly.Memory)) {
    throw unavailable('wasm module exports no memory', { missing: 'memory' });
  }
  for (const name of FUNCTIONS) {
    if (typeof exports[name] !== 'function') {
      throw unavailable(`wasm module lacks export ${name}`, { missing: name });
    }
  }
  const raw = exports as unknown as PreprocExports;
  const version = raw.abi_version();
  if (version !== WASM_ABI_VERSION) {
    throw unavailable(`wasm ABI version ${version}, loader expects ${WASM_ABI_VERSION}`, { version });
  }
  return raw;
}

/** Turns a negative status into a PREPROCESS_FAILED error naming the export that failed. */
export function checkStatus(status: number | bigint, op: string): void {
  if (status >= 0) return;
  const code = Number(status);
  const what =
    code === WasmStatus.ChunkSizeZero
      ? 'chunk size is 0'
      : code === WasmStatus.Range
        ? 'chunk range out of bounds'
        : code === WasmStatus.BadAlpha
          ? 'alpha is not in [0, 1]'
          : code === WasmStatus.BadPointer
            ? 'bad pointer'
            : 'unknown status';
  throw new WorkerTaskError(ErrorCode.PreprocessFailed, `wasm ${op} failed: ${what}`, { op, status: code });
}
