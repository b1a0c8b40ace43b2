/**
 * The shared task loop against a scripted orchestrator over a real libp2p link: typed failure
 * frames for every way a task can go wrong, the loop surviving each of them, time limits that
 * stop a CPU kernel for real, heartbeats that keep flowing while a CPU thread computes, draining.
 * GPU off here (CPU path); tests/worker/gpu-path.test.ts covers the GPU side.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { ErrorCode } from '../../protocol/errors.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import { TaskKind } from '../../protocol/task-kinds.ts';
import { matmulCpu } from '../../shaders/matmul/cpu.ts';
import { decodeMatmulPayload, matmulOutputBytes } from '../../shaders/matmul/payload.ts';
import { createPreprocessor } from '../../worker/preprocess/index.ts';
import { DutyCycle } from '../../worker/runtime/duty-cycle.ts';
import { InlineExecutor, type TaskExecutor } from '../../worker/runtime/executor.ts';
import { runTaskLoop, type TaskLoopOptions, type WorkerEvent } from '../../worker/runtime/task-loop.ts';
import { ThreadExecutor } from '../../worker/runtime/thread-executor.ts';
import { type ScriptedOrchestrator, startLink } from './harness.ts';
import { customPayload, matmulPayload } from './payloads.ts';

const link = await startLink();
const preprocessor = await createPreprocessor();
const executors: TaskExecutor[] = [];
afterAll(async () => {
  await Promise.all(executors.map((e) => e.close()));
  await link.stop();
});

const threads = (): ThreadExecutor => {
  const executor = new ThreadExecutor({ preprocessor, threads: 1 });
  executors.push(executor);
  return executor;
};

/** Opens a session, runs the loop on the worker side and greets it; `stop` ends both sides. */
async function session(opts: Partial<TaskLoopOptions> = {}, heartbeatMs = 1_000) {
  const { worker, orchestrator } = await link.open();
  const events: WorkerEvent[] = [];
  const controller = new AbortController();
  const loop = runTaskLoop(worker, {
    workerId: 'worker-test',
    concurrency: 2,
    taskTimeoutMs: 10_000,
    preprocessor,
    capabilities: { kinds: ['matmul-f32'], cores: 2, maxConcurrent: 2, adapter: null },
    userAgent: 'task-loop.test',
    signal: controller.signal,
    onEvent: (e) => events.push(e),
    ...opts,
  });
  const hello = await orchestrator.next('hello');
  await orchestrator.welcome(heartbeatMs);
  await orchestrator.next('pull');
  const stop = async () => {
    controller.abort();
    await orchestrator.channel.close().catch(() => {});
    await loop.catch(() => {});
  };
  return { worker, orchestrator, events, loop, hello, stop };
}

async function failureCode(orchestrator: ScriptedOrchestrator, replicaId: string): Promise<string> {
  const frame = await orchestrator.outcome(replicaId);
  if (frame.header.type !== 'failure') throw new Error(`expected a failure, got ${frame.header.type}`);
  return frame.header.error.code;
}

async function expectResult(orchestrator: ScriptedOrchestrator, replicaId: string, payload: Uint8Array) {
  const frame = await orchestrator.outcome(replicaId);
  if (frame.header.type !== 'result')
    throw new Error(`expected a result, got ${JSON.stringify(frame.header)}`);
  const { m, k, n, a, b } = decodeMatmulPayload(payload);
  expect(frame.header.resultDigest).toBe(await sha256Hex(matmulOutputBytes(matmulCpu(a, b, m, k, n))));
}

describe('typed failure frames, and the loop goes on', () => {
  test('hello carries the capabilities; welcome is answered with a pull of the concurrency', async () => {
    const { hello, orchestrator, stop } = await session();
    expect(hello.header.capabilities).toEqual({
      kinds: ['matmul-f32'],
      cores: 2,
      maxConcurrent: 2,
      adapter: null,
    });
    expect(orchestrator.frames.find((f) => f.header.type === 'pull')?.header).toMatchObject({ max: 2 });
    await stop();
  });

  test('bad payload, unknown kind, GPU-only kind, sizes over the limits: one typed code each', async () => {
    const { orchestrator, stop } = await session({
      executor: threads(),
      limits: { maxPayloadBytes: 64 * 1024, maxOutputBytes: 4096 },
    });
    const codes = {
      corrupt: await orchestrator.task(TaskKind.matmul, new Uint8Array([1, 2, 3])),
      unknown: await orchestrator.task('no-such-kind', new Uint8Array(4)),
      gpuOnly: await orchestrator.task('custom-wgsl', customPayload()),
      bigInput: await orchestrator.task(TaskKind.matmul, matmulPayload(100, 100, 100)),
      bigOutput: await orchestrator.task(TaskKind.matmul, matmulPayload(40, 1, 40)),
      badParam: await orchestrator.task(TaskKind.matmul, matmulPayload(2, 2, 2), { smoothAlpha: 'x' }),
    };
    const got: Record<string, string> = {};
    for (const [name, replicaId] of Object.entries(codes))
      got[name] = await failureCode(orchestrator, replicaId);
    expect(got).toEqual({
      corrupt: ErrorCode.PreprocessFailed,
      unknown: ErrorCode.UnknownTaskKind,
      gpuOnly: ErrorCode.KernelFailed,
      bigInput: ErrorCode.TaskMemoryLimit,
      bigOutput: ErrorCode.TaskMemoryLimit, // 40x40 f32 = 6400 B, refused before computing
      badParam: ErrorCode.PreprocessFailed,
    });
    // Every failure was acked first, and the loop still computes the next task.
    expect(orchestrator.count('ack')).toBe(6);
    const payload = matmulPayload(8, 8, 8);
    await expectResult(orchestrator, await orchestrator.task(TaskKind.matmul, payload), payload);
    await stop();
  }, 20_000);

  test('a CPU kernel past its limit: TASK_TIMEOUT at the limit, its thread is killed, the next task runs', async () => {
    const executor = threads();
    await executor.warm();
    const { orchestrator, events, stop } = await session({ executor, taskTimeoutMs: 150 });
    const started = performance.now();
    // Seconds of CPU work here (512^3): only terminating the thread ends it at 150 ms.
    const slow = await orchestrator.task(TaskKind.matmul, matmulPayload(512, 512, 512));
    expect(await failureCode(orchestrator, slow)).toBe(ErrorCode.TaskTimeout);
    expect(performance.now() - started).toBeLessThan(1_500);
    await executor.warm(); // the killed thread's replacement has loaded
    const payload = matmulPayload(8, 8, 8);
    await expectResult(orchestrator, await orchestrator.task(TaskKind.matmul, payload), payload);
    expect(
      events.filter((e) => e.type === 'task:failed').map((e) => e.type === 'task:failed' && e.code),
    ).toEqual([ErrorCode.TaskTimeout]);
    await stop();
  }, 20_000);

  test('an inline kernel that blocks past its limit is still reported as TASK_TIMEOUT', async () => {
    const executor = new InlineExecutor({ preprocessor });
    const { orchestrator, stop } = await session({ executor, taskTimeoutMs: 30 });
    const slow = await orchestrator.task(TaskKind.matmul, matmulPayload(320, 320, 320));
    expect(await failureCode(orchestrator, slow)).toBe(ErrorCode.TaskTimeout);
    await stop();
  });
});

describe('heartbeats and CPU work', () => {
  /**
   * One CPU task of a few hundred ms with heartbeats due every 20 ms: the fraction of those that were sent.
   * A heartbeat lists the replicas held when it fires, so the ones naming this replica are
   * exactly those sent during its life (timed here from the worker's own events).
   */
  async function heartbeatsDuring(executor: TaskExecutor): Promise<number> {
    const times = new Map<string, number>();
    const { orchestrator, stop } = await session(
      { executor, onEvent: (e) => times.set(e.type, performance.now()) },
      20,
    );
    const replicaId = await orchestrator.task(TaskKind.matmul, matmulPayload(320, 320, 320));
    const result = await orchestrator.outcome(replicaId, 60_000);
    expect(result.header.type).toBe('result');
    const life = (times.get('task:done') ?? 0) - (times.get('task:started') ?? 0);
    expect(life).toBeGreaterThan(100);
    await Bun.sleep(50); // let the last heartbeats arrive
    const beats = orchestrator.frames.filter(
      (f) => f.header.type === 'heartbeat' && f.header.replicaIds.includes(replicaId),
    ).length;
    await stop();
    return beats / (life / 20);
  }

  test('on a CPU thread the loop keeps heartbeating; computing inline starves it', async () => {
    const executor = threads();
    await executor.warm();
    const onThread = await heartbeatsDuring(executor);
    const inline = await heartbeatsDuring(new InlineExecutor({ preprocessor }));
    // Fraction of the expected heartbeats that arrived while the task computed.
    expect(onThread).toBeGreaterThan(0.4);
    expect(inline).toBeLessThan(0.2);
  }, 60_000);
});

describe('draining and resting', () => {
  test('drain: the task in flight reports, nothing more is pulled, the worker closes the session', async () => {
    const drain = new AbortController();
    const { orchestrator, loop, events } = await session({ executor: threads(), drain: drain.signal });
    const payload = matmulPayload(96, 96, 96);
    const replicaId = await orchestrator.task(TaskKind.matmul, payload);
    await orchestrator.next('ack', (h) => h.replicaId === replicaId);
    const pullsBefore = orchestrator.count('pull');
    drain.abort();
    await expectResult(orchestrator, replicaId, payload);
    // The worker closed its end: the orchestrator's reader ends, then it closes its own.
    while (!orchestrator.ended) await Bun.sleep(10);
    await orchestrator.channel.close();
    await loop;
    expect(orchestrator.count('pull')).toBe(pullsBefore);
    expect(events.some((e) => e.type === 'session:drained')).toBe(true);
  });

  test('a 50% CPU limit rests as long as the task computed before pulling again', async () => {
    const throttle = new DutyCycle({ limit: () => 0.5 });
    const { orchestrator, events, stop } = await session({ executor: threads(), throttle, concurrency: 1 });
    const replicaId = await orchestrator.task(TaskKind.matmul, matmulPayload(128, 128, 128));
    const result = await orchestrator.outcome(replicaId);
    const pull = await orchestrator.next('pull');
    const done = events.find((e) => e.type === 'task:done');
    if (done?.type !== 'task:done') throw new Error('no task:done event');
    expect(done.computeMs).toBeGreaterThan(20);
    expect(pull.at - result.at).toBeGreaterThan(done.computeMs * 0.8);
    await stop();
  });
});

describe('prefetch', () => {
  /** An executor whose tasks each take `ms` of (idle) time; records when each one started. */
  const timedExecutor = (ms: number) => {
    const starts: number[] = [];
    const executor: TaskExecutor = {
      run: async () => {
        starts.push(performance.now());
        await Bun.sleep(ms);
        return { output: new Uint8Array([1, 2, 3, 4]), path: 'cpu' };
      },
      close: async () => {},
    };
    return { executor, starts };
  };

  test('the pull asks for slots + prefetch; a held task waits for its slot, and its time limit starts there', async () => {
    const { executor, starts } = timedExecutor(400);
    const { orchestrator, events, stop } = await session({
      executor,
      concurrency: 1,
      prefetch: 1,
      taskTimeoutMs: 600,
      ackHoldMs: 0,
    });
    expect(orchestrator.frames.find((f) => f.header.type === 'pull')?.header).toMatchObject({ max: 2 });
    const first = await orchestrator.task(TaskKind.matmul, matmulPayload(2, 2, 2));
    const second = await orchestrator.task(TaskKind.matmul, matmulPayload(2, 2, 2));
    const [a, b] = [await orchestrator.outcome(first), await orchestrator.outcome(second)];
    // One slot: the second started only when the first was done, ~800 ms after it arrived, yet
    // its 600 ms limit did not fire because it counts from the slot, not from arrival.
    expect([a.header.type, b.header.type]).toEqual(['result', 'result']);
    expect(starts).toHaveLength(2);
    expect((starts[1] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(390);
    const acks = orchestrator.frames.filter((f) => f.header.type === 'ack');
    expect(acks.map((f) => f.header.type === 'ack' && f.header.replicaId)).toEqual([first, second]);
    expect((acks[1]?.at as number) >= a.at - 50).toBe(true); // acked when it started, not on arrival
    expect(events.filter((e) => e.type === 'task:failed')).toEqual([]);
    await stop();
  });
});
