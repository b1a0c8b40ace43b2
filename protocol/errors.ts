/**
 * Typed errors shared by every Shardmesh component.
 *
 * Style follows js-libp2p: one class per condition, a stable `name` for `instanceof`-free
 * matching in logs, and a separate wire `code` that clients switch on. Never tell errors apart
 * by message text: messages are for humans and may change.
 */

/** Every stable wire code. Add new codes at the end of a group; never rename one. */
export const ErrorCode = {
  // frame codec (protocol/frame.ts)
  FrameTooShort: 'FRAME_TOO_SHORT',
  FrameBadMagic: 'FRAME_BAD_MAGIC',
  FrameUnsupportedVersion: 'FRAME_UNSUPPORTED_VERSION',
  FrameHeaderTooLarge: 'FRAME_HEADER_TOO_LARGE',
  FramePayloadTooLarge: 'FRAME_PAYLOAD_TOO_LARGE',
  FrameHeaderInvalid: 'FRAME_HEADER_INVALID',
  FrameLengthMismatch: 'FRAME_LENGTH_MISMATCH',
  FrameDigestMismatch: 'FRAME_DIGEST_MISMATCH',
  FrameUnsupportedFlags: 'FRAME_UNSUPPORTED_FLAGS',
  // requests (HTTP API, CLI)
  BadRequest: 'BAD_REQUEST',
  NotFound: 'NOT_FOUND',
  Unauthorized: 'UNAUTHORIZED',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  RateLimited: 'RATE_LIMITED',
  Conflict: 'CONFLICT',
  // task engine
  IllegalTransition: 'ILLEGAL_TRANSITION',
  LeaseExpired: 'LEASE_EXPIRED',
  NotLeaseOwner: 'NOT_LEASE_OWNER',
  UnknownReplica: 'UNKNOWN_REPLICA',
  UnknownTaskKind: 'UNKNOWN_TASK_KIND',
  SchemaTooNew: 'SCHEMA_TOO_NEW',
  DigestMismatch: 'DIGEST_MISMATCH',
  // worker / kernels / preprocessing
  KernelFailed: 'KERNEL_FAILED',
  TaskTimeout: 'TASK_TIMEOUT',
  PreprocessFailed: 'PREPROCESS_FAILED',
  WasmUnavailable: 'WASM_UNAVAILABLE',
  KernelCompileFailed: 'KERNEL_COMPILE_FAILED',
  TaskMemoryLimit: 'TASK_MEMORY_LIMIT',
  // proofs
  ProofInvalid: 'PROOF_INVALID',
  ProofReplayed: 'PROOF_REPLAYED',
  ProofMismatch: 'PROOF_MISMATCH',
  ProofUnknownVersion: 'PROOF_UNKNOWN_VERSION',
  ProofVersionRetired: 'PROOF_VERSION_RETIRED',
  ProofArtifactMismatch: 'PROOF_ARTIFACT_MISMATCH',
  ProofBadInput: 'PROOF_BAD_INPUT',
  ProverFailed: 'PROVER_FAILED',
  // batched proofs (orchestrator/dispatch/batch-check.ts)
  ProofBatchMalformed: 'PROOF_BATCH_MALFORMED',
  ProofBatchNotMember: 'PROOF_BATCH_NOT_MEMBER',
  ProofBatchIncomplete: 'PROOF_BATCH_INCOMPLETE',
  ProofBatchForeignLeaf: 'PROOF_BATCH_FOREIGN_LEAF',
  ProofBatchMixedJobs: 'PROOF_BATCH_MIXED_JOBS',
  ProofBatchRootMismatch: 'PROOF_BATCH_ROOT_MISMATCH',
  // mesh: the verified-digest log (orchestrator/mesh/)
  LogMalformed: 'LOG_MALFORMED',
  LogBadHash: 'LOG_BAD_HASH',
  LogBadSignature: 'LOG_BAD_SIGNATURE',
  LogChainBroken: 'LOG_CHAIN_BROKEN',
  LogProofUnverified: 'LOG_PROOF_UNVERIFIED',
  LogSyncFailed: 'LOG_SYNC_FAILED',
  // lifecycle
  Aborted: 'ABORTED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class: carries a stable wire `code` and optional structured `details` (e.g. the field). */
export class ShardmeshError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ShardmeshError';
    this.code = code;
    this.details = details;
  }

  /** The one JSON shape every error takes on the wire (HTTP bodies, failure frames). */
  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: { ...this.details } };
  }
}

/** A frame could not be decoded or failed validation. */
export class FrameError extends ShardmeshError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'FrameError';
  }
}

/** A request (HTTP body, CLI input) was rejected. `details.field` names the offending field. */
export class RequestError extends ShardmeshError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'RequestError';
  }
}

/** The task engine refused an operation (illegal transition, stale lease, unknown replica...). */
export class EngineError extends ShardmeshError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'EngineError';
  }
}

/** A worker-side failure (kernel, preprocessing, timeout); travels back in a failure frame. */
export class WorkerTaskError extends ShardmeshError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(code, message, details, options);
    this.name = 'WorkerTaskError';
  }
}

/** An async operation was cancelled through its AbortSignal. */
export class AbortError extends ShardmeshError {
  constructor(message = 'The operation was aborted') {
    super(ErrorCode.Aborted, message);
    this.name = 'AbortError';
  }
}

/** Throw an AbortError if the signal has fired. Call at every await boundary of long work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError();
}

export function isShardmeshError(err: unknown): err is ShardmeshError {
  return err instanceof ShardmeshError;
}
