/**
 * The one place that loads snarkjs, with the Bun fix for ffjavascript's worker threads.
 *
 * ffjavascript (used by snarkjs for curve arithmetic) starts its threads through the `web-worker`
 * npm polyfill, whose Node code path never starts under Bun, so `buildBn128()` (and with it every
 * prove and verify) hangs. Bun has a standard global `Worker` that runs ffjavascript's data: URL
 * thread source fine, so before snarkjs is first imported we register a Bun runtime plugin that
 * serves the bare specifier `web-worker` as a virtual module exporting that constructor.
 * (Putting it into `require.cache`, as TOOLCHAIN.md suggests, reaches `require()` callers only:
 * ffjavascript's ESM build still loaded the polyfill and hung, measured with Bun 1.4.5.)
 * A Bun Worker thread has its own module registry, so each thread calls this again.
 * In browsers and Node the polyfill works and nothing is patched. Drop this module once the
 * polyfill (or Bun) handles it: tests/proofs/snarkjs-bun.test.ts shows when.
 *
 * snarkjs also keeps its curve threads alive after proving; `terminateCurves()` ends them so a
 * process (or a Bun Worker) can exit.
 */
export type Snarkjs = typeof import('snarkjs');

let patched = false;
let loading: Promise<Snarkjs> | undefined;

/** True when running under Bun (the only runtime that needs the patch). */
export function isBun(): boolean {
  return typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
}

/** Serves `web-worker` as the global Worker. Idempotent; returns whether it patched. */
export function patchWebWorkerForBun(): boolean {
  if (patched) return true;
  if (!isBun() || typeof globalThis.Worker !== 'function') return false;
  const WorkerCtor = globalThis.Worker;
  Bun.plugin({
    name: 'shardmesh-web-worker-for-bun',
    setup(build) {
      build.module('web-worker', () => ({ exports: { default: WorkerCtor }, loader: 'object' }));
    },
  });
  patched = true;
  return true;
}

/** Imports snarkjs once, patching first. */
export function loadSnarkjs(): Promise<Snarkjs> {
  loading ??= (async () => {
    patchWebWorkerForBun();
    // Not preloaded here: circomlibjs. Its older ffjavascript copy resets globalThis.curve_bn128
    // to null when it first loads, but poseidon.ts imports it statically, so on the caller side
    // it always loads before any curve exists; the prover thread never loads it (it pulls in a
    // native addon, blake-hash, and Bun 1.4.5 crashed loading that in a re-spawned Worker).
    return await import('snarkjs');
  })();
  return loading;
}

interface TerminableCurve {
  terminate(): Promise<void> | void;
}

/** Ends the worker threads of the cached bn128 curve (snarkjs caches it on globalThis). */
export async function terminateCurves(): Promise<void> {
  const g = globalThis as { curve_bn128?: TerminableCurve | null };
  const curve = g.curve_bn128;
  if (!curve) return;
  g.curve_bn128 = null;
  await curve.terminate();
}

/**
 * Makes snarkjs use a single-threaded bn128 curve from now on (it looks the curve up on
 * globalThis). Verification gains nothing from threads (the pairing runs on the calling thread),
 * and a prover that already runs in its own Worker need not start nested ones.
 */
export async function useSingleThreadCurve(): Promise<void> {
  const snarkjs = await loadSnarkjs();
  const g = globalThis as { curve_bn128?: unknown };
  if (g.curve_bn128) return;
  g.curve_bn128 = await snarkjs.curves.getCurveFromName('bn128', { singleThread: true });
}
