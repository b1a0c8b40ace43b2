/**
 * The task kinds this worker runtime can compute, and how: decode the payload, preprocess it
 * (WASM, or the bit-identical JS fallback), run the kernel on the GPU when a usable context is
 * given and on its CPU reference otherwise, and return the exact output bytes that get hashed.
 * Every kernel comes from shaders/ (one `Kernel` descriptor per kind); this file only adds the
 * worker-side steps around it: preprocessing parameters and up-front output size checks.
 */
import { ErrorCode, throwIfAborted, WorkerTaskError } from '../../protocol/errors.ts';
import type { JsonObject } from '../../protocol/messages.ts';
import type { CustomInput } from '../../shaders/custom/payload.ts';
import type { GpuContext } from '../../shaders/gpu/types.ts';
import {
  customKernel,
  executeKernel,
  type Kernel,
  KernelKind,
  kernels,
  matmulKernel,
} from '../../shaders/index.ts';
import type { MatmulInput } from '../../shaders/matmul/payload.ts';
import type { Preprocessor } from '../preprocess/index.ts';
import { poseidonChainHandler, poseidonChainKind } from './executors/poseidon-chain.ts';
import { checkOutputSize, DEFAULT_TASK_LIMITS, type TaskLimits } from './limits.ts';

export interface TaskInput {
  readonly kind: string;
  /** The task's id: field-native kinds (poseidon-chain) derive their input from it. */
  readonly taskId?: string;
  readonly seed: number;
  readonly params: JsonObject;
  readonly payload: Uint8Array;
}

export interface ComputeContext {
  readonly preprocessor: Preprocessor;
  readonly signal?: AbortSignal;
  /** The GPU to run on; null/undefined (or a lost context) selects the CPU reference. */
  readonly gpu?: GpuContext | null;
  /** Time left for this task; GPU waits are bounded by it (CPU work is bounded by its thread). */
  readonly timeoutMs?: number;
  readonly limits?: Pick<TaskLimits, 'maxOutputBytes'>;
}

export type ComputePath = 'gpu' | 'cpu';

export interface ComputeResult {
  readonly output: Uint8Array;
  readonly path: ComputePath;
}

export type TaskHandler = (input: TaskInput, ctx: ComputeContext) => Promise<ComputeResult>;

/** Worker-side steps around one kernel. */
interface KindSpec<I> {
  /** Preprocessing driven by task params, applied to the decoded input. */
  prepare?: (input: I, task: TaskInput, ctx: ComputeContext) => I;
  /** Output size known from the input header, checked before any output is allocated. */
  outputBytes?: (input: I) => number;
}

/**
 * matmul-f32, then C = A x B, with optional EMA smoothing of A first: `params.smoothAlpha` runs
 * one EMA over A's elements in row-major order (one series); `params.smoothColumnsAlpha` runs it
 * down each of A's k columns (each column a series over the m rows, e.g. a feature over time),
 * which WASM computes four columns per SIMD step. Both may be given: the series pass first.
 */
const matmulSpec: KindSpec<MatmulInput> = {
  prepare: (input, task, ctx) => {
    let a = input.a;
    const series = alphaParam(task.params, 'smoothAlpha');
    if (series !== undefined) a = ctx.preprocessor.ema(a, series);
    const columns = alphaParam(task.params, 'smoothColumnsAlpha');
    if (columns !== undefined) a = ctx.preprocessor.emaColumns(a, input.k, columns);
    return a === input.a ? input : { ...input, a };
  },
  outputBytes: (input) => input.m * input.n * 4,
};

function alphaParam(params: JsonObject, name: 'smoothAlpha' | 'smoothColumnsAlpha'): number | undefined {
  const alpha = params[name];
  if (alpha === undefined) return undefined;
  if (typeof alpha !== 'number') {
    throw new WorkerTaskError(ErrorCode.PreprocessFailed, `params.${name} must be a number`, {
      field: `params.${name}`,
    });
  }
  return alpha;
}

const customSpec: KindSpec<CustomInput> = {
  outputBytes: (input) => input.header.output.byteLength,
};

function kernelHandler<I, O>(kernel: Kernel<I, O>, spec: KindSpec<I> = {}): TaskHandler {
  return async (task, ctx) => {
    throwIfAborted(ctx.signal);
    const limits = ctx.limits ?? DEFAULT_TASK_LIMITS;
    // Wrapping decodeInput keeps executeKernel (shaders/run.ts) the one place that picks the path.
    const decodeInput = (bytes: Uint8Array): I => {
      const decoded = kernel.decodeInput(bytes);
      if (spec.outputBytes !== undefined) checkOutputSize(spec.outputBytes(decoded), limits);
      return spec.prepare === undefined ? decoded : spec.prepare(decoded, task, ctx);
    };
    const { output, path } = await executeKernel({ ...kernel, decodeInput }, task.payload, {
      gpu: ctx.gpu ?? null,
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
      ...(ctx.timeoutMs === undefined ? {} : { timeoutMs: ctx.timeoutMs }),
    });
    checkOutputSize(output.length, limits);
    return { output, path };
  };
}

const handlers = new Map<string, TaskHandler>(
  Object.values(kernels).map((kernel) => [kernel.kind, kernelHandler(kernel)]),
);
handlers.set(KernelKind.MatmulF32, kernelHandler(matmulKernel, matmulSpec));
handlers.set(KernelKind.CustomWgsl, kernelHandler(customKernel, customSpec));
// Field-native kinds (no kernel: their circuits recompute them), see ./executors/.
handlers.set(poseidonChainKind, poseidonChainHandler);

/** True for kinds that have no CPU path (custom WGSL): they need a GPU, even a software one. */
export function requiresGpu(kind: string): boolean {
  return Object.values(kernels).some((kernel) => kernel.kind === kind && kernel.requiresGpu);
}

/**
 * Kinds to advertise in the hello. Kinds without a CPU path (custom WGSL) only when the worker
 * has a GPU, so the orchestrator can route them to workers that can run them.
 */
export function supportedKinds(opts: { gpu?: boolean } = {}): string[] {
  return [
    ...Object.values(kernels)
      .filter((kernel) => opts.gpu === true || !kernel.requiresGpu)
      .map((kernel) => kernel.kind),
    poseidonChainKind,
  ];
}

/**
 * About how many steps the CPU reference would take for this task (Kernel.cpuWork), read from its
 * decoded payload; 0 when the payload does not decode or the kind is unknown, since computing it
 * then fails at once with the same typed error wherever it runs. Infinity for GPU-only kinds.
 */
export function cpuWorkOf(task: TaskInput): number {
  const kernel = Object.values(kernels).find((k) => k.kind === task.kind);
  if (kernel === undefined) return 0;
  try {
    return kernel.cpuWork(kernel.decodeInput(task.payload));
  } catch {
    return 0;
  }
}

/** Kinds a ThreadExecutor computes on the task loop's thread (see ./executors/poseidon-chain.ts). */
export function runsOnLoopThread(kind: string): boolean {
  return kind === poseidonChainKind;
}

export function handlerFor(kind: string): TaskHandler {
  const handler = handlers.get(kind);
  if (handler === undefined) {
    throw new WorkerTaskError(ErrorCode.UnknownTaskKind, `this worker cannot compute task kind '${kind}'`);
  }
  return handler;
}

/** Runs one task in this thread: decode, preprocess, kernel (GPU or CPU), encode. */
export function computeTask(task: TaskInput, ctx: ComputeContext): Promise<ComputeResult> {
  return handlerFor(task.kind)(task, ctx);
}
