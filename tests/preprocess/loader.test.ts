import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { AbortError, ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import {
  createPreprocessor,
  DEFAULT_WASM_URL,
  loadWasmPreprocessor,
  webAssemblyAvailable,
} from '../../worker/preprocess/index.ts';

let wasmBytes: Uint8Array<ArrayBuffer>;
let server: ReturnType<typeof Bun.serve>;
/** Releases the requests that /slow.wasm holds, so none outlives the tests. */
const releaseSlow: Array<() => void> = [];

beforeAll(async () => {
  wasmBytes = new Uint8Array(await Bun.file(DEFAULT_WASM_URL).arrayBuffer());
  // A real loopback server: exercises the browser path (fetch + compileStreaming).
  server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === '/preproc.wasm')
        return new Response(wasmBytes, { headers: { 'content-type': 'application/wasm' } });
      if (path === '/octet.wasm')
        return new Response(wasmBytes, { headers: { 'content-type': 'application/octet-stream' } });
      if (path === '/slow.wasm') {
        await new Promise<void>((resolve) => releaseSlow.push(resolve));
        return new Response(wasmBytes, { headers: { 'content-type': 'application/wasm' } });
      }
      return new Response('not found', { status: 404 });
    },
  });
});

afterAll(() => {
  for (const release of releaseSlow) release();
  server.stop(true);
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function expectUnavailable(err: unknown, reason: string): void {
  expect(err).toBeInstanceOf(WorkerTaskError);
  expect((err as WorkerTaskError).code).toBe(ErrorCode.WasmUnavailable);
  expect((err as WorkerTaskError).details?.reason).toBe(reason);
}

const url = (path: string): string => `http://127.0.0.1:${server.port}${path}`;

describe('loadWasmPreprocessor', () => {
  test('loads the committed build by default, from bytes, from a file URL and over HTTP', async () => {
    const sources = [
      undefined,
      { bytes: wasmBytes },
      { url: DEFAULT_WASM_URL.href },
      { url: url('/preproc.wasm') },
      { url: new URL(url('/octet.wasm')) },
    ];
    for (const source of sources) {
      const p = await loadWasmPreprocessor(source);
      expect(p.impl).toBe('wasm');
      expect(Buffer.from(p.sha256(new TextEncoder().encode('abc'))).toString('hex')).toStartWith('ba7816bf');
    }
  });

  test('bad bytes, a module without the ABI, and HTTP 404 fail with WASM_UNAVAILABLE', async () => {
    expectUnavailable(
      await rejection(loadWasmPreprocessor({ bytes: new Uint8Array([1, 2, 3]) })),
      'load-failed',
    );
    // A valid, empty module: magic + version only.
    const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const err = await rejection(loadWasmPreprocessor({ bytes: empty }));
    expectUnavailable(err, 'load-failed');
    expect((err as WorkerTaskError).details?.missing).toBe('memory');
    expectUnavailable(await rejection(loadWasmPreprocessor({ url: url('/missing.wasm') })), 'load-failed');
  });

  test('honours an AbortSignal before and during the fetch', async () => {
    expect(await rejection(loadWasmPreprocessor({}, { signal: AbortSignal.abort() }))).toBeInstanceOf(
      AbortError,
    );
    const controller = new AbortController();
    const pending = loadWasmPreprocessor({ url: url('/slow.wasm') }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const err = await rejection(pending);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).code).toBe(ErrorCode.Aborted);
  });
});

describe('createPreprocessor', () => {
  test('prefers WASM, honours prefer: js, and falls back to JS with a reason', async () => {
    const wasm = await createPreprocessor();
    expect(wasm.impl).toBe('wasm');
    expect(wasm.fallback).toBeUndefined();

    const chosen = await createPreprocessor({ prefer: 'js' });
    expect(chosen.impl).toBe('js');
    expect(chosen.fallback).toBeUndefined();

    const fallen = await createPreprocessor({ source: { bytes: new Uint8Array([0, 1, 2]) } });
    expect(fallen.impl).toBe('js');
    expectUnavailable(fallen.fallback, 'load-failed');
    expect(fallen.fallback?.toJSON().code).toBe(ErrorCode.WasmUnavailable);
    // The fallback computes the same digests.
    expect(fallen.sha256(new Uint8Array([7]))).toEqual(wasm.sha256(new Uint8Array([7])));
  });

  test('falls back with reason no-webassembly where WebAssembly does not exist', async () => {
    const saved = globalThis.WebAssembly;
    let p: Awaited<ReturnType<typeof createPreprocessor>>;
    try {
      // Runtimes with WebAssembly disabled (e.g. some locked-down browsers) lack the global.
      Reflect.deleteProperty(globalThis, 'WebAssembly');
      expect(webAssemblyAvailable()).toBe(false);
      p = await createPreprocessor();
    } finally {
      globalThis.WebAssembly = saved;
    }
    expect(p.impl).toBe('js');
    expectUnavailable(p.fallback, 'no-webassembly');
  });

  test('invalid window options fail loudly instead of falling back', async () => {
    for (const opts of [{ emaWindow: 0 }, { shaWindow: 1.5 }, { boundsWindow: -1 }]) {
      const err = await rejection(createPreprocessor(opts));
      expect(err).toBeInstanceOf(WorkerTaskError);
      expect((err as WorkerTaskError).code).toBe(ErrorCode.PreprocessFailed);
      expect((err as WorkerTaskError).details?.field).toBe(Object.keys(opts)[0]);
    }
  });

  test('an abort is not turned into a fallback', async () => {
    expect(await rejection(createPreprocessor({ signal: AbortSignal.abort() }))).toBeInstanceOf(AbortError);
    const controller = new AbortController();
    const pending = createPreprocessor({ source: { url: url('/slow.wasm') }, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await rejection(pending)).toBeInstanceOf(AbortError);
  });
});
