/**
 * The task kinds this worker runtime can compute, and how: decode the payload, preprocess it
 * (WASM, or the bit-identical JS fallback), run the kernel, and return the exact output bytes
 * that get hashed. Kernels here run their CPU reference; the WebGPU path plugs in per kind.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import type { JsonObject } from '../../protocol/messages.ts';
import { TaskKind } from '../../protocol/task-kinds.ts';
import { matmulCpu } from '../../shaders/matmul/cpu.ts';
import { decodeMatmulPayload, matmulOutputBytes } from '../../shaders/matmul/payload.ts';
import type { Preprocessor } from '../preprocess/index.ts';

export interface TaskInput {
  readonly kind: string;
  readonly seed: number;
  readonly params: JsonObject;
  readonly payload: Uint8Array;
}

export interface ComputeContext {
  readonly preprocessor: Preprocessor;
  readonly signal?: AbortSignal;
}

export type TaskHandler = (input: TaskInput, ctx: ComputeContext) => Promise<Uint8Array>;

/** matmul-f32: optional EMA smoothing of A's rows (params.smoothAlpha), then C = A x B. */
const matmulF32: TaskHandler = async (input, ctx) => {
  const { m, k, n, a, b } = decodeMatmulPayload(input.payload);
  const alpha = input.params.smoothAlpha;
  let lhs = a;
  if (alpha !== undefined) {
    if (typeof alpha !== 'number') {
      throw new WorkerTaskError(ErrorCode.PreprocessFailed, 'params.smoothAlpha must be a number', {
        field: 'params.smoothAlpha',
      });
    }
    lhs = ctx.preprocessor.ema(a, alpha);
  }
  return matmulOutputBytes(matmulCpu(lhs, b, m, k, n));
};

const handlers: ReadonlyMap<string, TaskHandler> = new Map([[TaskKind.matmul, matmulF32]]);

export const supportedKinds = (): string[] => [...handlers.keys()];

export function handlerFor(kind: string): TaskHandler {
  const handler = handlers.get(kind);
  if (handler === undefined) {
    throw new WorkerTaskError(ErrorCode.UnknownTaskKind, `this worker cannot compute task kind '${kind}'`);
  }
  return handler;
}
