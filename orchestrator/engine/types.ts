/** The engine's public data shapes. */
import type { JobState, ReplicaState, TaskState } from './state-machine.ts';

export type { JobState, ReplicaState, TaskState };

export type DeadReason = 'no_quorum' | 'max_attempts' | 'cancelled';
/** Dead-letter queue entries: cancelled tasks are dead but not queued (the researcher chose that). */
export type DeadLetterReason = Exclude<DeadReason, 'cancelled'>;

export interface BackoffOptions {
  baseMs: number;
  factor: number;
  capMs: number;
}

export interface EngineOptions {
  /** Clock in ms since the epoch; tests inject a fake one. */
  now: () => number;
  /** Uniform [0, 1) source for backoff jitter; tests inject a seeded one. */
  random: () => number;
  leaseMs: number;
  backoff: BackoffOptions;
  /** Per-job defaults; maxReplicas defaults to redundancy + extraReplicas. */
  redundancy: number;
  quorum: number;
  extraReplicas: number;
  maxAttempts: number;
  priority: number;
  maxLeaseBatch: number;
  reapBatch: number;
  checkDigest: boolean;
  /** Called when an event listener throws (listeners run after commit; they cannot undo it). */
  onListenerError: (err: unknown) => void;
}

export type TaskInput = {
  seed: number;
  params?: Record<string, unknown>;
} & ({ payload: Uint8Array; payloadSha256?: undefined } | { payloadSha256: string; payload?: undefined });

export interface CreateJobInput {
  kind: string;
  tasks: readonly TaskInput[];
  redundancy?: number;
  quorum?: number;
  maxReplicas?: number;
  maxAttempts?: number;
  priority?: number;
  /** Same key (and same request) -> the same job, never a duplicate. */
  idempotencyKey?: string;
  /** Require a Groth16 proof with every result (verified before it counts toward quorum). */
  proof?: ProofCircuit;
}

/**
 * Circuits a job may require (docs/proofs.md): result_binding binds (task, seed, output, worker,
 * nonce); poseidon_chain proves the poseidon-chain computation itself; result_batch proves up to
 * 16 of one worker's replicas of the job at once (orchestrator/dispatch/batch-check.ts).
 */
export type ProofCircuit = 'result_binding' | 'poseidon_chain' | 'result_batch';
export const PROOF_CIRCUITS: readonly ProofCircuit[] = ['result_binding', 'poseidon_chain', 'result_batch'];

/** What a worker must prove for one replica: the circuit and the nonce issued with its lease. */
export interface ProofRequest {
  circuit: ProofCircuit;
  nonce: string;
}

export interface TaskCounts {
  total: number;
  pending: number;
  running: number;
  verifying: number;
  done: number;
  dead: number;
}

/** Replicas that ever entered each state (cumulative): `submitted` = results computed. */
export interface ReplicaCounts {
  leased: number;
  submitted: number;
  accepted: number;
  rejected: number;
  expired: number;
  failed: number;
}

export interface JobProgress {
  jobId: string;
  kind: string;
  state: JobState;
  priority: number;
  redundancy: number;
  quorum: number;
  maxReplicas: number;
  maxAttempts: number;
  idempotencyKey: string | null;
  createdAt: number;
  finishedAt: number | null;
  /** The proof every result must carry, or null. */
  proof: ProofCircuit | null;
  /** Tasks in each state now (kept on the job row in the same transactions as the tasks). */
  counts: TaskCounts;
  replicas: ReplicaCounts;
}

/** createJob's answer: `created` is false when an idempotency key matched an existing job. */
export interface JobSummary extends JobProgress {
  created: boolean;
}

export interface Lease {
  replicaId: string;
  jobId: string;
  taskId: string;
  index: number;
  kind: string;
  seed: number;
  /** 1 + replicas of this task lost (failed or expired) in this round. */
  attempt: number;
  params: Record<string, unknown>;
  payload: Uint8Array;
  payloadSha256: string;
  leaseExpiresAt: number;
  /** Present when the job requires proofs: a fresh nonce issued for this replica only. */
  proof?: ProofRequest;
}

export interface SubmitOutcome {
  replica: Extract<ReplicaState, 'submitted' | 'accepted' | 'rejected'>;
  task: TaskState;
}

export interface FailOutcome {
  retry: boolean;
  notBefore?: number;
  task: TaskState;
}

export interface TaskResult {
  taskId: string;
  index: number;
  digest: string;
  output: Uint8Array;
}

export interface WorkerInfo {
  workerId: string;
  info: Record<string, unknown>;
  firstSeen: number;
  lastSeen: number;
  /** Replicas this worker holds a lease on. */
  live: number;
}

export interface LostReplica {
  replicaId: string;
  workerId: string;
  state: 'failed' | 'expired';
  code: string;
  message: string;
  at: number;
}

export interface Conflict {
  digest: string;
  workerIds: string[];
}

export interface DeadLetter {
  taskId: string;
  jobId: string;
  index: number;
  reason: DeadLetterReason;
  attempts: number;
  deadAt: number;
}

export interface DeadLetterDetail extends DeadLetter {
  errors: LostReplica[];
  conflicts: Conflict[];
}

export interface DlqFilter {
  jobId?: string;
  reason?: DeadLetterReason;
}
