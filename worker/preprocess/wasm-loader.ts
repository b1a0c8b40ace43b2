/**
 * Loads shardmesh_preproc.wasm in Bun or a browser. By default it reads the committed build
 * next to the crate (wasm-preproc/shardmesh_preproc.wasm): with Bun.file for file: URLs, with
 * fetch (streaming compile when served as application/wasm) otherwise. Browser bundles that
 * move the file pass `{ url }` or `{ bytes }` explicitly.
 */
import { AbortError, ErrorCode, throwIfAborted, WorkerTaskError } from '../../protocol/errors.ts';
import type { WasmPreprocessor } from './types.ts';
import { asPreprocExports } from './wasm-abi.ts';
import { createWasmPreprocessor, type WasmWindowOptions } from './wasm-impl.ts';

export interface WasmSource {
  /** The module bytes (wins over `url`). */
  bytes?: Uint8Array;
  /** Where to fetch the module from, relative to the page in browsers (default: DEFAULT_WASM_URL). */
  url?: string | URL;
}

export interface LoadWasmOptions extends WasmWindowOptions {
  signal?: AbortSignal;
}

export const DEFAULT_WASM_URL: URL = new URL('../../wasm-preproc/shardmesh_preproc.wasm', import.meta.url);

function unavailable(reason: string, message: string, cause?: unknown): WorkerTaskError {
  return new WorkerTaskError(ErrorCode.WasmUnavailable, message, { reason }, { cause });
}

export function webAssemblyAvailable(): boolean {
  return (
    typeof WebAssembly === 'object' && WebAssembly !== null && typeof WebAssembly.instantiate === 'function'
  );
}

async function compileFromUrl(url: URL, signal: AbortSignal | undefined): Promise<WebAssembly.Module> {
  if (url.protocol === 'file:' && typeof Bun !== 'undefined') {
    const bytes = await Bun.file(url).arrayBuffer();
    throwIfAborted(signal);
    return WebAssembly.compile(bytes);
  }
  const response = await fetch(url, { signal });
  if (!response.ok) throw unavailable('load-failed', `fetching ${url.href} returned HTTP ${response.status}`);
  const type = response.headers.get('content-type') ?? '';
  if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  const bytes = await response.arrayBuffer();
  throwIfAborted(signal);
  return WebAssembly.compile(bytes);
}

/** Relative URLs ('/preproc.wasm') resolve against the page, as fetch() would. */
function resolveUrl(url: string | URL | undefined): URL {
  if (url === undefined) return DEFAULT_WASM_URL;
  const base = typeof location === 'undefined' ? undefined : location.href;
  return new URL(url, base);
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return err instanceof AbortError || signal?.aborted === true;
}

/**
 * Compiles and instantiates the preprocessing module. Fails with WASM_UNAVAILABLE (reason
 * 'no-webassembly' or 'load-failed') or ABORTED; `createPreprocessor` turns the former into a
 * fallback to the pure-TS implementation.
 */
export async function loadWasmPreprocessor(
  source: WasmSource = {},
  opts: LoadWasmOptions = {},
): Promise<WasmPreprocessor> {
  const { signal, ...windows } = opts;
  throwIfAborted(signal);
  if (!webAssemblyAvailable()) throw unavailable('no-webassembly', 'WebAssembly is not available here');
  let instance: WebAssembly.Instance;
  try {
    const module =
      source.bytes !== undefined
        ? // Copy into a plain ArrayBuffer: compile() refuses SharedArrayBuffer-backed views.
          await WebAssembly.compile(new Uint8Array(source.bytes))
        : await compileFromUrl(resolveUrl(source.url), signal);
    throwIfAborted(signal);
    // The module imports nothing: it needs no host functions.
    instance = await WebAssembly.instantiate(module, {});
  } catch (err) {
    if (isAbort(err, signal)) throw err instanceof AbortError ? err : new AbortError();
    if (err instanceof WorkerTaskError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw unavailable('load-failed', `could not load the wasm preprocessor: ${detail}`, err);
  }
  throwIfAborted(signal);
  return createWasmPreprocessor(asPreprocExports(instance.exports), windows);
}
