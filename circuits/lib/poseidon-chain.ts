/**
 * The `poseidon-chain` task kind: a field-native computation the poseidon_chain circuit redoes
 * inside the proof. x0 = P(taskIdField, seed); xi = P(x(i-1)) for i = 1..POSEIDON_CHAIN_LENGTH.
 * A worker runs computePoseidonChain and returns encodePoseidonChainOutput(result) as its output.
 */
import { fieldToBytes32, seedToField, taskIdToField } from './field.ts';
import { POSEIDON_CHAIN_LENGTH } from './params.ts';
import { getPoseidon } from './poseidon.ts';

export const POSEIDON_CHAIN_TASK_KIND = 'poseidon-chain';
/** The output of a poseidon-chain task is one field element, 32 bytes big-endian. */
export const POSEIDON_CHAIN_OUTPUT_LEN = 32;

/** Computes the chain from field elements (what the circuit sees). */
export async function poseidonChainFromFields(taskIdField: bigint, seedField: bigint): Promise<bigint> {
  const poseidon = await getPoseidon();
  let x = poseidon([taskIdField, seedField]);
  for (let i = 0; i < POSEIDON_CHAIN_LENGTH; i++) x = poseidon([x]);
  return x;
}

/** The reference implementation of the task kind, from the task's own id and seed. */
export function computePoseidonChain(taskId: string, seed: number | bigint): Promise<bigint> {
  return poseidonChainFromFields(taskIdToField(taskId), seedToField(seed));
}

export const encodePoseidonChainOutput = (result: bigint): Uint8Array => fieldToBytes32(result);
