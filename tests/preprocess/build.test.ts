/**
 * The committed wasm-preproc/shardmesh_preproc.wasm must be exactly what Debian's rustc 1.63
 * builds from the sources here. Runs whenever that toolchain is installed (CI always has it);
 * otherwise it is skipped with the reason printed. Takes ~3-10 s (a from-scratch cargo build).
 */
import { describe } from 'bun:test';
import { wasmBuildTests } from '../helpers/wasm-build.ts';

describe('wasm build', () => {
  wasmBuildTests('wasm-preproc', 'the committed .wasm');
});
