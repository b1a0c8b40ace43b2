/**
 * Wire message types: the JSON header of every frame, as one discriminated union on `type`.
 * protocol/validate-header.ts checks decoded headers against exactly these shapes.
 */

/** Any value JSON can carry and give back unchanged (finite numbers only). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Fields every header carries; the encoder fills them in. */
export interface FrameHeaderBase {
  /** Header schema version, equal to the binary format version. */
  v: 1;
  /** Must equal the payload length in the binary prefix. */
  payloadLength: number;
  /** Lowercase hex SHA-256 of the payload, verified on decode. */
  payloadSha256: string;
}

/** The GPU adapter a worker runs on (`GPUAdapterInfo` subset); null on the CPU path. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallback: boolean;
}

export interface WorkerCapabilities {
  /** Task kinds this worker can run (plain strings: it may know kinds the orchestrator does not). */
  kinds: string[];
  cores: number;
  maxConcurrent: number;
  adapter: AdapterInfo | null;
  /** Per-task limits the worker enforces, so the orchestrator can route big tasks elsewhere. */
  limits?: { timeoutMs: number; maxPayloadBytes: number; maxOutputBytes: number };
}

/** worker -> orchestrator: first frame on a stream. */
export interface HelloHeader extends FrameHeaderBase {
  type: 'hello';
  workerId: string;
  capabilities: WorkerCapabilities;
  userAgent: string;
  /** The worker reads `tasks` frames and may send `results` frames (protocol/batch.ts). */
  batchFrames?: boolean;
}

/** orchestrator -> worker: answer to hello, with the timings the worker must honour. */
export interface WelcomeHeader extends FrameHeaderBase {
  type: 'welcome';
  orchestratorId: string;
  leaseMs: number;
  heartbeatMs: number;
  maxPayloadBytes: number;
  /** Answer to hello.batchFrames: both sides may now send batch frames. Absent = single frames only. */
  batchFrames?: boolean;
}

/** orchestrator -> worker: one leased replica. Payload = task input. */
export interface TaskHeader extends FrameHeaderBase {
  type: 'task';
  jobId: string;
  taskId: string;
  replicaId: string;
  kind: string;
  /** u32 seed. */
  seed: number;
  /** 1 for the first attempt. */
  attempt: number;
  /** Milliseconds since the epoch. */
  leaseExpiresAt: number;
  params: JsonObject;
  /** Present when the job requires a proof: the circuit and the nonce issued for this replica. */
  proof?: { circuit: string; nonce: string };
}

/** worker -> orchestrator: the worker has taken the replica. */
export interface AckHeader extends FrameHeaderBase {
  type: 'ack';
  replicaId: string;
}

/** worker -> orchestrator: extend the leases of these replicas. */
export interface HeartbeatHeader extends FrameHeaderBase {
  type: 'heartbeat';
  replicaIds: string[];
}

/** worker -> orchestrator: a computed result. Payload = output bytes, or empty (digest only). */
export interface ResultHeader extends FrameHeaderBase {
  type: 'result';
  jobId: string;
  taskId: string;
  replicaId: string;
  kind: string;
  seed: number;
  /** Lowercase hex SHA-256 of the exact output bytes. */
  resultDigest: string;
  outputLength: number;
  elapsedMs: number;
  /** Opaque to the codec; the verifier checks it. */
  proof?: JsonObject;
}

/** The wire shape of an error (ShardmeshError.toJSON without details). */
export interface WireError {
  code: string;
  message: string;
}

/** worker -> orchestrator: the replica could not be computed. */
export interface FailureHeader extends FrameHeaderBase {
  type: 'failure';
  jobId: string;
  taskId: string;
  replicaId: string;
  error: WireError;
}

/** orchestrator -> worker: a frame was refused (e.g. a late result for an expired lease). */
export interface RefusalHeader extends FrameHeaderBase {
  type: 'refusal';
  replicaId?: string;
  code: string;
  message: string;
}

/** worker -> orchestrator: request up to `max` leases. */
export interface PullHeader extends FrameHeaderBase {
  type: 'pull';
  max: number;
}

export type FrameHeader =
  | HelloHeader
  | WelcomeHeader
  | TaskHeader
  | AckHeader
  | HeartbeatHeader
  | ResultHeader
  | FailureHeader
  | RefusalHeader
  | PullHeader
  | TasksHeader
  | ResultsHeader;

export type FrameType = FrameHeader['type'];

/** Where one entry's bytes lie in a batch frame's payload: entries tile the payload in order. */
export interface BatchSlice {
  offset: number;
  length: number;
}

/** One replica of a `tasks` frame: a task header's fields, its payload's place and SHA-256. */
export type TaskEntry = Omit<TaskHeader, keyof FrameHeaderBase | 'type'> & BatchSlice & { sha256: string };

/** One result of a `results` frame; its slice is the output (length = outputLength, SHA-256 = resultDigest). */
export type ResultEntry = Omit<ResultHeader, keyof FrameHeaderBase | 'type' | 'proof'> & BatchSlice;

/** One failure of a `results` frame (no payload). */
export type FailureEntry = Omit<FailureHeader, keyof FrameHeaderBase | 'type'>;

/** orchestrator -> worker: the leases of one transaction. Payload = their inputs, concatenated. */
export interface TasksHeader extends FrameHeaderBase {
  type: 'tasks';
  tasks: TaskEntry[];
}

/**
 * worker -> orchestrator: what one turn of the task loop finished: acks, results (outputs
 * concatenated in the payload; a result with a proof goes on its own `result` frame), failures.
 */
export interface ResultsHeader extends FrameHeaderBase {
  type: 'results';
  acks: string[];
  results: ResultEntry[];
  failures: FailureEntry[];
}

/** Every frame type, for exhaustive tests and dispatch tables. */
export const FRAME_TYPES = [
  'hello',
  'welcome',
  'task',
  'ack',
  'heartbeat',
  'result',
  'failure',
  'refusal',
  'pull',
  'tasks',
  'results',
] as const satisfies readonly FrameType[];

/** The header of one frame type. */
export type HeaderOf<T extends FrameType> = Extract<FrameHeader, { type: T }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What callers pass to encodeFrame: the header without the fields the encoder computes. */
export type FrameHeaderInput = DistributiveOmit<FrameHeader, keyof FrameHeaderBase>;

/** A decoded frame. `payload` is a view into the decoded bytes, not a copy. */
export interface Frame {
  header: FrameHeader;
  payload: Uint8Array;
}
