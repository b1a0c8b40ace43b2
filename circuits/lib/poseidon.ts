/**
 * Poseidon over BN254 exactly as circomlib's circuits compute it. Normally the Rust/WASM build
 * in wasm-poseidon/ (poseidon-wasm.ts: ~1 KiB of result digest in well under a millisecond);
 * circomlibjs's own build only when that cannot load (no WebAssembly, a refused module), with one
 * warning, as the preprocessor falls back to its JS twin. Built once per process, on first use;
 * both modules are imported then, so bundles that never hash (the worker page before its first
 * batch or poseidon-chain task) load neither, and circomlibjs (~3 MB) loads only on fallback.
 *
 * The WASM build holds constants for 1, 2 and 16 inputs (every width Shardmesh hashes); other
 * widths throw ProofError(ProofBadInput).
 */

export type PoseidonHash = (inputs: readonly bigint[]) => bigint;

export interface PoseidonImpl {
  impl: 'wasm' | 'circomlibjs';
  hash: PoseidonHash;
  /** Why the WASM build was not used, when impl is 'circomlibjs'. */
  fallback?: unknown;
}

let building: Promise<PoseidonImpl> | undefined;

/** circomlibjs's build: the fallback, and the reference the tests and benchmarks compare with. */
export async function buildCircomlibPoseidon(): Promise<PoseidonHash> {
  const { buildPoseidon } = await import('circomlibjs');
  const p = await buildPoseidon();
  return (inputs: readonly bigint[]) => p.F.toObject(p(inputs));
}

async function build(): Promise<PoseidonImpl> {
  try {
    const { loadPoseidonWasm } = await import('./poseidon-wasm.ts');
    return { impl: 'wasm', hash: await loadPoseidonWasm() };
  } catch (err) {
    console.warn('poseidon: WASM build unavailable, using circomlibjs', err);
    return { impl: 'circomlibjs', hash: await buildCircomlibPoseidon(), fallback: err };
  }
}

/** Which implementation this process uses (for logs, tests and benchmarks). */
export function getPoseidonImpl(): Promise<PoseidonImpl> {
  building ??= build();
  return building;
}

export async function getPoseidon(): Promise<PoseidonHash> {
  return (await getPoseidonImpl()).hash;
}
