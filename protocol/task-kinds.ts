/**
 * Task kinds the mesh knows. A kind names one kernel with a fixed input/output layout; the engine
 * refuses jobs of other kinds (ErrorCode.UnknownTaskKind). Wire frames carry kinds as plain strings
 * so that a worker may advertise kinds this build does not know.
 */

export const TaskKind = {
  /** f32 matrix multiply, + and * only in a fixed order, so digests agree across adapters. */
  matmul: 'matmul-f32',
  /** Seeded integer Monte Carlo (u32 PRNG): exact everywhere. */
  monteCarlo: 'montecarlo-u32',
  /** Dot products of a query against N vectors (fixed order) + top-k, ties by index: exact. */
  similarityTopK: 'similarity-topk',
  /** u32 mixing + wrapping reduction: exact. */
  hashReduce: 'hash-reduce-u32',
  /** Researcher-supplied WGSL: NOT exact (may use transcendentals); agree only within one adapter class. */
  customWgsl: 'custom-wgsl',
  /**
   * Field-native: a Poseidon hash chain from (taskId, seed), no kernel and no payload; the
   * poseidon_chain circuit recomputes it, so its proofs attest the result (docs/proofs.md).
   */
  poseidonChain: 'poseidon-chain',
} as const;
export type TaskKind = (typeof TaskKind)[keyof typeof TaskKind];

/** Every known kind, in declaration order. */
export const TASK_KINDS: readonly TaskKind[] = Object.values(TaskKind);

export function isTaskKind(value: unknown): value is TaskKind {
  return typeof value === 'string' && (TASK_KINDS as readonly string[]).includes(value);
}
