/** Messages between ThreadExecutor (the task loop's thread) and cpu-thread.ts (a Worker). */
import type { JsonObject } from '../../protocol/messages.ts';
import type { PreprocessImpl } from '../preprocess/index.ts';
import type { StagedPayload } from './staging.ts';

export interface CpuThreadInit {
  type: 'init';
  preprocessor: PreprocessImpl;
  /** Where the thread loads the WASM preprocessor from (browsers); the loader's default otherwise. */
  wasmUrl?: string;
  maxOutputBytes: number;
}

export interface CpuThreadRun {
  type: 'run';
  id: number;
  kind: string;
  /** For field-native kinds (poseidon-chain), which derive their input from the task id. */
  taskId?: string;
  seed: number;
  params: JsonObject;
  payload: StagedPayload;
}

export type ToCpuThread = CpuThreadInit | CpuThreadRun;

export interface WireTaskError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export type FromCpuThread =
  | { type: 'ready'; impl: PreprocessImpl; fallback?: string }
  | { type: 'done'; id: number; output: Uint8Array }
  | { type: 'failed'; id: number; error: WireTaskError };
