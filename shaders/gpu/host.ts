/**
 * Host-side plumbing shared by the kernel wrappers: raw buffers (TypeGPU's typed `read()` builds
 * JS arrays and is ~100x slower for large outputs), one submission per run, readback through a
 * mapped staging buffer, and GPU errors / abort / timeout turned into typed errors.
 */
import { AbortError, ErrorCode, throwIfAborted, WorkerTaskError } from '../../protocol/errors.ts';
import type { GpuContext } from './types.ts';

export interface GpuRunOptions {
  signal?: AbortSignal;
  /** Wall-clock limit for submit + readback; exceeding it throws TaskTimeout. */
  timeoutMs?: number;
}

const align4 = (n: number): number => Math.max(4, Math.ceil(n / 4) * 4);

/** A storage buffer holding `data` (or `byteLength` zero bytes), padded to a multiple of 4. */
export function storageBuffer(
  device: GPUDevice,
  label: string,
  data: ArrayBufferView | null,
  byteLength = data?.byteLength ?? 0,
  extraUsage = 0,
): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: align4(byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | extraUsage,
    mappedAtCreation: data !== null,
  });
  if (data !== null) {
    new Uint8Array(buffer.getMappedRange()).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    buffer.unmap();
  }
  return buffer;
}

export function outputBuffer(device: GPUDevice, label: string, byteLength: number): GPUBuffer {
  return storageBuffer(device, label, null, byteLength, GPUBufferUsage.COPY_SRC);
}

export function assertUsable(ctx: GpuContext): void {
  if (ctx.lost) throw new WorkerTaskError(ErrorCode.KernelFailed, 'GPU context is lost; acquire a new one');
}

/** First line of every host wrapper: refuse a lost context or an already aborted task. */
export function beginRun(ctx: GpuContext, opts: GpuRunOptions): void {
  throwIfAborted(opts.signal);
  assertUsable(ctx);
}

/**
 * Records `encode` into one command buffer, copies `source` to a staging buffer, submits and
 * returns the first `byteLength` bytes. Validation and out-of-memory errors raised while
 * recording become KernelFailed. On timeout the context is marked lost (the shader may still be
 * running and nothing can stop it), and TaskTimeout is thrown.
 */
export async function submitAndRead(
  ctx: GpuContext,
  encode: (encoder: GPUCommandEncoder) => void,
  source: GPUBuffer,
  byteLength: number,
  opts: GpuRunOptions = {},
): Promise<Uint8Array> {
  assertUsable(ctx);
  const { device } = ctx;
  const staging = device.createBuffer({
    label: 'shardmesh-readback',
    size: align4(byteLength),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    // Push, record, submit and pop without an await in between, so concurrent runs on the same
    // device cannot interleave their scopes, and a throwing `encode` cannot leave one pushed.
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let thrown: { error: unknown } | undefined;
    try {
      const encoder = device.createCommandEncoder();
      encode(encoder);
      encoder.copyBufferToBuffer(source, 0, staging, 0, staging.size);
      device.queue.submit([encoder.finish()]);
    } catch (error) {
      thrown = { error };
    }
    const scopes = [device.popErrorScope(), device.popErrorScope()];
    const [validation, oom] = await Promise.all(scopes).catch((err: unknown) => {
      throw new WorkerTaskError(ErrorCode.KernelFailed, `GPU device unavailable: ${String(err)}`);
    });
    if (thrown !== undefined) throw thrown.error;
    const gpuError = validation ?? oom ?? null;
    if (gpuError !== null) {
      throw new WorkerTaskError(ErrorCode.KernelFailed, `GPU rejected the dispatch: ${gpuError.message}`);
    }
    await withDeadline(staging.mapAsync(GPUMapMode.READ), opts, () => ctx.markLost('kernel timed out'));
    return new Uint8Array(staging.getMappedRange(0, staging.size).slice(0, byteLength));
  } finally {
    // Destroying a buffer whose map is pending rejects that map; nothing else waits on it.
    staging.destroy();
  }
}

/**
 * Races `work` against the signal and the timeout. The work itself is not cancelled (GPU work
 * cannot be); its eventual rejection is swallowed so it cannot surface as an unhandled error.
 */
export function withDeadline<T>(work: Promise<T>, opts: GpuRunOptions, onTimeout?: () => void): Promise<T> {
  const { signal, timeoutMs } = opts;
  if (signal === undefined && timeoutMs === undefined) return work;
  if (signal?.aborted === true) {
    work.catch(() => undefined);
    return Promise.reject(new AbortError());
  }
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => settle(() => reject(new AbortError()));
    const settle = (fn: () => void): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timer = undefined;
        onTimeout?.();
        settle(() =>
          reject(
            new WorkerTaskError(ErrorCode.TaskTimeout, `GPU work exceeded ${timeoutMs} ms`, { timeoutMs }),
          ),
        );
      }, timeoutMs);
    }
    work.then(
      (value) => settle(() => resolve(value)),
      (err: unknown) => settle(() => reject(err)),
    );
  });
}
