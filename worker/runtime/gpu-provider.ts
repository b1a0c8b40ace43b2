/**
 * Owns the worker's GPU context: acquires it once at start (so the hello can report the
 * adapter), hands it to each task, and replaces it when a kernel timeout or a device loss marked
 * it unusable. When no adapter can be had it says so once, clearly, and every task takes the CPU
 * reference path. The contributor's GPU switch (browser) is `enabled`.
 */
import type { AdapterInfo } from '../../protocol/messages.ts';
import type { AcquireGpuOptions, GpuContext } from '../../shaders/gpu/types.ts';

/**
 * What the task executors need: the GPU to use for the next task (of `kind`, when given), or
 * null for the CPU path.
 */
export interface GpuSource {
  get(opts?: { signal?: AbortSignal; kind?: string }): Promise<GpuContext | null>;
}

export interface GpuProviderOptions {
  /** `acquireGpu` from shaders/gpu/dawn.ts (Bun) or shaders/gpu/browser.ts (browsers). */
  acquire: (opts: AcquireGpuOptions) => Promise<GpuContext | null>;
  /** False starts with the GPU switched off (CPU path only). Default true. */
  enabled?: boolean;
  /** Fresh contexts acquired after losses before the GPU is given up for this process. Default 3. */
  maxReacquire?: number;
  /**
   * Which task kinds a fallback (software) adapter such as SwiftShader computes; the others take
   * the CPU path, which is faster than a GPU emulated on the same CPU. Default: every kind.
   */
  softwareAdapterFor?: (kind: string) => boolean;
  log?: (line: string) => void;
}

export class GpuProvider implements GpuSource {
  enabled: boolean;
  private ctx: GpuContext | null = null;
  private unavailable = false;
  private reacquired = 0;
  private pending: Promise<GpuContext | null> | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: GpuProviderOptions) {
    this.enabled = opts.enabled ?? true;
    this.log = opts.log ?? (() => {});
  }

  /** The adapter tasks run on now, as the hello reports it; null on the CPU path. */
  get adapter(): AdapterInfo | null {
    if (!this.enabled || this.ctx === null) return null;
    return { ...this.ctx.adapterInfo };
  }

  /**
   * True when built-in kinds (those with a CPU path) take the CPU: no adapter, the switch off, or
   * a software adapter kept for GPU-only kinds (`softwareAdapterFor`).
   */
  get cpuForBuiltInKinds(): boolean {
    const adapter = this.adapter;
    return adapter === null || (adapter.isFallback && this.opts.softwareAdapterFor !== undefined);
  }

  /** True when a GPU context exists (whether or not the switch is on). */
  get available(): boolean {
    return this.ctx !== null && !this.ctx.lost;
  }

  async get(opts: { signal?: AbortSignal; kind?: string } = {}): Promise<GpuContext | null> {
    const ctx = await this.current(opts.signal);
    const forKind = this.opts.softwareAdapterFor;
    const software = ctx?.adapterInfo.isFallback === true && forKind !== undefined;
    return software && opts.kind !== undefined && !forKind(opts.kind) ? null : ctx;
  }

  private async current(signal: AbortSignal | undefined): Promise<GpuContext | null> {
    if (!this.enabled || this.unavailable) return null;
    if (this.ctx !== null && !this.ctx.lost) return this.ctx;
    if (this.ctx !== null) {
      // Not destroyed: a runaway shader may still occupy it and destroy() would block on it.
      this.ctx = null;
      if (++this.reacquired > (this.opts.maxReacquire ?? 3)) {
        this.giveUp('the GPU context was lost too often');
        return null;
      }
    }
    this.pending ??= this.acquire(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Frees the device (call once no task runs on it). */
  destroy(): void {
    if (this.ctx !== null && !this.ctx.lost) this.ctx.destroy();
    this.ctx = null;
  }

  private async acquire(signal: AbortSignal | undefined): Promise<GpuContext | null> {
    const reasons: string[] = [];
    const ctx = await this.opts.acquire({
      log: (line) => reasons.push(line),
      ...(signal === undefined ? {} : { signal }),
    });
    if (ctx === null) {
      this.giveUp(reasons.join('; ') || 'no WebGPU adapter');
      return null;
    }
    const { vendor, architecture, description, isFallback } = ctx.adapterInfo;
    const name = [vendor || 'unknown vendor', architecture, description].filter((part) => part !== '');
    this.log(`GPU: ${name.join(' ')}${isFallback ? ' (fallback adapter)' : ''}`);
    this.ctx = ctx;
    return ctx;
  }

  private giveUp(reason: string): void {
    this.unavailable = true;
    this.log(`no usable GPU (${reason}): kernels run on the CPU reference path`);
  }
}
