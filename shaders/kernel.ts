/**
 * The contract every kernel folder exports, so the worker can run any task kind the same way:
 * payload bytes -> decodeInput -> gpu (or cpu) -> encodeOutput -> bytes to hash.
 */
import type { GpuRunOptions } from './gpu/host.ts';
import type { GpuContext } from './gpu/types.ts';

export const KernelKind = {
  MatmulF32: 'matmul-f32',
  MontecarloU32: 'montecarlo-u32',
  SimilarityTopk: 'similarity-topk',
  HashReduceU32: 'hash-reduce-u32',
  CustomWgsl: 'custom-wgsl',
} as const;
export type KernelKind = (typeof KernelKind)[keyof typeof KernelKind];

export type KernelRunOptions = GpuRunOptions;

export interface Kernel<I, O> {
  readonly kind: KernelKind;
  /**
   * True when honest workers produce bit-identical output on every adapter and on the CPU path,
   * so digests can be compared across all workers. False: compare only within one adapter class.
   */
  readonly exact: boolean;
  /** True when there is no CPU reference path (researcher WGSL): route only to GPU workers. */
  readonly requiresGpu: boolean;
  /** Validates and decodes a task payload; throws WorkerTaskError(PreprocessFailed) on bad input. */
  decodeInput(bytes: Uint8Array): I;
  /** The CPU reference (and the fallback path of workers without an adapter). */
  cpu(input: I): O;
  /**
   * About how many elementary steps the CPU reference takes for `input` (multiply-adds, samples,
   * words): how a worker tells a task worth a thread hop from one it computes at once.
   * Infinity where there is no CPU path.
   */
  cpuWork(input: I): number;
  gpu(ctx: GpuContext, input: I, opts?: KernelRunOptions): Promise<O>;
  /** The exact bytes a worker hashes and returns. */
  encodeOutput(output: O): Uint8Array;
}
