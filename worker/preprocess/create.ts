/**
 * Picks the preprocessing implementation: WASM when it loads, otherwise the bit-identical
 * pure-TS fallback, with the reason attached as `preprocessor.fallback` for logging.
 */
import { AbortError, ErrorCode, throwIfAborted, WorkerTaskError } from '../../protocol/errors.ts';
import { createJsPreprocessor } from './js-impl.ts';
import type { PreprocessImpl, Preprocessor } from './types.ts';
import { type LoadWasmOptions, loadWasmPreprocessor, type WasmSource } from './wasm-loader.ts';

export interface CreatePreprocessorOptions extends LoadWasmOptions {
  /** 'wasm' (default) tries WASM then falls back; 'js' skips WASM entirely. */
  prefer?: PreprocessImpl;
  /** Where the WASM module comes from (default: the committed build, see DEFAULT_WASM_URL). */
  source?: WasmSource;
}

export const DEFAULT_PREPROCESSOR_OPTIONS = { prefer: 'wasm' } as const satisfies CreatePreprocessorOptions;

export async function createPreprocessor(opts: CreatePreprocessorOptions = {}): Promise<Preprocessor> {
  const { prefer, source, ...loadOpts } = { ...DEFAULT_PREPROCESSOR_OPTIONS, ...opts };
  throwIfAborted(loadOpts.signal);
  if (prefer === 'js') return createJsPreprocessor();
  try {
    return await loadWasmPreprocessor(source, loadOpts);
  } catch (err) {
    if (err instanceof AbortError) throw err;
    // A caller's mistake (e.g. a bad window option) is not a reason to fall back silently.
    if (err instanceof WorkerTaskError && err.code !== ErrorCode.WasmUnavailable) throw err;
    const fallback =
      err instanceof WorkerTaskError && err.code === ErrorCode.WasmUnavailable
        ? err
        : new WorkerTaskError(
            ErrorCode.WasmUnavailable,
            `wasm preprocessor unusable: ${err instanceof Error ? err.message : String(err)}`,
            { reason: 'load-failed' },
            { cause: err },
          );
    return createJsPreprocessor({ fallback });
  }
}
