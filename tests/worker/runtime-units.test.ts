/**
 * Pieces of the runtime on their own: the duty cycle's arithmetic and its rest, payload staging
 * through a SharedArrayBuffer or a transferred copy, and the CPU thread pool (errors keep their
 * code across the thread boundary; a thread that cannot start falls back to inline compute).
 */
import { describe, expect, test } from 'bun:test';
import { ErrorCode } from '../../protocol/errors.ts';
import { decodeMatmulPayload, encodeMatmulPayload } from '../../shaders/matmul/payload.ts';
import { createPreprocessor } from '../../worker/preprocess/index.ts';
import { DutyCycle, MIN_DUTY_CYCLE } from '../../worker/runtime/duty-cycle.ts';
import { memoryStager, readStaged } from '../../worker/runtime/staging.ts';
import { computeTask } from '../../worker/runtime/task-kinds.ts';
import { ThreadExecutor } from '../../worker/runtime/thread-executor.ts';
import { matmulPayload } from './payloads.ts';

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

  test('same output as inline; a kernel error keeps its code and details across the thread', async () => {
    const executor = new ThreadExecutor({ preprocessor, threads: 2 });
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
    const executor = new ThreadExecutor({
      preprocessor,
      threadUrl: new URL('./no-such-thread.ts', import.meta.url),
      log: (line) => lines.push(line),
    });
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
});
