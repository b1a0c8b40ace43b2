/**
 * The result digest a proof binds: the TypeScript twin of LimbSponge + DigestOfInner in
 * circuits/common.circom.
 *
 *   payload = output                  if output.length <= MAX_INLINE_BYTES (2790)
 *           = sha256(output)          otherwise (32 bytes)
 *   limbs   = payload packed 31 bytes per limb, 90 limbs, zero-padded
 *   inner   = h5, where h0 = P16(outputLen, limbs[0..15)), hc = P16(h(c-1), limbs[15c..15c+15))
 *   digest  = P1(inner)
 *
 * outputLen (the real length) enters the sponge, so the two payload modes never collide: an
 * inline payload has outputLen <= 2790, a hashed one > 2790.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ErrorCode } from '../../protocol/errors.ts';
import { ProofError } from './errors.ts';
import { packBytes } from './field.ts';
import { LIMBS_PER_CHUNK, MAX_INLINE_BYTES, MAX_OUTPUT_LEN, RESULT_BINDING_LIMBS } from './params.ts';
import { getPoseidon } from './poseidon.ts';

export interface OutputCommitment {
  outputLen: number;
  /** 'inline': the limbs are the output itself; 'sha256': the limbs are its SHA-256. */
  mode: 'inline' | 'sha256';
  /** Private witness of the result-binding circuit. */
  limbs: bigint[];
  /** Private witness of the batch circuit; never published. */
  inner: bigint;
  /** Public: the result digest. */
  digest: bigint;
}

export async function commitOutput(output: Uint8Array): Promise<OutputCommitment> {
  if (output.length > MAX_OUTPUT_LEN) {
    throw new ProofError(ErrorCode.ProofBadInput, 'output longer than a u32 length', { field: 'outputLen' });
  }
  const mode = output.length <= MAX_INLINE_BYTES ? 'inline' : 'sha256';
  const limbs = packBytes(mode === 'inline' ? output : sha256(output), RESULT_BINDING_LIMBS);
  const poseidon = await getPoseidon();
  let h = BigInt(output.length);
  for (let c = 0; c < RESULT_BINDING_LIMBS / LIMBS_PER_CHUNK; c++) {
    h = poseidon([h, ...limbs.slice(c * LIMBS_PER_CHUNK, (c + 1) * LIMBS_PER_CHUNK)]);
  }
  return { outputLen: output.length, mode, limbs, inner: h, digest: poseidon([h]) };
}

/** The public result digest of an output (what replicas compare and proofs bind). */
export async function resultDigestOf(output: Uint8Array): Promise<bigint> {
  return (await commitOutput(output)).digest;
}
