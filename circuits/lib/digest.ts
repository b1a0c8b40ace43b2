/**
 * The result digest a proof binds: the TypeScript twin of LimbSponge + DigestOfInner in
 * circuits/common.circom.
 *
 *   payload = output                                  if output.length <= MAX_INLINE_BYTES (2790)
 *           = output[0, 2758) ++ sha256(output)       otherwise (2790 bytes)
 *   limbs   = payload packed 31 bytes per limb, 90 limbs, zero-padded
 *   inner   = h5, where h0 = P16(outputLen, limbs[0..15)), hc = P16(h(c-1), limbs[15c..15c+15))
 *   digest  = P1(inner)
 *
 * outputLen (the real length) enters the sponge, so the two payload modes never collide: an
 * inline payload has outputLen <= 2790, a hashed one > 2790. For a long output the SHA-256 (the
 * same one the result frame carries) binds every byte, and the prefix keeps the proof one of
 * knowledge of output bytes: with the SHA-256 alone, which is public, the witness would be public.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ErrorCode } from '../../protocol/errors.ts';
import { ProofError } from './errors.ts';
import { packBytes, toFieldElement } from './field.ts';
import {
  LIMBS_PER_CHUNK,
  LONG_OUTPUT_PREFIX_BYTES,
  MAX_INLINE_BYTES,
  MAX_OUTPUT_LEN,
  RESULT_BINDING_LIMBS,
} from './params.ts';
import { getPoseidon } from './poseidon.ts';

export interface OutputCommitment {
  outputLen: number;
  /** 'inline': the limbs are the output; 'prefix+sha256': its first 2758 bytes and its SHA-256. */
  mode: 'inline' | 'prefix+sha256';
  /** Private witness of the result-binding circuit. */
  limbs: bigint[];
  /** The private sponge value behind `digest`; never published. */
  inner: bigint;
  /** Public: the result digest. */
  digest: bigint;
}

export async function commitOutput(output: Uint8Array): Promise<OutputCommitment> {
  if (output.length > MAX_OUTPUT_LEN) {
    throw new ProofError(ErrorCode.ProofBadInput, 'output longer than a u32 length', { field: 'outputLen' });
  }
  const inline = output.length <= MAX_INLINE_BYTES;
  const payload = inline ? output : longOutputPayload(output);
  const limbs = packBytes(payload, RESULT_BINDING_LIMBS);
  const poseidon = await getPoseidon();
  let h = BigInt(output.length);
  for (let c = 0; c < RESULT_BINDING_LIMBS / LIMBS_PER_CHUNK; c++) {
    h = poseidon([h, ...limbs.slice(c * LIMBS_PER_CHUNK, (c + 1) * LIMBS_PER_CHUNK)]);
  }
  return {
    outputLen: output.length,
    mode: inline ? 'inline' : 'prefix+sha256',
    limbs,
    inner: h,
    digest: poseidon([h]),
  };
}

/** The public result digest of an output (what replicas compare and proofs bind). */
export async function resultDigestOf(output: Uint8Array): Promise<bigint> {
  return (await commitOutput(output)).digest;
}

function longOutputPayload(output: Uint8Array): Uint8Array {
  const payload = new Uint8Array(MAX_INLINE_BYTES);
  payload.set(output.subarray(0, LONG_OUTPUT_PREFIX_BYTES));
  payload.set(sha256(output), LONG_OUTPUT_PREFIX_BYTES);
  return payload;
}

/** Digests travel as 64 lowercase hex chars (like SHA-256 digests) where a string is needed. */
export function digestToHex(digest: bigint): string {
  return digest.toString(16).padStart(64, '0');
}

export function digestFromHex(hex: string): bigint {
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new ProofError(ErrorCode.ProofBadInput, 'digest must be 64 lowercase hex chars', {
      field: 'resultDigest',
    });
  }
  return toFieldElement(BigInt(`0x${hex}`), 'resultDigest');
}
