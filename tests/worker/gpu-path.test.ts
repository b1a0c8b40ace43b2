/**
 * The GPU path of the shared runtime on Dawn (SwiftShader here): same bytes and digests as the
 * CPU reference for every exact kind, GPU time-outs and compile errors as typed failure frames
 * with the loop going on (and a fresh context after a time-out), the fallback line, and the
 * adapter in a real headless worker's hello. Skipped with the reason when Dawn has no adapter,
 * except under CI=true, where that is a failure.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { ErrorCode } from '../../protocol/errors.ts';
import type { JsonObject } from '../../protocol/messages.ts';
import { acquireGpu } from '../../shaders/gpu/dawn.ts';
import { createHeadlessGpu } from '../../worker/headless/gpu.ts';
import { createPreprocessor } from '../../worker/preprocess/index.ts';
import { InlineExecutor } from '../../worker/runtime/executor.ts';
import { GpuProvider } from '../../worker/runtime/gpu-provider.ts';
import { computeTask } from '../../worker/runtime/task-kinds.ts';
import { runTaskLoop, type TaskLoopOptions, type WorkerEvent } from '../../worker/runtime/task-loop.ts';
import { startMesh } from '../helpers/mesh.ts';
import { startLink } from './harness.ts';
import {
  customPayload,
  hashReducePayload,
  matmulPayload,
  montecarloPayload,
  similarityPayload,
  spinPayload,
} from './payloads.ts';

const reasons: string[] = [];
// 'any': the GPU path itself is under test, on whatever adapter Dawn offers (SwiftShader here).
const gpu = await createHeadlessGpu({ mode: 'any', log: (line) => reasons.push(line) });
const noGpu = gpu.adapter === null;
if (noGpu) {
  const why = `no Dawn adapter: ${reasons.join('; ')}`;
  if (process.env.CI === 'true') throw new Error(`GPU worker tests cannot run under CI: ${why}`);
  console.warn(`[tests/worker] GPU path tests SKIPPED: ${why}`);
}
const preprocessor = await createPreprocessor();
const link = await startLink();
afterAll(async () => {
  await link.stop();
  gpu.destroy();
});

const cases: { kind: string; payload: Uint8Array; params?: JsonObject }[] = [
  { kind: 'matmul-f32', payload: matmulPayload(33, 17, 65), params: { smoothAlpha: 0.5 } },
  { kind: 'montecarlo-u32', payload: montecarloPayload() },
  { kind: 'similarity-topk', payload: similarityPayload() },
  { kind: 'hash-reduce-u32', payload: hashReducePayload() },
];

async function session(opts: Partial<TaskLoopOptions>) {
  const { worker, orchestrator } = await link.open();
  const events: WorkerEvent[] = [];
  const loop = runTaskLoop(worker, {
    workerId: 'gpu-test',
    concurrency: 1,
    taskTimeoutMs: 10_000,
    preprocessor,
    capabilities: { kinds: [], cores: 1, maxConcurrent: 1, adapter: gpu.adapter },
    userAgent: 'gpu-path.test',
    onEvent: (e) => events.push(e),
    ...opts,
  });
  await orchestrator.next('hello');
  await orchestrator.welcome();
  const stop = async () => {
    await orchestrator.channel.close().catch(() => {});
    await loop.catch(() => {});
  };
  return { orchestrator, events, stop };
}

describe.skipIf(noGpu)('GPU path against the CPU reference', () => {
  for (const { kind, payload, params } of cases) {
    test(`${kind}: identical output bytes on the GPU and on the CPU`, async () => {
      const task = { kind, seed: 1, params: params ?? {}, payload };
      const onGpu = await computeTask(task, { preprocessor, gpu: await gpu.get() });
      const onCpu = await computeTask(task, { preprocessor, gpu: null });
      expect(onGpu.path).toBe('gpu');
      expect(onCpu.path).toBe('cpu');
      expect(Buffer.from(onGpu.output).equals(Buffer.from(onCpu.output))).toBe(true);
    });
  }

  test('through the task loop: a GPU worker and a CPU worker send the same digests', async () => {
    const digests: Record<'gpu' | 'cpu', string[]> = { gpu: [], cpu: [] };
    for (const path of ['gpu', 'cpu'] as const) {
      const executor = new InlineExecutor({ preprocessor, ...(path === 'gpu' ? { gpu } : {}) });
      const { orchestrator, events, stop } = await session({ executor });
      for (const { kind, payload, params } of cases) {
        const replicaId = await orchestrator.task(kind, payload, params ?? {});
        const frame = await orchestrator.outcome(replicaId);
        if (frame.header.type !== 'result') throw new Error(`${kind}: ${JSON.stringify(frame.header)}`);
        digests[path].push(frame.header.resultDigest);
      }
      expect(events.flatMap((e) => (e.type === 'task:done' ? [e.path] : []))).toEqual(cases.map(() => path));
      await stop();
    }
    expect(digests.gpu).toEqual(digests.cpu);
  });

  test('a GPU kernel past its limit: TASK_TIMEOUT frame, a fresh context, the next task still on the GPU', async () => {
    // Own provider: the runaway shader leaves its context unusable.
    const own = new GpuProvider({ acquire: acquireGpu });
    const first = await own.get();
    const { orchestrator, events, stop } = await session({
      executor: new InlineExecutor({ preprocessor, gpu: own }),
    });
    const warm = await orchestrator.task('custom-wgsl', spinPayload(1, 30_000)); // compiles the pipeline
    expect((await orchestrator.outcome(warm)).header.type).toBe('result');
    const spin = await orchestrator.task('custom-wgsl', spinPayload(3_000_000, 20));
    const failed = await orchestrator.outcome(spin);
    expect(failed.header.type === 'failure' && failed.header.error.code).toBe(ErrorCode.TaskTimeout);
    expect(first?.lost).toBe(true);
    const next = await orchestrator.task('custom-wgsl', customPayload());
    expect((await orchestrator.outcome(next)).header.type).toBe('result');
    expect(events.filter((e) => e.type === 'task:done').map((e) => e.type === 'task:done' && e.path)).toEqual(
      ['gpu', 'gpu'],
    );
    expect(await own.get()).not.toBe(first);
    await stop();
    own.destroy();
  });

  test('researcher WGSL that does not compile: KERNEL_COMPILE_FAILED frame, then the loop goes on', async () => {
    const { orchestrator, stop } = await session({ executor: new InlineExecutor({ preprocessor, gpu }) });
    const broken = await orchestrator.task('custom-wgsl', customPayload({ wgsl: 'fn main( {' }));
    const frame = await orchestrator.outcome(broken);
    expect(frame.header.type === 'failure' && frame.header.error.code).toBe(ErrorCode.KernelCompileFailed);
    const fine = await orchestrator.task('custom-wgsl', customPayload());
    expect((await orchestrator.outcome(fine)).header.type).toBe('result');
    await stop();
  });

  test("default 'auto' on a software adapter: built-in kinds on the CPU path, custom WGSL on the adapter", async () => {
    const lines: string[] = [];
    const auto = await createHeadlessGpu({ log: (line) => lines.push(line) });
    try {
      const executor = new InlineExecutor({ preprocessor, gpu: auto });
      const run = (kind: string, payload: Uint8Array) =>
        executor.run(
          { kind, seed: 1, params: {}, payload },
          { signal: new AbortController().signal, timeoutMs: 10_000, replicaId: kind },
        );
      const matmul = await run('matmul-f32', matmulPayload(4, 4, 4));
      const custom = await run('custom-wgsl', customPayload());
      if (auto.adapter?.isFallback === true) {
        expect([matmul.path, custom.path]).toEqual(['cpu', 'gpu']);
        expect([auto.cpuForBuiltInKinds, gpu.cpuForBuiltInKinds]).toEqual([true, false]);
        expect(lines.some((line) => line.includes('software adapter'))).toBe(true);
      } else {
        // A hardware adapter (a GPU machine) computes every kind.
        expect([matmul.path, custom.path]).toEqual(['gpu', 'gpu']);
      }
      expect(auto.adapter).toEqual(gpu.adapter); // the hello reports the adapter either way
    } finally {
      auto.destroy();
    }
  });

  test('a real headless worker reports its adapter, cores and concurrency in its hello', async () => {
    const mesh = await startMesh({ workers: 1 });
    try {
      // start() returns once the worker dials; its hello lands a moment later.
      const deadline = performance.now() + 10_000;
      while ((mesh.orchestrator.engine?.listWorkers().length ?? 0) === 0 && performance.now() < deadline) {
        await Bun.sleep(20);
      }
      const [info] = mesh.orchestrator.engine?.listWorkers() ?? [];
      const capabilities = info?.info.capabilities as Record<string, unknown> | undefined;
      expect(capabilities?.adapter).toEqual({ ...gpu.adapter });
      expect(capabilities?.cores).toBeGreaterThan(0);
      expect(capabilities?.maxConcurrent).toBe(mesh.workers[0]?.config.concurrency);
      expect(capabilities?.kinds).toContain('custom-wgsl');
    } finally {
      await mesh.stop();
    }
  }, 30_000);
});

test('SHARDMESH_GPU=off: one clear log line, and tasks take the CPU path', async () => {
  const lines: string[] = [];
  const saved = process.env.SHARDMESH_GPU;
  process.env.SHARDMESH_GPU = 'off';
  try {
    const off = await createHeadlessGpu({ log: (line) => lines.push(line) });
    expect(off.adapter).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('CPU reference path');
    const result = await computeTask(
      { kind: 'matmul-f32', seed: 1, params: {}, payload: matmulPayload(4, 4, 4) },
      { preprocessor, gpu: await off.get() },
    );
    expect(result.path).toBe('cpu');
  } finally {
    if (saved === undefined) delete process.env.SHARDMESH_GPU;
    else process.env.SHARDMESH_GPU = saved;
  }
});
