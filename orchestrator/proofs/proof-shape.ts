/** Checks an untrusted proof object's shape and fingerprints it. Pure. */
import type { Groth16Proof } from 'snarkjs';
import { ProofError } from '../../circuits/lib/errors.ts';
import { sha256Hex } from '../../circuits/lib/field.ts';
import { ErrorCode } from '../../protocol/errors.ts';

const DECIMAL = /^[0-9]{1,78}$/;

function isDecimals(value: unknown, length: number): value is string[] {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((v) => typeof v === 'string' && DECIMAL.test(v))
  );
}

function invalid(reason: string, details: Record<string, unknown>): never {
  throw new ProofError(ErrorCode.ProofInvalid, `malformed proof: ${reason}`, { ...details, reason });
}

/** Throws PROOF_INVALID unless `proof` looks like a snarkjs Groth16 bn128 proof. */
export function checkProofShape(
  proof: unknown,
  publicSignals: unknown,
  nPublic: number,
  details: Record<string, unknown> = {},
): asserts proof is Groth16Proof {
  const p = proof as Partial<Groth16Proof> | null;
  if (typeof p !== 'object' || p === null) invalid('not an object', details);
  if (p.protocol !== undefined && p.protocol !== 'groth16') invalid('protocol', details);
  if (p.curve !== undefined && p.curve !== 'bn128') invalid('curve', details);
  if (!isDecimals(p.pi_a, 3)) invalid('pi_a', details);
  if (!isDecimals(p.pi_c, 3)) invalid('pi_c', details);
  if (!Array.isArray(p.pi_b) || p.pi_b.length !== 3 || !p.pi_b.every((row) => isDecimals(row, 2)))
    invalid('pi_b', details);
  if (!isDecimals(publicSignals, nPublic)) invalid('publicSignals', details);
}

/** sha256 over the proof's points (not its JSON formatting): the replay guard's proof key. */
export function proofFingerprint(proof: Groth16Proof): string {
  const canonical = [...proof.pi_a, ...proof.pi_b.flat(), ...proof.pi_c]
    .map((s) => BigInt(s).toString())
    .join(',');
  return sha256Hex(new TextEncoder().encode(canonical));
}
