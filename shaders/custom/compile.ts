/**
 * Compiles researcher WGSL on a device: shader module + getCompilationInfo (errors carry line and
 * column), then a pipeline with an explicit layout built from the declared bindings, so a shader
 * whose bindings do not match the declaration fails here rather than at dispatch.
 * Compiled pipelines are cached per device (a job's tasks share one shader).
 */
import type { CustomHeader } from './payload.ts';
import { CustomKernelReason, compileError } from './validate.ts';

export interface CompiledCustomKernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

const CACHE_SIZE = 16;
const cache = new WeakMap<GPUDevice, Map<string, Promise<CompiledCustomKernel>>>();

export function compileCustomKernel(device: GPUDevice, header: CustomHeader): Promise<CompiledCustomKernel> {
  const key = JSON.stringify([
    header.wgsl,
    header.entryPoint,
    header.inputs.map((b) => b.binding),
    header.output.binding,
  ]);
  let perDevice = cache.get(device);
  if (perDevice === undefined) {
    perDevice = new Map();
    cache.set(device, perDevice);
  }
  const hit = perDevice.get(key);
  if (hit !== undefined) {
    perDevice.delete(key); // re-insert: Map order doubles as LRU order
    perDevice.set(key, hit);
    return hit;
  }
  const compiled = compile(device, header);
  const entries = perDevice;
  compiled.catch(() => entries.delete(key));
  entries.set(key, compiled);
  if (entries.size > CACHE_SIZE) entries.delete(entries.keys().next().value as string);
  return compiled;
}

async function compile(device: GPUDevice, header: CustomHeader): Promise<CompiledCustomKernel> {
  // Popped before any await so concurrent compiles cannot interleave scopes. Its error is not
  // needed: the same problems arrive, with positions, as compilation messages below.
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label: `custom:${header.entryPoint}`, code: header.wgsl });
  device.popErrorScope().catch(() => null);
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((msg) => msg.type === 'error');
  if (errors.length > 0) {
    const first = errors[0] as GPUCompilationMessage;
    throw compileError(
      CustomKernelReason.Compile,
      `WGSL error at ${first.lineNum}:${first.linePos}: ${first.message}`,
      {
        line: first.lineNum,
        column: first.linePos,
        messages: errors.map((msg) => ({ line: msg.lineNum, column: msg.linePos, message: msg.message })),
      },
    );
  }
  const layout = device.createBindGroupLayout({
    label: 'custom',
    entries: [
      ...header.inputs.map((b) => ({
        binding: b.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: 'read-only-storage' as const },
      })),
      {
        binding: header.output.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: 'storage' as const },
      },
    ],
  });
  try {
    const pipeline = await device.createComputePipelineAsync({
      label: `custom:${header.entryPoint}`,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: header.entryPoint },
    });
    return { pipeline, layout };
  } catch (err) {
    throw compileError(CustomKernelReason.Pipeline, `pipeline creation failed: ${(err as Error).message}`);
  }
}
