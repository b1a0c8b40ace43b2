/**
 * The trivial task both systems run: a 1x1 f32 matmul (36-byte payload, 4-byte output), so that
 * the figures measure dispatch (queue, transport, bookkeeping), not compute. Every task has its
 * own payload, so Shardmesh stores one blob per task as a real job would.
 */
import { sha256Hex } from '../../protocol/hex.ts';
import { TaskKind } from '../../protocol/task-kinds.ts';
import { encodeMatmulPayload } from '../../shaders/matmul/payload.ts';
import type { Preprocessor } from '../../worker/preprocess/index.ts';
import { computeTask } from '../../worker/runtime/task-kinds.ts';

export interface TrivialTask {
  seed: number;
  /** base64, as the REST API and a BullMQ job's JSON data carry it. */
  payload: string;
}

export function trivialTasks(count: number, salt = 0): TrivialTask[] {
  return Array.from({ length: count }, (_, i) => {
    const payload = encodeMatmulPayload({
      m: 1,
      k: 1,
      n: 1,
      a: Float32Array.of((i + salt * 100_003) % 65_521),
      b: Float32Array.of(0.5),
    });
    return { seed: i, payload: Buffer.from(payload).toString('base64') };
  });
}

/** The body of `POST /v1/jobs`. */
export function jobBody(tasks: TrivialTask[], redundancy: number, quorum: number) {
  return { kind: TaskKind.matmul, redundancy, quorum, tasks };
}

/** What a BullMQ processor returns: the same digest and output bytes a Shardmesh worker sends. */
export interface ComputedResult {
  digest: string;
  output: string;
}

/** Computes a task exactly as a Shardmesh worker does (same kernel code), in this thread. */
export async function computeTrivial(task: TrivialTask, preprocessor: Preprocessor): Promise<ComputedResult> {
  const { output } = await computeTask(
    { kind: TaskKind.matmul, seed: task.seed, params: {}, payload: Buffer.from(task.payload, 'base64') },
    { preprocessor },
  );
  return { digest: await sha256Hex(output), output: Buffer.from(output).toString('base64') };
}
