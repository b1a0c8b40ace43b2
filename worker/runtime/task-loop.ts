/**
 * The worker's task loop, shared by the headless Bun worker and the browser worker:
 * hello -> welcome -> pull credits -> for each task frame: wait for a compute slot, ack, compute,
 * hash, result/failure, (rest if a CPU limit asks for it), pull one more. With `prefetch`, the
 * loop holds that many leases beyond its slots, so a slot that frees up starts the next task at
 * once instead of after a round trip to the orchestrator. Heartbeats keep the held leases alive. A quick
 * task's ack, result and next pull leave together in one write (see `ackHoldMs`).
 *
 * Nothing a task does can end the loop: a kernel error, a size over the limits or a time-out
 * becomes a typed failure frame. Where the compute runs is the executor's business
 * (./executor.ts: inline, or CPU threads that can be terminated).
 *
 * Draining (`drain` fires): no more pulls; tasks in flight finish and report; then the loop closes
 * its end of the stream and returns once the orchestrator closes its end. Closing is the only way
 * to take back credit already granted, so this is how pause works: pause = drain, resume = a new
 * session.
 */

import { entryBytes } from '../../protocol/batch.ts';
import { ErrorCode, isShardmeshError } from '../../protocol/errors.ts';
import type { FrameChannel } from '../../protocol/frame-channel.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import type { TaskEntry, TaskHeader, WelcomeHeader, WorkerCapabilities } from '../../protocol/messages.ts';
import type { Preprocessor } from '../preprocess/index.ts';
import { computeWithTimeout } from './compute-timeout.ts';
import type { Throttle } from './duty-cycle.ts';
import { InlineExecutor, type TaskExecutor } from './executor.ts';
import type { GpuSource } from './gpu-provider.ts';
import { checkOutputSize, checkPayloadSize, resolveTaskLimits, type TaskLimits } from './limits.ts';
import { Outbox } from './outbox.ts';
import { type ProverSource, proveResult } from './prove.ts';
import { Slots } from './slots.ts';
import type { WorkerEvent } from './worker-events.ts';

const HEARTBEAT_CHUNK = 128;

export type { WorkerEvent } from './worker-events.ts';

export interface TaskLoopOptions {
  workerId: string;
  concurrency: number;
  taskTimeoutMs: number;
  /** For the default executor (inline compute); not needed when `executor` is given. */
  preprocessor?: Preprocessor;
  capabilities: WorkerCapabilities;
  userAgent: string;
  signal?: AbortSignal;
  onEvent?: (event: WorkerEvent) => void;
  /** Counters updated live (a worker keeps one across reconnects); fresh ones when absent. */
  stats?: TaskLoopStats;
  /** Loads the Groth16 prover for tasks whose job requires proofs; without it they fail typed. */
  prover?: ProverSource;
  /** Where tasks compute. Default: InlineExecutor over `preprocessor` and `gpu`. */
  executor?: TaskExecutor;
  /** GPU for the default executor; absent = CPU reference path. */
  gpu?: GpuSource;
  /** Size limits per task; beyond them a task fails with TASK_MEMORY_LIMIT. */
  limits?: Partial<Pick<TaskLimits, 'maxPayloadBytes' | 'maxOutputBytes'>>;
  /** Fires to stop taking work: in-flight tasks finish, then the session closes (see above). */
  drain?: AbortSignal;
  /** Rest between tasks (the contributor's CPU limit). */
  throttle?: Throttle;
  /**
   * How long a task's ack may wait to leave in the same write as its result (default 10 ms): a
   * quick task costs the orchestrator one read and one transaction instead of two. A longer task
   * is acked when this runs out; 0 acks before computing.
   */
  ackHoldMs?: number;
  /**
   * Offer batch frames in hello (default true): leases then arrive as `tasks` frames and what one
   * turn finished leaves as one `results` frame, if the orchestrator's welcome agrees.
   */
  batchFrames?: boolean;
  /**
   * Leases held beyond `concurrency`, waiting for a slot (default 0). They are heartbeated like
   * the running ones; their ack and time limit start with their slot. More held leases mean larger
   * frames and fewer round trips for quick tasks, and work that idle workers cannot take meanwhile.
   */
  prefetch?: number;
}

export const TASK_LOOP_DEFAULTS = { ackHoldMs: 10, batchFrames: true, prefetch: 0 } as const;

export interface TaskLoopStats {
  done: number;
  failed: number;
  refused: number;
}

export async function runTaskLoop(channel: FrameChannel, opts: TaskLoopOptions): Promise<TaskLoopStats> {
  const stats: TaskLoopStats = opts.stats ?? { done: 0, failed: 0, refused: 0 };
  const limits = resolveTaskLimits({ timeoutMs: opts.taskTimeoutMs, ...opts.limits });
  const executor = opts.executor ?? defaultExecutor(opts, limits);
  const held = new Map<string, AbortController>();
  const slots = new Slots(opts.concurrency);
  const prefetch = opts.prefetch ?? TASK_LOOP_DEFAULTS.prefetch;
  if (!Number.isSafeInteger(prefetch) || prefetch < 0)
    throw new RangeError('prefetch must be a non-negative integer');
  const emit = opts.onEvent ?? (() => {});
  const { signal, drain } = opts;
  const restSignal = anySignal([signal, drain]);
  const outbox = new Outbox(channel, { batch: false, ...(signal === undefined ? {} : { signal }) });
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closing = false;
  const stopping = (): boolean => signal?.aborted === true || drain?.aborted === true || closing;

  const finishIfDrained = (): void => {
    if (drain?.aborted !== true || closing || held.size > 0) return;
    closing = true;
    emit({ type: 'session:drained' });
    channel.close(signal === undefined ? {} : { signal }).catch(() => {});
  };

  const runReplica = async (task: TaskHeader, payload: Uint8Array): Promise<void> => {
    if (closing) {
      emit({ type: 'task:dropped', replicaId: task.replicaId, taskId: task.taskId });
      return;
    }
    const controller = new AbortController();
    held.set(task.replicaId, controller);
    let release: (() => void) | undefined;
    try {
      release = await slots.acquire(controller.signal);
    } catch {
      held.delete(task.replicaId); // shutting down while waiting: the lease expires and is reissued
      return;
    }
    const ids = { jobId: task.jobId, taskId: task.taskId, replicaId: task.replicaId };
    const started = performance.now();
    let computeMs = 0;
    let pulled = false;
    let acked: Promise<void> | undefined;
    const ack = (): Promise<void> => {
      acked ??= outbox.ack(task.replicaId);
      return acked;
    };
    const ackHoldMs = opts.ackHoldMs ?? TASK_LOOP_DEFAULTS.ackHoldMs;
    const ackTimer = ackHoldMs > 0 ? setTimeout(() => void ack().catch(() => {}), ackHoldMs) : undefined;
    try {
      if (ackTimer === undefined) await ack();
      emit({ type: 'task:started', replicaId: task.replicaId, taskId: task.taskId, kind: task.kind });
      checkPayloadSize(payload.length, limits);
      const computeStart = performance.now();
      const outcome = await computeWithTimeout(task, payload, executor, controller.signal, limits.timeoutMs);
      computeMs = performance.now() - computeStart;
      checkOutputSize(outcome.output.length, limits);
      const { output, path } = outcome;
      const digest = await sha256Hex(output);
      const proof = await proveResult(task, output, opts.workerId, opts.prover, controller.signal);
      const elapsedMs = Math.round(performance.now() - started);
      clearTimeout(ackTimer);
      const ackSent = ack(); // queued before the result: same write, same order
      const sent = outbox.result(
        {
          ...ids,
          kind: task.kind,
          seed: task.seed,
          resultDigest: digest,
          outputLength: output.length,
          elapsedMs,
          ...(proof === undefined ? {} : { proof }),
        },
        output,
      );
      // With no rest to take, the next pull leaves in the same write as the result.
      if (opts.throttle === undefined && !stopping()) {
        pulled = true;
        outbox.pull(1).catch(() => {});
      }
      await Promise.all([ackSent, sent]);
      stats.done++;
      emit({ type: 'task:done', ...pick(task), elapsedMs, digest, path, computeMs });
    } catch (err) {
      if (signal?.aborted) return; // shutting down: the lease expires and the task is reissued
      if (computeMs === 0) computeMs = performance.now() - started;
      const error = toWireError(err);
      stats.failed++;
      emit({ type: 'task:failed', ...pick(task), ...error, computeMs });
      clearTimeout(ackTimer);
      ack().catch(() => {}); // a failure is acked first, like a result
      await outbox.failure({ ...ids, error }).catch(() => {});
    } finally {
      clearTimeout(ackTimer);
      held.delete(task.replicaId);
      release();
    }
    if (!pulled) {
      await opts.throttle?.afterTask(computeMs, restSignal === undefined ? {} : { signal: restSignal });
      if (!stopping()) await outbox.pull(1).catch(() => {});
    }
    finishIfDrained();
  };

  drain?.addEventListener('abort', finishIfDrained);
  try {
    await channel.send(
      {
        type: 'hello',
        workerId: opts.workerId,
        capabilities: opts.capabilities,
        userAgent: opts.userAgent,
        batchFrames: opts.batchFrames ?? TASK_LOOP_DEFAULTS.batchFrames,
      },
      undefined,
      { signal },
    );
    for await (const incoming of channel.incoming({ signal })) {
      if (incoming.error !== undefined) {
        emit({ type: 'frame:refused', code: incoming.error.code, message: incoming.error.message });
        continue;
      }
      const { header, payload } = incoming.frame;
      switch (header.type) {
        case 'welcome':
          if (header.batchFrames === true && opts.batchFrames !== false) outbox.enableBatches();
          heartbeat = startHeartbeat(channel, header, held, signal);
          emit({ type: 'session:welcome', orchestratorId: header.orchestratorId });
          if (stopping()) finishIfDrained();
          else await channel.send({ type: 'pull', max: opts.concurrency + prefetch }, undefined, { signal });
          break;
        case 'task':
          void runReplica(header, payload);
          break;
        case 'tasks':
          for (const entry of header.tasks) void runReplica(taskOf(entry), entryBytes(payload, entry));
          break;
        case 'refusal':
          stats.refused++;
          emit({
            type: 'frame:refused',
            code: header.code,
            message: header.message,
            ...optionalReplica(header.replicaId),
          });
          break;
        default:
          emit({
            type: 'frame:refused',
            code: ErrorCode.FrameHeaderInvalid,
            message: `unexpected ${header.type} frame`,
          });
      }
    }
  } finally {
    drain?.removeEventListener('abort', finishIfDrained);
    if (heartbeat !== undefined) clearInterval(heartbeat);
    for (const controller of held.values()) controller.abort();
    if (opts.executor === undefined) await executor.close();
  }
  return stats;
}

function defaultExecutor(opts: TaskLoopOptions, limits: TaskLimits): TaskExecutor {
  if (opts.preprocessor === undefined) {
    throw new TypeError('runTaskLoop needs either an executor or a preprocessor');
  }
  return new InlineExecutor({
    preprocessor: opts.preprocessor,
    limits,
    ...(opts.gpu === undefined ? {} : { gpu: opts.gpu }),
  });
}

function startHeartbeat(
  channel: FrameChannel,
  welcome: WelcomeHeader,
  held: ReadonlyMap<string, AbortController>,
  signal: AbortSignal | undefined,
): ReturnType<typeof setInterval> {
  return setInterval(() => {
    // Chunked: the 16 KiB header limit binds before MAX_HEARTBEAT_REPLICAS does.
    const ids = [...held.keys()];
    for (let i = 0; i < ids.length; i += HEARTBEAT_CHUNK) {
      const replicaIds = ids.slice(i, i + HEARTBEAT_CHUNK);
      channel.send({ type: 'heartbeat', replicaIds }, undefined, { signal }).catch(() => {});
    }
  }, welcome.heartbeatMs);
}

function anySignal(signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

/** A batch entry as the task header it stands for (its slice already cut out of the payload). */
function taskOf(entry: TaskEntry): TaskHeader {
  const { offset: _offset, length, sha256, ...task } = entry;
  return { ...task, type: 'task', v: 1, payloadLength: length, payloadSha256: sha256 };
}

const pick = (task: TaskHeader) => ({ replicaId: task.replicaId, taskId: task.taskId });

function toWireError(err: unknown): { code: string; message: string } {
  if (isShardmeshError(err)) return { code: err.code, message: err.message };
  return { code: ErrorCode.KernelFailed, message: err instanceof Error ? err.message : String(err) };
}

const optionalReplica = (replicaId: string | undefined) => (replicaId === undefined ? {} : { replicaId });
