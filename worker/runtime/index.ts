/** Public surface of the worker runtime shared by the headless and browser hosts. */
export { DutyCycle, type DutyCycleOptions, MIN_DUTY_CYCLE, type Throttle } from './duty-cycle.ts';
export {
  computeOnGpu,
  type ExecuteOptions,
  InlineExecutor,
  type InlineExecutorOptions,
  type TaskExecutor,
} from './executor.ts';
export { GpuProvider, type GpuProviderOptions, type GpuSource } from './gpu-provider.ts';
export {
  checkOutputSize,
  checkPayloadSize,
  DEFAULT_TASK_LIMITS,
  resolveTaskLimits,
  type TaskLimits,
} from './limits.ts';
export {
  memoryStager,
  OPFS_STAGING_DIR,
  type OpfsStagerOptions,
  opfsStager,
  type PayloadStager,
  readStaged,
  type Staged,
  type StagedPayload,
} from './staging.ts';
export {
  type ComputeContext,
  type ComputePath,
  type ComputeResult,
  computeTask,
  handlerFor,
  supportedKinds,
  type TaskHandler,
  type TaskInput,
} from './task-kinds.ts';
export { runTaskLoop, type TaskLoopOptions, type TaskLoopStats, type WorkerEvent } from './task-loop.ts';
export { ThreadExecutor, type ThreadExecutorOptions } from './thread-executor.ts';
