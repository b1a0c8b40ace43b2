/**
 * Mapping application values (string ids, seeds, bytes) to BN254 scalar field elements. Both the
 * worker (prover) and the orchestrator (verifier) import this, so the mapping is one function.
 * Pure and browser-safe (no node: imports).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ErrorCode } from '../../protocol/errors.ts';
import { ProofError } from './errors.ts';
import { LIMB_BYTES } from './params.ts';

/** The BN254 (alt_bn128) scalar field modulus: every circuit signal lives modulo this. */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** What an id names; part of the hash input so a task id can never equal a worker id's field. */
export type IdDomain = 'task' | 'worker' | 'nonce';

const encoder = new TextEncoder();
/** Clears a 256-bit digest's top 3 bits: the result is < 2^253 < p, a field element with no bias. */
export const MASK_253 = (1n << 253n) - 1n;

/**
 * sha256("shardmesh/v1/<domain>\0<id>") with the top 3 bits cleared: < 2^253 < p, so the value is
 * a field element with no modular bias, and ids stay collision resistant at 253 bits.
 */
export function fieldFromId(domain: IdDomain, id: string): bigint {
  const digest = sha256(encoder.encode(`shardmesh/v1/${domain}\0${id}`));
  return bytesToBigIntBE(digest) & MASK_253;
}

export const taskIdToField = (taskId: string): bigint => fieldFromId('task', taskId);
export const workerIdToField = (workerId: string): bigint => fieldFromId('worker', workerId);
export const nonceToField = (nonce: string): bigint => fieldFromId('nonce', nonce);

/** A task seed is a non-negative integer below the field modulus (u32/u64 seeds all qualify). */
export function seedToField(seed: number | bigint): bigint {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new ProofError(ErrorCode.ProofBadInput, 'seed must be a safe integer', { field: 'seed' });
  }
  const value = BigInt(seed);
  if (value < 0n || value >= FIELD_MODULUS) {
    throw new ProofError(ErrorCode.ProofBadInput, 'seed must be in [0, field modulus)', { field: 'seed' });
  }
  return value;
}

/** Parses a field element given as bigint or decimal string (snarkjs public signals are strings). */
export function toFieldElement(value: bigint | string, field: string): bigint {
  let v: bigint;
  try {
    v = typeof value === 'bigint' ? value : BigInt(value);
  } catch {
    throw new ProofError(ErrorCode.ProofBadInput, `${field} is not an integer`, { field });
  }
  if (v < 0n || v >= FIELD_MODULUS) {
    throw new ProofError(ErrorCode.ProofBadInput, `${field} is outside the field`, { field });
  }
  return v;
}

/** Packs bytes into `count` limbs of 31 bytes, little-endian within a limb, zero-padded. */
export function packBytes(bytes: Uint8Array, count: number): bigint[] {
  if (bytes.length > count * LIMB_BYTES) {
    throw new ProofError(ErrorCode.ProofBadInput, `${bytes.length} bytes do not fit in ${count} limbs`);
  }
  const limbs: bigint[] = new Array(count).fill(0n);
  for (let i = 0; i < count; i++) {
    let limb = 0n;
    const start = i * LIMB_BYTES;
    const end = Math.min(start + LIMB_BYTES, bytes.length);
    for (let j = end - 1; j >= start; j--) limb = (limb << 8n) | BigInt(bytes[j] as number);
    limbs[i] = limb;
  }
  return limbs;
}

/** 32-byte big-endian encoding of a field element (the output bytes of field-native tasks). */
export function fieldToBytes32(value: bigint): Uint8Array {
  const v = toFieldElement(value, 'value');
  const out = new Uint8Array(32);
  let rest = v;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

export function bytesToBigIntBE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Lowercase hex, used for artifact hashes and proof fingerprints. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function sha256Hex(bytes: Uint8Array): string {
  return toHex(sha256(bytes));
}
