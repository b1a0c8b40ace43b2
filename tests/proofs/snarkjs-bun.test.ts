/**
 * The Bun fix for ffjavascript's worker threads (circuits/lib/snarkjs-bun.ts). Without it a
 * threaded bn128 curve never finishes building under Bun; if a Bun or ffjavascript upgrade makes
 * `web-worker` work, this test still passes, and the fix can be dropped once a run of
 * `bun -e "await (await import('ffjavascript')).buildBn128()"` ends on its own.
 */
import { expect, test } from 'bun:test';
import { loadSnarkjs, patchWebWorkerForBun, terminateCurves } from '../../circuits/lib/snarkjs-bun.ts';

test('web-worker resolves to the global Worker, a threaded curve builds and terminates', async () => {
  expect(patchWebWorkerForBun()).toBe(true);
  expect(patchWebWorkerForBun()).toBe(true); // idempotent
  const polyfill = await import('web-worker');
  expect(polyfill.default).toBe(globalThis.Worker);

  const snarkjs = await loadSnarkjs();
  await terminateCurves(); // drop a curve another test file may have cached
  const curve = (await snarkjs.curves.getCurveFromName('bn128')) as {
    tm: { concurrency: number; workers?: unknown[] };
  };
  expect(curve.tm.workers?.length).toBe(curve.tm.concurrency);
  expect((globalThis as { curve_bn128?: unknown }).curve_bn128).toBe(curve);
  await terminateCurves();
  expect((globalThis as { curve_bn128?: unknown }).curve_bn128).toBeNull();
}, 30_000);
