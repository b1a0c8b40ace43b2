/** The durable task engine: public surface. */

export { ENGINE_DEFAULTS } from '../config.ts';
export { sha256Hex } from './blobs.ts';
export type { DlqListOptions, DlqPurgeOptions } from './dlq.ts';
export {
  ENGINE_EVENT_TYPES,
  type EngineEvent,
  type EngineEventMap,
  type EngineEventType,
  type Listener,
} from './events.ts';
export type { WorkerError } from './failure.ts';
export { ID_PATTERN, newId } from './ids.ts';
export type { ListJobsOptions } from './jobs.ts';
export type { LeaseOptions } from './lease.ts';
export { type QuorumPolicy, quorumReachable, quorumReached, type VoteCounts, wantMore } from './quorum.ts';
export {
  backoffCeiling,
  backoffDelay,
  decideRetry,
  type LossCause,
  type RetryDecision,
} from './retry-policy.ts';
export {
  isLegal,
  JOB_STATES,
  JOB_TRANSITIONS,
  REPLICA_STATES,
  REPLICA_TRANSITIONS,
  TASK_STATES,
  TASK_TRANSITIONS,
  transitionJob,
  transitionReplica,
  transitionTask,
} from './state-machine.ts';
export type { SubmittedResult } from './submit.ts';
export { type DeadLetterQueue, resolveEngineOptions, TaskEngine, type TaskInfo } from './task-engine.ts';
export type * from './types.ts';
export { LIMITS } from './validate.ts';
