/** The page <-> worker control block on a real SharedArrayBuffer, across a real second thread. */
import { afterAll, expect, test } from 'bun:test';
import { ControlBlock, Slot, WorkerState } from '../../worker/browser/control-block.ts';

const thread = new Worker(new URL('./fixtures/control-thread.ts', import.meta.url), { type: 'module' });
afterAll(() => thread.terminate());

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await Bun.sleep(2);
  }
}

test('defaults are clamped; controls wake the other thread, which answers through the same memory', async () => {
  const control = ControlBlock.create({ cpuLimitPct: 250, gpuEnabled: false });
  expect(control.cpuLimit).toBe(1);
  expect(control.gpuEnabled).toBe(false);
  const ready = new Promise((resolve) => {
    thread.onmessage = resolve;
  });
  thread.postMessage(control.buffer);
  await ready;
  expect(control.state).toBe(WorkerState.Working);

  const started = performance.now();
  control.setControl(Slot.Paused, 1);
  await until(() => control.state === WorkerState.Paused);
  // Woken by Atomics.notify, not by a poll: well under the 1 s bounded wait.
  expect(performance.now() - started).toBeLessThan(500);
  control.setControl(Slot.Paused, 0);
  await until(() => control.state === WorkerState.Working);
  expect(control.get(Slot.Sessions)).toBe(2);

  control.setControl(Slot.CpuLimitPct, 0);
  expect(control.cpuLimit).toBe(0.01);
});

test('changed() returns at once when the generation already moved, and on abort', async () => {
  const control = ControlBlock.create({ cpuLimitPct: 50, gpuEnabled: true });
  control.setControl(Slot.GpuEnabled, 0);
  expect(await control.changed(0)).toBe(1);
  const controller = new AbortController();
  const waiting = control.changed(1, controller.signal);
  controller.abort();
  expect(await waiting).toBe(1);
});
