/**
 * The native Groth16 prover (native-bn254/, Rust) through bun:ffi: proofs snarkjs's verifier
 * accepts with the same keys, ~4.6x faster than snarkjs on this machine (bench/proofs.bench.ts).
 * Bun only, and only where the library was built (scripts/setup.sh builds it when Debian's cargo
 * is installed): `loadNativeProver()` says why not otherwise, and the prover uses snarkjs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Groth16Proof } from 'snarkjs';
import { ErrorCode } from '../../protocol/errors.ts';
import { ProofError } from './errors.ts';
import { FIELD_MODULUS } from './field.ts';

export const NATIVE_LIBRARY = join(
  import.meta.dir,
  '..',
  '..',
  'native-bn254',
  'target',
  'release',
  'libshardmesh_bn254.so',
);
const ABI_VERSION = 1;
const OUT_BYTES = 272;

/** What the native status codes mean (native-bn254/src/lib.rs, zkey.rs). */
const STATUS: Record<number, string> = {
  [-1]: 'not a zkey/wtns file (bad magic)',
  [-2]: 'truncated or inconsistent file',
  [-3]: 'a required section is missing',
  [-4]: 'not a Groth16 key',
  [-5]: 'not a BN254 key or witness',
  [-6]: 'a key point is not a valid curve point',
  [-7]: 'the witness does not fit the key (wrong circuit)',
  [-8]: 'a witness value is not a field element',
  [-20]: 'null pointer',
  [-21]: 'bad randomizers',
  [-22]: 'degenerate proof (malformed key)',
};

export interface NativeProof {
  proof: Groth16Proof;
  publicSignals: string[];
  /** Where the time went, ms: QAP (coefficients + FFTs) and the five MSMs. */
  phases: { qapMs: number; msmMs: number };
}

export interface NativeProver {
  /** Proves `wtns` (circom_runtime's calculateWTNSBin output) with the zkey bytes. */
  prove(zkey: Uint8Array, wtns: Uint8Array, opts?: { threads?: number }): NativeProof;
}

type Loaded = { prover: NativeProver } | { reason: string };
let loaded: Loaded | undefined;

/** The native prover, or why it cannot load here (not Bun, library not built, ABI mismatch). */
export function loadNativeProver(): Loaded {
  loaded ??= load();
  return loaded;
}

function load(): Loaded {
  if (typeof (globalThis as { Bun?: unknown }).Bun === 'undefined')
    return { reason: 'not running under Bun' };
  if (!existsSync(NATIVE_LIBRARY))
    return { reason: `${NATIVE_LIBRARY} is not built (bash native-bn254/build.sh)` };
  // Imported lazily: bun:ffi exists only in Bun, and the browser bundle never reaches this line.
  const { dlopen, FFIType, ptr } = require('bun:ffi') as typeof import('bun:ffi');
  const lib = dlopen(NATIVE_LIBRARY, {
    sm_version: { args: [], returns: FFIType.u32 },
    sm_groth16_prove: {
      args: [
        FFIType.ptr,
        FFIType.u64,
        FFIType.ptr,
        FFIType.u64,
        FFIType.ptr,
        FFIType.ptr,
        FFIType.u32,
        FFIType.ptr,
      ],
      returns: FFIType.i32,
    },
  });
  const version = lib.symbols.sm_version();
  if (version !== ABI_VERSION) return { reason: `native prover ABI ${version}, expected ${ABI_VERSION}` };
  const prove = (zkey: Uint8Array, wtns: Uint8Array, opts: { threads?: number } = {}): NativeProof => {
    if (zkey.length === 0 || wtns.length === 0) {
      throw new ProofError(ErrorCode.ProverFailed, 'native prover: empty zkey or witness', {
        nativeCode: -2,
      });
    }
    const r = randomScalar();
    const s = randomScalar();
    const out = new Uint8Array(OUT_BYTES);
    const status = lib.symbols.sm_groth16_prove(
      ptr(zkey),
      zkey.length,
      ptr(wtns),
      wtns.length,
      ptr(r),
      ptr(s),
      opts.threads ?? 0,
      ptr(out),
    );
    if (status !== 0) {
      throw new ProofError(ErrorCode.ProverFailed, `native prover: ${STATUS[status] ?? 'unknown failure'}`, {
        nativeCode: status,
      });
    }
    const fq = (i: number) => leToBigInt(out.subarray(32 * i, 32 * i + 32)).toString();
    const timings = new DataView(out.buffer, 256, 16);
    return {
      proof: {
        pi_a: [fq(0), fq(1), '1'],
        pi_b: [
          [fq(2), fq(3)],
          [fq(4), fq(5)],
          ['1', '0'],
        ],
        pi_c: [fq(6), fq(7), '1'],
        protocol: 'groth16',
        curve: 'bn128',
      },
      publicSignals: publicSignalsOf(zkey, wtns),
      phases: { qapMs: timings.getFloat64(0, true), msmMs: timings.getFloat64(8, true) },
    };
  };
  return { prover: { prove } };
}

function leToBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] as number);
  return v;
}

/** A uniform non-zero scalar below the field modulus (64 random bytes reduced: negligible bias). */
function randomScalar(): Uint8Array {
  const wide = leToBigInt(crypto.getRandomValues(new Uint8Array(64)));
  let v = (wide % (FIELD_MODULUS - 1n)) + 1n;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** The sections of a snarkjs binfile (magic, version, count, then type u32 + size u64 + bytes). */
function binSections(bytes: Uint8Array, magic: string): Map<number, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sections = new Map<number, Uint8Array>();
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== magic) return sections;
  let at = 12;
  for (let i = view.getUint32(8, true); i > 0 && at + 12 <= bytes.length; i--) {
    const size = Number(view.getBigUint64(at + 4, true));
    sections.set(view.getUint32(at, true), bytes.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return sections;
}

/** witness[1..=nPublic] as decimal strings: snarkjs's publicSignals (nPublic from the zkey). */
function publicSignalsOf(zkey: Uint8Array, wtns: Uint8Array): string[] {
  const header = binSections(zkey, 'zkey').get(2);
  const values = binSections(wtns, 'wtns').get(2);
  if (header === undefined || values === undefined) return [];
  const nPublic = new DataView(header.buffer, header.byteOffset, header.byteLength).getUint32(76, true);
  return Array.from({ length: nPublic }, (_, i) =>
    leToBigInt(values.subarray(32 * (i + 1), 32 * (i + 2))).toString(),
  );
}
