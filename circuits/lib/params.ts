/**
 * Fixed sizes compiled into the circuits. The .circom files hold the same numbers; a change here
 * without a recompile and a new ceremony version breaks every proof (tests catch it).
 */

/** Stable circuit ids: the artifact folder names and the `circuit` field of a proof. */
export const CircuitId = {
  ResultBinding: 'result_binding',
  PoseidonChain: 'poseidon_chain',
  ResultBatch: 'result_batch',
} as const;
export type CircuitId = (typeof CircuitId)[keyof typeof CircuitId];
export const CIRCUIT_IDS: readonly CircuitId[] = Object.values(CircuitId);

/** Bytes per field-element limb: 31 bytes always fit below the BN254 scalar modulus. */
export const LIMB_BYTES = 31;
/** Limbs absorbed per Poseidon(16) call (the 16th input carries the chaining value). */
export const LIMBS_PER_CHUNK = 15;
/** Poseidon(16) calls in the result-binding circuit; 6 keeps it under 2^12 constraints. */
export const RESULT_BINDING_CHUNKS = 6;
export const RESULT_BINDING_LIMBS = RESULT_BINDING_CHUNKS * LIMBS_PER_CHUNK;
/** Outputs up to this size are committed byte for byte (2790). */
export const MAX_INLINE_BYTES = RESULT_BINDING_LIMBS * LIMB_BYTES;
/** Longer outputs: their first 2758 bytes plus their SHA-256 (32 bytes) fill the same limbs. */
export const LONG_OUTPUT_PREFIX_BYTES = MAX_INLINE_BYTES - 32;
/** outputLen is range-checked to a u32 in the circuit. */
export const MAX_OUTPUT_LEN = 0xffff_ffff;

/** Poseidon(1) steps after the Poseidon(taskId, seed) start of the poseidon-chain task. */
export const POSEIDON_CHAIN_LENGTH = 16;

/** Tasks per batched proof (the circuit pads shorter batches). */
export const BATCH_SIZE = 64;

/** Public signals of each circuit, in the order snarkjs lists them (declaration order). */
export const PUBLIC_SIGNALS = {
  result_binding: ['taskId', 'seed', 'outputLen', 'resultDigest', 'workerId', 'nonce'],
  poseidon_chain: ['taskId', 'seed', 'result', 'workerId', 'nonce'],
  result_batch: ['root', 'workerId', 'nonce'],
} as const satisfies Record<CircuitId, readonly string[]>;
export type PublicSignalName<C extends CircuitId> = (typeof PUBLIC_SIGNALS)[C][number];
