/**
 * Host wrapper for researcher WGSL: validate, compile (cached), bind the declared buffers,
 * dispatch, read the output back, all under the task's time limit. A timeout marks the GPU
 * context lost: a runaway shader cannot be stopped and keeps the queue busy.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import {
  beginRun,
  type GpuRunOptions,
  outputBuffer,
  storageBuffer,
  submitAndRead,
  withDeadline,
} from '../gpu/host.ts';
import type { GpuContext } from '../gpu/types.ts';
import { compileCustomKernel } from './compile.ts';
import { CUSTOM_LIMITS, type CustomInput } from './payload.ts';
import { validateCustomKernel } from './validate.ts';

export async function customGpu(
  ctx: GpuContext,
  input: CustomInput,
  opts: GpuRunOptions = {},
): Promise<Uint8Array> {
  beginRun(ctx, opts);
  const { header } = input;
  const limit = Math.min(
    opts.timeoutMs ?? Number.POSITIVE_INFINITY,
    header.timeoutMs ?? CUSTOM_LIMITS.defaultTimeoutMs,
  );
  const deadline = performance.now() + limit;
  const remaining = (): GpuRunOptions => ({
    timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  validateCustomKernel(input);
  const { device } = ctx;
  const compiled = await withDeadline(compileCustomKernel(device, header), remaining()).catch(
    (err: unknown) => {
      throw retag(err, limit);
    },
  );
  const inputs = header.inputs.map((b, i) =>
    storageBuffer(device, `custom-in-${b.binding}`, input.inputs[i] ?? null),
  );
  const output = outputBuffer(device, 'custom-out', header.output.byteLength);
  try {
    const bindGroup = device.createBindGroup({
      layout: compiled.layout,
      entries: [
        ...header.inputs.map((b, i) => ({
          binding: b.binding,
          resource: { buffer: inputs[i] as GPUBuffer },
        })),
        { binding: header.output.binding, resource: { buffer: output } },
      ],
    });
    const [x = 1, y = 1, z = 1] = header.dispatch;
    return await submitAndRead(
      ctx,
      (encoder) => {
        const pass = encoder.beginComputePass({ label: `custom:${header.entryPoint}` });
        pass.setPipeline(compiled.pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(x, y, z);
        pass.end();
      },
      output,
      header.output.byteLength,
      remaining(),
    ).catch((err: unknown) => {
      throw retag(err, limit);
    });
  } finally {
    for (const b of inputs) b.destroy();
    output.destroy();
  }
}

/** The timeout reported is the task's whole limit, not the remainder left for the last stage. */
function retag(err: unknown, limit: number): unknown {
  if (err instanceof WorkerTaskError && err.code === ErrorCode.TaskTimeout) {
    return new WorkerTaskError(ErrorCode.TaskTimeout, `custom kernel exceeded its ${limit} ms limit`, {
      timeoutMs: limit,
    });
  }
  return err;
}
