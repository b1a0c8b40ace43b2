/**
 * Worker preprocessing: deterministic chunking, f32 EMA smoothing and a synchronous SHA-256,
 * from the Rust/WASM build (wasm-preproc/) or a bit-identical pure-TS fallback.
 *
 *   const pre = await createPreprocessor({ signal });
 *   if (pre.fallback) log.warn('preprocess: using JS', pre.fallback.toJSON());
 */
export {
  type CreatePreprocessorOptions,
  createPreprocessor,
  DEFAULT_PREPROCESSOR_OPTIONS,
} from './create.ts';
export { createJsPreprocessor, type JsPreprocessorOptions } from './js-impl.ts';
export { sha256Js } from './sha256.ts';
export {
  CANONICAL_NAN_BITS,
  MAX_CHUNKS,
  MAX_PAYLOAD_LEN,
  type PreprocessImpl,
  type Preprocessor,
  type WasmPreprocessor,
} from './types.ts';
export { WASM_ABI_VERSION } from './wasm-abi.ts';
export type { WasmWindowOptions } from './wasm-impl.ts';
export {
  DEFAULT_WASM_URL,
  type LoadWasmOptions,
  loadWasmPreprocessor,
  type WasmSource,
  webAssemblyAvailable,
} from './wasm-loader.ts';
