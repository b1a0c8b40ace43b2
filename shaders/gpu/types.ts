/**
 * The GPU handle every kernel host wrapper takes. Created by `acquireGpu` from `./dawn.ts`
 * (Bun/Node, Dawn through npm `webgpu`) or `./browser.ts` (navigator.gpu); both return the same
 * shape so the worker task loop does not care which host it runs in.
 */
import type { TgpuRoot } from 'typegpu';

/** What a worker reports about its adapter, so the orchestrator can group equivalent workers. */
export interface GpuAdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** True for software adapters such as SwiftShader (the WebGPU "fallback adapter" flag). */
  readonly isFallback: boolean;
}

export interface GpuContext {
  /** TypeGPU root over `device`; kernels cache their pipelines per root. */
  readonly root: TgpuRoot;
  readonly device: GPUDevice;
  readonly adapterInfo: GpuAdapterSummary;
  /**
   * True once the device is lost or the context was destroyed. A kernel that timed out also
   * marks the context lost: its shader may still occupy the queue (software adapters have no
   * watchdog), so the worker should acquire a fresh context before the next task.
   */
  readonly lost: boolean;
  /** Marks the context unusable without touching the device (safe while a shader still runs). */
  markLost(reason: string): void;
  /** Frees the device. Blocks until queued GPU work finishes on some drivers (Dawn/SwiftShader). */
  destroy(): void;
}

export interface AcquireGpuOptions {
  signal?: AbortSignal;
  powerPreference?: GPUPowerPreference;
  /** Where the reason goes when no adapter can be had (the CPU path is then used). */
  log?: (line: string) => void;
}
