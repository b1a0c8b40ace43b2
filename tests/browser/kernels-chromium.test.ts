/**
 * Every kernel on WebGPU in real headless Chromium (Debian's /usr/bin/chromium, SwiftShader)
 * against its CPU reference computed here in Bun, bit for bit as u32 words, at the boundary sizes
 * 1, workgroup size -1 / +0 / +1 and one larger size (kept small: SwiftShader is slow).
 * Payloads are encoded here, run in the page through shaders/index.ts's executeKernel on the
 * page's navigator.gpu context (tests/browser/fixtures/kernels-entry.ts), and the output bytes
 * come back as base64. One browser for the whole file. Skipped with the reason when Chromium or
 * its WebGPU adapter is missing, except under CI=true, where that is a failure.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { encodeCustomPayload } from '../../shaders/custom/index.ts';
import {
  encodeHashReducePayload,
  HASH_REDUCE_MAX_GROUPS,
  HASH_REDUCE_WORKGROUP,
} from '../../shaders/hash-reduce/index.ts';
import { kernels } from '../../shaders/index.ts';
import { KernelKind } from '../../shaders/kernel.ts';
import { encodeMatmulPayload, MATMUL_TILE } from '../../shaders/matmul/index.ts';
import { encodeMontecarloPayload, MONTECARLO_WORKGROUP } from '../../shaders/montecarlo/index.ts';
import { encodeSimilarityPayload, SIMILARITY_WORKGROUP } from '../../shaders/similarity/index.ts';
import { CHROMIUM, launchChromium } from '../helpers/chromium.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { firstMismatch, randomF32, randomU32 } from '../shaders/gpu-fixture.ts';
import type { BrowserKernelRun, BrowserKernels } from './fixtures/kernels-entry.ts';

const ENTRY = new URL('./fixtures/kernels-entry.ts', import.meta.url).pathname;
const TEST_TIMEOUT_MS = 30_000; // per case, on a loaded 2-core machine
const GPU_TIMEOUT_MS = 20_000; // executeKernel's own limit inside the page

function skipOrThrow(why: string): void {
  if (process.env.CI === 'true') throw new Error(`Chromium kernel tests cannot run under CI: ${why}`);
  console.warn(`[tests/browser] Chromium kernel tests SKIPPED: ${why}`);
}

async function bundleEntry(): Promise<string> {
  const result = await Bun.build({ entrypoints: [ENTRY], target: 'browser', format: 'esm' });
  const output = result.outputs.find((o) => o.kind === 'entry-point');
  if (!result.success || output === undefined) {
    throw new Error(`bundling ${ENTRY} failed: ${result.logs.map(String).join('\n')}`);
  }
  return output.text();
}

interface Session {
  readonly browser: BrowserContext;
  readonly page: Page;
  readonly server: ReturnType<typeof Bun.serve>;
  readonly profile: { path: string; cleanup: () => void };
}

async function closeSession(s: Partial<Session>): Promise<void> {
  await s.browser?.close();
  s.server?.stop(true);
  s.profile?.cleanup();
}

/** Bundle, serve on 127.0.0.1 (a secure context, so navigator.gpu exists), launch, load. */
async function openSession(): Promise<Session | null> {
  const s: { -readonly [K in keyof Session]?: Session[K] } = {};
  try {
    const script = await bundleEntry();
    const html = '<!doctype html><meta charset="utf-8"><script type="module" src="/kernels.js"></script>';
    s.server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch(req) {
        const { pathname } = new URL(req.url);
        if (pathname === '/') return new Response(html, { headers: { 'Content-Type': 'text/html' } });
        if (pathname === '/kernels.js') {
          return new Response(script, { headers: { 'Content-Type': 'text/javascript' } });
        }
        return new Response('not found', { status: 404 });
      },
    });
    s.profile = tempDir('shardmesh-chromium-');
    s.browser = await launchChromium(s.profile.path);
    s.page = s.browser.pages()[0] ?? (await s.browser.newPage());
    await s.page.goto(`http://127.0.0.1:${s.server.port}/`);
    await s.page.waitForFunction(() => 'shardmeshKernels' in globalThis, undefined, { timeout: 20_000 });
    const ready = await s.page.evaluate(
      () => (globalThis as unknown as { shardmeshKernels: BrowserKernels }).shardmeshKernels.ready,
    );
    if (!ready.ok) {
      await closeSession(s);
      skipOrThrow(`no WebGPU adapter in Chromium: ${ready.detail}`);
      return null;
    }
    console.info(`[tests/browser] Chromium WebGPU adapter: ${ready.detail}`);
    return s as Session;
  } catch (err) {
    await closeSession(s);
    throw err;
  }
}

let session: Session | null = null;
if (existsSync(CHROMIUM)) session = await openSession();
else skipOrThrow(`${CHROMIUM} is not installed`);
afterAll(async () => {
  if (session !== null) await closeSession(session);
});

/** Runs the payload in the page through executeKernel on the page's GPU; the output bytes. */
async function inChromium(kind: KernelKind, payload: Uint8Array): Promise<Uint8Array> {
  if (session === null) throw new Error('Chromium test ran without a browser');
  const run: BrowserKernelRun = await session.page.evaluate(
    ([k, p, t]) =>
      (globalThis as unknown as { shardmeshKernels: BrowserKernels }).shardmeshKernels.run(k, p, t),
    [kind, Buffer.from(payload).toString('base64'), GPU_TIMEOUT_MS] as const,
  );
  // A lost context would fall back to the CPU path and compare the reference with itself.
  expect(run.path).toBe('gpu');
  return new Uint8Array(Buffer.from(run.outputBase64, 'base64'));
}

/** The page's GPU output and the CPU reference computed here. */
async function bothPaths(kind: KernelKind, payload: Uint8Array): Promise<[Uint8Array, Uint8Array]> {
  const kernel = kernels[kind];
  const cpu = kernel.encodeOutput(kernel.cpu(kernel.decodeInput(payload)));
  return [await inChromium(kind, payload), cpu];
}

/** Each describe below covers one kind; a new kernel fails here until it is covered too. */
const COVERED: readonly KernelKind[] = [
  KernelKind.MatmulF32,
  KernelKind.MontecarloU32,
  KernelKind.HashReduceU32,
  KernelKind.SimilarityTopk,
  KernelKind.CustomWgsl,
];
test('every kernel kind is covered in Chromium', () => {
  expect(Object.keys(kernels).sort()).toEqual([...COVERED].sort());
});

const boundary = (wg: number, large: number): number[] => [1, wg - 1, wg, wg + 1, large];
const cases = (name: string, body: () => void) => describe.skipIf(session === null)(name, body);

cases('matmul-f32 in Chromium equals matmulCpu', () => {
  const T = MATMUL_TILE;
  const shapes: [number, number, number][] = [
    ...boundary(T, 70).map((s): [number, number, number] => [s, s, s]),
    [T + 1, 1, 2 * T + 3],
    [3, 2 * T + 1, T - 1],
  ];
  for (const [m, k, n] of shapes) {
    test(
      `${m}x${k} * ${k}x${n}`,
      async () => {
        const a = randomF32(m * k, m + k);
        const payload = encodeMatmulPayload({ m, k, n, a, b: randomF32(k * n, n + 7) });
        const [g, c] = await bothPaths(KernelKind.MatmulF32, payload);
        expect(firstMismatch(g, c)).toBeNull();
      },
      TEST_TIMEOUT_MS,
    );
  }

  // Where adapters disagree unless the kernel pins it down: subnormals, underflow, inf - inf.
  const edges: [string, number[], number[]][] = [
    ['subnormal input times a large value', [2 ** -140], [2 ** 60]],
    ['partial sum that underflows', [1.5 * 2 ** -126, -(2 ** -126)], [1, 1]],
    ['inf - inf', [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY], [1, -1]],
    ['overflow to infinity', [2 ** 100], [2 ** 100]],
  ];
  for (const [name, a, b] of edges) {
    test(
      name,
      async () => {
        const payload = encodeMatmulPayload({
          m: 1,
          k: a.length,
          n: 1,
          a: Float32Array.from(a),
          b: Float32Array.from(b),
        });
        const [g, c] = await bothPaths(KernelKind.MatmulF32, payload);
        expect(firstMismatch(g, c)).toBeNull();
      },
      TEST_TIMEOUT_MS,
    );
  }
});

cases('montecarlo-u32 in Chromium equals montecarloCpu', () => {
  for (const invocations of boundary(MONTECARLO_WORKGROUP, 5000)) {
    test(
      `${invocations} invocations`,
      async () => {
        const seed = (0x9e3779b9 ^ invocations) >>> 0;
        const payload = encodeMontecarloPayload({ seed, invocations, samplesPerInvocation: 33 });
        const [g, c] = await bothPaths(KernelKind.MontecarloU32, payload);
        expect(firstMismatch(g, c)).toBeNull();
      },
      TEST_TIMEOUT_MS,
    );
  }
});

cases('hash-reduce-u32 in Chromium equals hashReduceCpu', () => {
  // The dispatch is capped at MAX_GROUPS workgroups: the last size needs several grid-stride rounds.
  const gridStride = HASH_REDUCE_MAX_GROUPS * HASH_REDUCE_WORKGROUP * 3 + 5;
  for (const count of [...boundary(HASH_REDUCE_WORKGROUP, 4099), gridStride]) {
    test(
      `${count} words`,
      async () => {
        const payload = encodeHashReducePayload({ seed: count * 31, words: randomU32(count, count) });
        const [g, c] = await bothPaths(KernelKind.HashReduceU32, payload);
        expect(firstMismatch(g, c)).toBeNull();
      },
      TEST_TIMEOUT_MS,
    );
  }
});

cases('similarity-topk in Chromium equals similarityCpu', () => {
  for (const count of boundary(SIMILARITY_WORKGROUP, 3001)) {
    test(
      `${count} vectors`,
      async () => {
        const dim = 19;
        const payload = encodeSimilarityPayload({
          count,
          dim,
          k: Math.min(count, 10),
          query: randomF32(dim, 5),
          vectors: randomF32(count * dim, count),
        });
        const [g, c] = await bothPaths(KernelKind.SimilarityTopk, payload);
        expect(firstMismatch(g, c)).toBeNull();
      },
      TEST_TIMEOUT_MS,
    );
  }

  test(
    'duplicate vectors tie and are ordered by index',
    async () => {
      const row = [0.5, -0.25, 1, 2];
      const payload = encodeSimilarityPayload({
        count: 4,
        dim: 4,
        k: 3,
        query: Float32Array.from([1, 1, 1, 1]),
        vectors: Float32Array.from([...row, 0, 0, 0, 0, ...row, ...row]),
      });
      const [g, c] = await bothPaths(KernelKind.SimilarityTopk, payload);
      expect(firstMismatch(g, c)).toBeNull();
      const words = new Uint32Array(g.buffer, g.byteOffset, 6);
      expect([words[0], words[2], words[4]]).toEqual([0, 2, 3]);
    },
    TEST_TIMEOUT_MS,
  );
});

/** An exact u32 researcher kernel: wrapping multiply, xor-shift and the invocation index. */
const MIX_WGSL = `@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i < arrayLength(&src)) {
    let x = src[i] * 0x9e3779b1u;
    dst[i] = (x ^ (x >> 15u)) + i;
  }
}
`;
const CUSTOM_WORKGROUP = 64;

/** MIX_WGSL's reference (custom-wgsl has no CPU path of its own). */
function mixCpu(words: Uint32Array): Uint8Array {
  const out = Uint32Array.from(words, (w, i) => {
    const x = Math.imul(w, 0x9e3779b1) >>> 0;
    return ((x ^ (x >>> 15)) + i) >>> 0;
  });
  return new Uint8Array(out.buffer);
}

cases('custom-wgsl in Chromium equals its u32 reference', () => {
  for (const n of boundary(CUSTOM_WORKGROUP, 1000)) {
    test(
      `${n} words`,
      async () => {
        const words = randomU32(n, n + 3);
        const bytes = new Uint8Array(words.buffer);
        const payload = encodeCustomPayload({
          header: {
            wgsl: MIX_WGSL,
            entryPoint: 'main',
            workgroupSize: [CUSTOM_WORKGROUP],
            dispatch: [Math.ceil(n / CUSTOM_WORKGROUP)],
            inputs: [{ binding: 0, byteLength: bytes.length }],
            output: { binding: 1, byteLength: bytes.length },
          },
          inputs: [bytes],
        });
        const gpu = await inChromium(KernelKind.CustomWgsl, payload);
        expect(firstMismatch(gpu, mixCpu(words))).toBeNull();
      },
      TEST_TIMEOUT_MS,
    );
  }
});
