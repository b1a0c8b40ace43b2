/**
 * The one place that loads snarkjs, with the Bun fix for ffjavascript's worker threads.
 *
 * ffjavascript (used by snarkjs for curve arithmetic) starts its threads through the `web-worker`
 * npm polyfill, whose Node code path never starts under Bun, so `buildBn128()` (and with it every
 * prove and verify) hangs. Bun has a standard global `Worker` that runs ffjavascript's data: URL
 * thread source fine, so before snarkjs is first imported we put that constructor into
 * `require.cache` under the polyfill's resolved path; the ESM import inside ffjavascript then
 * receives it. In browsers and Node the polyfill works and nothing is patched. Drop this module
 * once the polyfill (or Bun) handles it: tests/proofs/snarkjs-bun.test.ts shows when.
 *
 * snarkjs also keeps its curve threads alive after proving; `terminateCurves()` ends them so a
 * process (or a Bun Worker) can exit.
 */
import { createRequire } from 'node:module';

export type Snarkjs = typeof import('snarkjs');

let patched = false;
let loading: Promise<Snarkjs> | undefined;

/** True when running under Bun (the only runtime that needs the patch). */
export function isBun(): boolean {
  return typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
}

/** Redirects the `web-worker` polyfill to the global Worker. Idempotent; returns whether it patched. */
export function patchWebWorkerForBun(): boolean {
  if (patched) return true;
  if (!isBun() || typeof globalThis.Worker !== 'function') return false;
  const require = createRequire(import.meta.url);
  // Every ffjavascript copy in node_modules resolves the same hoisted `web-worker` package; resolve
  // it from snarkjs's own ffjavascript to be sure it is the copy snarkjs will load.
  const fromFf = require.resolve('ffjavascript', { paths: [require.resolve('snarkjs')] });
  const id = require.resolve('web-worker', { paths: [fromFf] });
  require.cache[id] = {
    id,
    filename: id,
    loaded: true,
    exports: globalThis.Worker,
  } as unknown as NodeJS.Module;
  patched = true;
  return true;
}

/** Imports snarkjs once, patching first. */
export function loadSnarkjs(): Promise<Snarkjs> {
  loading ??= (async () => {
    patchWebWorkerForBun();
    return await import('snarkjs');
  })();
  return loading;
}

interface TerminableCurve {
  terminate(): Promise<void> | void;
}

/** Ends the worker threads of the cached bn128 curve (snarkjs caches it on globalThis). */
export async function terminateCurves(): Promise<void> {
  const g = globalThis as { curve_bn128?: TerminableCurve | undefined };
  const curve = g.curve_bn128;
  if (curve === undefined) return;
  g.curve_bn128 = undefined;
  await curve.terminate();
}
