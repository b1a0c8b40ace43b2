/**
 * Pieces of the runtime on their own: the duty cycle's arithmetic and its rest, payload staging
 * through a SharedArrayBuffer or a transferred copy, and the CPU thread pool (errors keep their
 * code across the thread boundary; a thread that cannot start falls back to inline compute; small
 * tasks are computed on the loop's thread without one).
 */
import { describe, expect, test } from 'bun:test';
import { ErrorCode } from '../../protocol/errors.ts';
import { decodeMatmulPayload, encodeMatmulPayload } from '../../shaders/matmul/payload.ts';
import { createPreprocessor } from '../../worker/preprocess/index.ts';
import { DutyCycle, MIN_DUTY_CYCLE } from '../../worker/runtime/duty-cycle.ts';
import { Slots } from '../../worker/runtime/slots.ts';
import { memoryStager, readStaged } from '../../worker/runtime/staging.ts';
import { computeTask, cpuWorkOf } from '../../worker/runtime/task-kinds.ts';
import { THREAD_EXECUTOR_DEFAULTS, ThreadExecutor } from '../../worker/runtime/thread-executor.ts';
import {
  customPayload,
  hashReducePayload,
  matmulPayload,
  montecarloPayload,
  similarityPayload,
} from './payloads.ts';

const preprocessor = await createPreprocessor();

describe('duty cycle', () => {
  test('rest = busy * (1 - L) / L, clamped to the minimum limit and the longest rest', () => {
    const at = (limit: number, maxRestMs?: number) =>
      new DutyCycle({ limit: () => limit, ...(maxRestMs === undefined ? {} : { maxRestMs }) });
    expect(at(1).restFor(100)).toBe(0);
    expect(at(0.5).restFor(100)).toBe(100);
    expect(at(0.25).restFor(100)).toBe(300);
    expect(at(0).restFor(100)).toBeCloseTo((100 * (1 - MIN_DUTY_CYCLE)) / MIN_DUTY_CYCLE);
    expect(at(0.1, 500).restFor(100)).toBe(500);
    expect(at(Number.NaN).restFor(100)).toBe(0);
  });

  test('afterTask rests that long, and less when its signal fires', async () => {
    const cycle = new DutyCycle({ limit: () => 0.5 });
    let started = performance.now();
    await cycle.afterTask(60);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    const controller = new AbortController();
    started = performance.now();
    setTimeout(() => controller.abort(), 20);
    await cycle.afterTask(5_000, { signal: controller.signal });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('staging', () => {
  test('in memory: a SharedArrayBuffer where it is usable, else a transferred copy', async () => {
    const bytes = matmulPayload(3, 3, 3);
    const shared = await memoryStager.stage('r1', bytes);
    expect(shared.payload.type).toBe('shared');
    expect(shared.transfer).toEqual([]);
    expect(Buffer.from(await readStaged(shared.payload)).equals(Buffer.from(bytes))).toBe(true);

    const scope = globalThis as { crossOriginIsolated?: boolean };
    scope.crossOriginIsolated = false; // a browser page without COOP/COEP
    try {
      const copied = await memoryStager.stage('r2', bytes);
      expect(copied.payload.type).toBe('copy');
      expect(copied.transfer).toHaveLength(1);
      expect(Buffer.from(await readStaged(copied.payload)).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      delete scope.crossOriginIsolated;
    }
  });
});

describe('matmul preprocessing params', () => {
  test('smoothColumnsAlpha smooths each column of A (not the row-major series), WASM = JS', async () => {
    const js = await createPreprocessor({ prefer: 'js' });
    const payload = matmulPayload(9, 7, 5);
    const input = decodeMatmulPayload(payload);
    // What the worker must compute: the JS fallback's column EMA on A, then the plain product.
    const expected = encodeMatmulPayload({ ...input, a: js.emaColumns(input.a, input.k, 0.25) });
    const run = (p: typeof preprocessor, params: Record<string, number>, bytes = payload) =>
      computeTask({ kind: 'matmul-f32', seed: 1, params, payload: bytes }, { preprocessor: p });
    const [wasmOut, jsOut, reference, bySeries] = await Promise.all([
      run(preprocessor, { smoothColumnsAlpha: 0.25 }),
      run(js, { smoothColumnsAlpha: 0.25 }),
      run(js, {}, expected),
      run(js, { smoothAlpha: 0.25 }),
    ]);
    expect(preprocessor.impl).toBe('wasm');
    expect(Buffer.from(wasmOut.output).equals(Buffer.from(reference.output))).toBe(true);
    expect(Buffer.from(jsOut.output).equals(Buffer.from(reference.output))).toBe(true);
    expect(Buffer.from(bySeries.output).equals(Buffer.from(reference.output))).toBe(false);
    const error = await run(js, { smoothColumnsAlpha: Number.NaN }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toMatchObject({ code: ErrorCode.PreprocessFailed });
  });
});

describe('CPU threads', () => {
  const run = (executor: ThreadExecutor, payload: Uint8Array, params = {}) =>
    executor.run(
      { kind: 'matmul-f32', seed: 1, params, payload },
      { signal: new AbortController().signal, timeoutMs: 10_000, replicaId: `r-${Math.random()}` },
    );

  /** Threads whose script does not exist: the first task that needs one logs it to `lines`. */
  const unstartable = (lines: string[], opts: { inlineMaxWork?: number; inlineMaxPayloadBytes?: number }) =>
    new ThreadExecutor({
      preprocessor,
      threadUrl: new URL('./no-such-thread.ts', import.meta.url),
      log: (line) => lines.push(line),
      ...opts,
    });

  test('same output as inline; a kernel error keeps its code and details across the thread', async () => {
    // inlineMaxWork 0: every task crosses to a thread, however small.
    const executor = new ThreadExecutor({ preprocessor, threads: 2, inlineMaxWork: 0 });
    try {
      const payload = matmulPayload(9, 7, 5);
      const params = { smoothAlpha: 0.25 };
      const [onThread, inline] = await Promise.all([
        run(executor, payload, params),
        computeTask({ kind: 'matmul-f32', seed: 1, params, payload }, { preprocessor }),
      ]);
      expect(onThread.path).toBe('cpu');
      expect(Buffer.from(onThread.output).equals(Buffer.from(inline.output))).toBe(true);
      // Awaited by hand: Bun's expect().rejects never saw this rejection, which arrives from a
      // Worker message (it hung until the test timed out).
      const error = await run(executor, payload, { smoothAlpha: 'x' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toMatchObject({
        code: ErrorCode.PreprocessFailed,
        details: { field: 'params.smoothAlpha' },
      });
    } finally {
      await executor.close();
    }
  });

  test('a thread that cannot start: one log line, then the CPU path runs inline', async () => {
    const lines: string[] = [];
    const executor = unstartable(lines, { inlineMaxWork: 0 });
    try {
      await executor.warm(); // must not throw nor hang
      const first = await run(executor, matmulPayload(2, 2, 2));
      const second = await run(executor, matmulPayload(2, 2, 2));
      expect([first.path, second.path]).toEqual(['cpu', 'cpu']);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('CPU threads unavailable');
    } finally {
      await executor.close();
    }
  });

  test("small tasks are computed on the loop's thread; larger ones, or a large payload, need a thread", async () => {
    const lines: string[] = [];
    const executor = unstartable(lines, { inlineMaxWork: 1_000 });
    try {
      const small = await run(executor, matmulPayload(10, 10, 10)); // 1,000 multiply-adds
      expect(small.path).toBe('cpu');
      expect(lines).toEqual([]);
      await run(executor, matmulPayload(10, 10, 11)); // 1,100
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('CPU threads unavailable');
    } finally {
      await executor.close();
    }
    const bytesCapped = unstartable(lines, { inlineMaxPayloadBytes: 64 });
    try {
      await run(bytesCapped, matmulPayload(2, 2, 2)); // 8 steps but 44 bytes: inline
      expect(lines).toHaveLength(1);
      await run(bytesCapped, matmulPayload(4, 4, 4)); // 64 steps, 140 bytes: a thread
      expect(lines).toHaveLength(2);
    } finally {
      await bytesCapped.close();
    }
  });
});

describe('CPU work estimates', () => {
  test('each kind counts the steps of its CPU reference; undecodable or unknown input counts 0', () => {
    const task = (kind: string, payload: Uint8Array) => ({ kind, seed: 1, params: {}, payload });
    expect(cpuWorkOf(task('matmul-f32', matmulPayload(3, 4, 5)))).toBe(60);
    expect(cpuWorkOf(task('montecarlo-u32', montecarloPayload()))).toBe(257 * 64);
    expect(cpuWorkOf(task('similarity-topk', similarityPayload(129, 16, 5)))).toBe(129 * 16);
    expect(cpuWorkOf(task('hash-reduce-u32', hashReducePayload(300)))).toBe(300);
    expect(cpuWorkOf(task('custom-wgsl', customPayload()))).toBe(Number.POSITIVE_INFINITY);
    expect(cpuWorkOf(task('matmul-f32', new Uint8Array(3)))).toBe(0);
    expect(cpuWorkOf(task('no-such-kind', new Uint8Array(3)))).toBe(0);
    expect(THREAD_EXECUTOR_DEFAULTS.inlineMaxWork).toBeGreaterThan(0);
  });
});

describe('compute slots', () => {
  test('at most `count` held at once; waiters get slots in arrival order; a release counts once', async () => {
    const slots = new Slots(2);
    const order: string[] = [];
    const a = await slots.acquire();
    const b = await slots.acquire();
    const c = slots.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = slots.acquire().then((release) => {
      order.push('d');
      return release;
    });
    await Bun.sleep(5);
    expect(order).toEqual([]);
    expect(slots.waiting).toBe(2);
    a();
    a(); // twice: still one slot
    await Bun.sleep(5);
    expect(order).toEqual(['c']);
    b();
    (await c)();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect(slots.waiting).toBe(0);
    const all = await Promise.all([slots.acquire(), slots.acquire()]);
    expect(all).toHaveLength(2);
  });

  test('a waiter whose signal fires leaves the queue with an AbortError; bad counts are refused', async () => {
    const slots = new Slots(1);
    const held = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal).then(
      () => 'granted',
      (err: unknown) => (err as Error).name,
    );
    controller.abort();
    expect(await waiting).toBe('AbortError');
    expect(slots.waiting).toBe(0);
    held();
    expect(await slots.acquire().then(() => 'granted')).toBe('granted');
    expect(() => new Slots(0)).toThrow(RangeError);
  });
});
