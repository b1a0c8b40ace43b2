/**
 * Poseidon over BN254 exactly as circomlib's circuits compute it (circomlibjs's wasm build, which
 * runs single-threaded and needs no worker fix). Built once per process, on first use.
 */
import { buildPoseidon } from 'circomlibjs';

export type PoseidonHash = (inputs: readonly bigint[]) => bigint;

let building: Promise<PoseidonHash> | undefined;

export function getPoseidon(): Promise<PoseidonHash> {
  building ??= buildPoseidon().then((p) => (inputs: readonly bigint[]) => p.F.toObject(p(inputs)));
  return building;
}
