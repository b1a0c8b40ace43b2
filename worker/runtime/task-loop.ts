/**
 * The worker's task loop, shared by the headless Bun worker and (later) the browser worker:
 * hello -> welcome -> pull credits -> for each task frame: ack, compute, hash, result/failure,
 * pull one more. Heartbeats keep the held leases alive. A task that throws or times out becomes a
 * typed failure frame; nothing a task does can end the loop.
 */
import { ErrorCode, isShardmeshError, ShardmeshError, WorkerTaskError } from '../../protocol/errors.ts';
import type { FrameChannel } from '../../protocol/frame-channel.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import type { TaskHeader, WelcomeHeader, WorkerCapabilities } from '../../protocol/messages.ts';
import type { Preprocessor } from '../preprocess/index.ts';
import { handlerFor } from './task-kinds.ts';

const HEARTBEAT_CHUNK = 128;

export type WorkerEvent =
  | { type: 'session:welcome'; orchestratorId: string }
  | { type: 'task:started'; replicaId: string; taskId: string; kind: string }
  | { type: 'task:done'; replicaId: string; taskId: string; elapsedMs: number; digest: string }
  | { type: 'task:failed'; replicaId: string; taskId: string; code: string; message: string }
  | { type: 'frame:refused'; replicaId?: string; code: string; message: string };

export interface TaskLoopOptions {
  workerId: string;
  concurrency: number;
  taskTimeoutMs: number;
  preprocessor: Preprocessor;
  capabilities: WorkerCapabilities;
  userAgent: string;
  signal?: AbortSignal;
  onEvent?: (event: WorkerEvent) => void;
  /** Counters updated live (a worker keeps one across reconnects); fresh ones when absent. */
  stats?: TaskLoopStats;
}

export interface TaskLoopStats {
  done: number;
  failed: number;
  refused: number;
}

export async function runTaskLoop(channel: FrameChannel, opts: TaskLoopOptions): Promise<TaskLoopStats> {
  const stats: TaskLoopStats = opts.stats ?? { done: 0, failed: 0, refused: 0 };
  const held = new Map<string, AbortController>();
  const emit = opts.onEvent ?? (() => {});
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const signal = opts.signal;

  const runReplica = async (task: TaskHeader, payload: Uint8Array): Promise<void> => {
    const controller = new AbortController();
    held.set(task.replicaId, controller);
    const ids = { jobId: task.jobId, taskId: task.taskId, replicaId: task.replicaId };
    const started = performance.now();
    try {
      await channel.send({ type: 'ack', replicaId: task.replicaId }, undefined, { signal });
      emit({ type: 'task:started', replicaId: task.replicaId, taskId: task.taskId, kind: task.kind });
      const taskSignal = AbortSignal.any([controller.signal, AbortSignal.timeout(opts.taskTimeoutMs)]);
      const output = await computeWithTimeout(
        task,
        payload,
        opts.preprocessor,
        taskSignal,
        opts.taskTimeoutMs,
      );
      const digest = await sha256Hex(output);
      const elapsedMs = Math.round(performance.now() - started);
      await channel.send(
        {
          type: 'result',
          ...ids,
          kind: task.kind,
          seed: task.seed,
          resultDigest: digest,
          outputLength: output.length,
          elapsedMs,
        },
        output,
        { signal },
      );
      stats.done++;
      emit({ type: 'task:done', replicaId: task.replicaId, taskId: task.taskId, elapsedMs, digest });
    } catch (err) {
      if (signal?.aborted) return; // shutting down: the lease expires and the task is reissued
      const error = toWireError(err);
      stats.failed++;
      emit({ type: 'task:failed', replicaId: task.replicaId, taskId: task.taskId, ...error });
      await channel.send({ type: 'failure', ...ids, error }, undefined, { signal }).catch(() => {});
    } finally {
      held.delete(task.replicaId);
    }
    if (!signal?.aborted) await channel.send({ type: 'pull', max: 1 }, undefined, { signal }).catch(() => {});
  };

  try {
    await channel.send(
      { type: 'hello', workerId: opts.workerId, capabilities: opts.capabilities, userAgent: opts.userAgent },
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
          heartbeat = startHeartbeat(channel, header, held, signal);
          emit({ type: 'session:welcome', orchestratorId: header.orchestratorId });
          await channel.send({ type: 'pull', max: opts.concurrency }, undefined, { signal });
          break;
        case 'task':
          void runReplica(header, payload);
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
    if (heartbeat !== undefined) clearInterval(heartbeat);
    for (const controller of held.values()) controller.abort();
  }
  return stats;
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

async function computeWithTimeout(
  task: TaskHeader,
  payload: Uint8Array,
  preprocessor: Preprocessor,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Uint8Array> {
  const handler = handlerFor(task.kind);
  const output = await handler(
    { kind: task.kind, seed: task.seed, params: task.params, payload },
    { preprocessor, signal },
  );
  if (signal.aborted)
    throw new WorkerTaskError(ErrorCode.TaskTimeout, `task exceeded its ${timeoutMs} ms limit`);
  return output;
}

function toWireError(err: unknown): { code: string; message: string } {
  if (isShardmeshError(err)) return { code: err.code, message: err.message };
  const wrapped = new ShardmeshError(
    ErrorCode.KernelFailed,
    err instanceof Error ? err.message : String(err),
  );
  return { code: wrapped.code, message: wrapped.message };
}

const optionalReplica = (replicaId: string | undefined) => (replicaId === undefined ? {} : { replicaId });
