/**
 * Poseidon over BN254 from wasm-poseidon/ (Rust, no crates, Debian rustc 1.63): circomlib's
 * parameters and circomlibjs's optimized constants, ~10x fewer field operations per call than
 * circomlibjs's own wasm build and none of its JS glue. The bytes are embedded as base64
 * (poseidon-wasm-bytes.ts, written by wasm-poseidon/build.sh), so Bun, Bun Workers and the
 * bundled browser page load them the same way, with no file path or URL to resolve.
 *
 * ABI (wasm-poseidon/src/lib.rs): io_ptr() -> 17 field elements of four little-endian u64 limbs;
 * hash(n) reads n canonical inputs there and writes the hash to element 0; returns 0 or < 0.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { ProofError } from './errors.ts';
import type { PoseidonHash } from './poseidon.ts';

export const POSEIDON_WASM_ABI_VERSION = 1;
/** Input counts compiled into the .wasm (wasm-poseidon/gen-constants.ts WASM_WIDTHS). */
export const POSEIDON_WASM_WIDTHS: readonly number[] = [1, 2, 16];

/** The BN254 scalar field modulus. */
export const BN254_R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;

const MAX_INPUTS = 16;
const ERR_WIDTH = -1;

export interface PoseidonWasmExports {
  memory: WebAssembly.Memory;
  abi_version(): number;
  io_ptr(): number;
  supports(n: number): number;
  hash(n: number): number;
}

export interface LoadPoseidonWasmOptions {
  /** The module bytes; defaults to the embedded build. Tests pass others to exercise refusals. */
  bytes?: Uint8Array;
  signal?: AbortSignal;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Instantiates the module and checks its ABI; throws ProofError(ProofBadInput) when unusable. */
export async function loadPoseidonWasm(opts: LoadPoseidonWasmOptions = {}): Promise<PoseidonHash> {
  opts.signal?.throwIfAborted();
  const bytes = opts.bytes ?? decodeBase64((await import('./poseidon-wasm-bytes.ts')).POSEIDON_WASM_BASE64);
  opts.signal?.throwIfAborted();
  let exports: PoseidonWasmExports;
  try {
    const { instance } = await WebAssembly.instantiate(bytes, {});
    exports = instance.exports as unknown as PoseidonWasmExports;
  } catch (err) {
    throw new ProofError(
      ErrorCode.ProofBadInput,
      'poseidon wasm failed to instantiate',
      { field: 'wasm' },
      { cause: err },
    );
  }
  const version = typeof exports.abi_version === 'function' ? exports.abi_version() : -1;
  if (version !== POSEIDON_WASM_ABI_VERSION) {
    throw new ProofError(
      ErrorCode.ProofBadInput,
      `poseidon wasm ABI ${version}, expected ${POSEIDON_WASM_ABI_VERSION}`,
      {
        field: 'wasm',
      },
    );
  }
  return createWasmPoseidon(exports);
}

/** Reduces like circomlibjs's F.e: any bigint, negative ones included, to [0, p). */
function reduce(x: bigint): bigint {
  if (x >= 0n && x < BN254_R) return x;
  const r = x % BN254_R;
  return r < 0n ? r + BN254_R : r;
}

export function createWasmPoseidon(wasm: PoseidonWasmExports): PoseidonHash {
  // The io area never moves (a static in the module, and the module never grows its memory), so
  // one view serves every call.
  const io = new BigUint64Array(wasm.memory.buffer, wasm.io_ptr() >>> 0, 4 * (MAX_INPUTS + 1));
  return (inputs: readonly bigint[]): bigint => {
    const n = inputs.length;
    for (let i = 0; i < n; i++) {
      const x = reduce(inputs[i] as bigint);
      // BigUint64Array stores each value modulo 2^64: no masking needed.
      io[4 * i] = x;
      io[4 * i + 1] = x >> 64n;
      io[4 * i + 2] = x >> 128n;
      io[4 * i + 3] = x >> 192n;
    }
    const status = n >= 1 && n <= MAX_INPUTS ? wasm.hash(n) : ERR_WIDTH;
    if (status !== 0) {
      throw new ProofError(
        ErrorCode.ProofBadInput,
        status === ERR_WIDTH
          ? `poseidon wasm has no constants for ${n} inputs (built: ${POSEIDON_WASM_WIDTHS.join(', ')})`
          : `poseidon wasm refused its input (status ${status})`,
        { field: 'inputs' },
      );
    }
    return (
      (io[0] as bigint) |
      ((io[1] as bigint) << 64n) |
      ((io[2] as bigint) << 128n) |
      ((io[3] as bigint) << 192n)
    );
  };
}
