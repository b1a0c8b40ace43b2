/** Validation of createJob's input: typed RequestErrors naming the offending field. */
import { ErrorCode, RequestError } from '../../protocol/errors.ts';
import { SHA256_HEX } from './blobs.ts';
import type { QuorumPolicy } from './quorum.ts';
import { type CreateJobInput, type EngineOptions, PROOF_CIRCUITS } from './types.ts';

/** Bounds that keep one job's bookkeeping sane; far above any useful setting. */
export const LIMITS = {
  maxTasks: 1_000_000,
  maxRedundancy: 32,
  maxReplicas: 64,
  maxAttempts: 1_000,
  maxPriority: 2 ** 31 - 1,
  maxKindLength: 128,
  maxParamsBytes: 64 * 1024,
} as const;

export interface JobPolicy extends QuorumPolicy {
  maxAttempts: number;
  priority: number;
}

function bad(field: string, message: string): RequestError {
  return new RequestError(ErrorCode.BadRequest, `${field} ${message}`, { field });
}

function int(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw bad(field, `must be an integer in [${min}, ${max}]`);
  }
  return value;
}

function validateTasks(tasks: CreateJobInput['tasks']): void {
  if (!Array.isArray(tasks) || tasks.length === 0 || tasks.length > LIMITS.maxTasks) {
    throw bad('tasks', `must be a non-empty array of at most ${LIMITS.maxTasks}`);
  }
  tasks.forEach((t, i) => {
    const f = `tasks[${i}]`;
    if (typeof t !== 'object' || t === null) throw bad(f, 'must be an object');
    int(t.seed, `${f}.seed`, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    const inline = t.payload !== undefined;
    if (inline === (t.payloadSha256 !== undefined))
      throw bad(f, 'needs exactly one of payload, payloadSha256');
    if (inline && !(t.payload instanceof Uint8Array)) throw bad(`${f}.payload`, 'must be bytes');
    if (!inline && !SHA256_HEX.test(String(t.payloadSha256))) {
      throw bad(`${f}.payloadSha256`, 'must be 64 lowercase hex chars');
    }
    if (t.params !== undefined) {
      if (typeof t.params !== 'object' || t.params === null || Array.isArray(t.params)) {
        throw bad(`${f}.params`, 'must be a JSON object');
      }
      if (JSON.stringify(t.params).length > LIMITS.maxParamsBytes) throw bad(`${f}.params`, 'is too large');
    }
  });
}

/** Check the input and resolve the per-job policy against the engine defaults. */
export function validateJobInput(input: CreateJobInput, defaults: EngineOptions): JobPolicy {
  if (
    typeof input?.kind !== 'string' ||
    input.kind.length === 0 ||
    input.kind.length > LIMITS.maxKindLength
  ) {
    throw bad('kind', `must be a string of 1-${LIMITS.maxKindLength} chars`);
  }
  if (input.proof !== undefined && !PROOF_CIRCUITS.includes(input.proof))
    throw bad('proof', `must be one of ${PROOF_CIRCUITS.join(', ')}`);
  // The poseidon_chain circuit recomputes the poseidon-chain kind: it proves nothing for others.
  if (input.proof === 'poseidon_chain' && input.kind !== 'poseidon-chain')
    throw bad('proof', "poseidon_chain proofs need kind 'poseidon-chain'");
  if (input.idempotencyKey !== undefined) {
    if (
      typeof input.idempotencyKey !== 'string' ||
      input.idempotencyKey.length === 0 ||
      input.idempotencyKey.length > 256
    ) {
      throw bad('idempotencyKey', 'must be a string of 1-256 chars');
    }
  }
  const redundancy = int(input.redundancy ?? defaults.redundancy, 'redundancy', 1, LIMITS.maxRedundancy);
  const quorum = int(input.quorum ?? Math.min(defaults.quorum, redundancy), 'quorum', 1, redundancy);
  const maxReplicas = int(
    input.maxReplicas ?? Math.min(redundancy + defaults.extraReplicas, LIMITS.maxReplicas),
    'maxReplicas',
    redundancy,
    LIMITS.maxReplicas,
  );
  const maxAttempts = int(input.maxAttempts ?? defaults.maxAttempts, 'maxAttempts', 1, LIMITS.maxAttempts);
  const priority = int(
    input.priority ?? defaults.priority,
    'priority',
    -LIMITS.maxPriority,
    LIMITS.maxPriority,
  );
  validateTasks(input.tasks);
  return { redundancy, quorum, maxReplicas, maxAttempts, priority };
}
