/**
 * What the orchestrator expects each public signal of a proof to be, computed from its own
 * records (task id, seed, the digest the worker claimed, the worker it leased to, the nonce it
 * issued), in the circuit's signal order. Pure.
 */
import { batchRoot } from '../../circuits/lib/batch.ts';
import {
  nonceToField,
  seedToField,
  taskIdToField,
  toFieldElement,
  workerIdToField,
} from '../../circuits/lib/field.ts';
import type { CircuitId } from '../../circuits/lib/params.ts';

interface Identity {
  workerId: string;
  nonce: string;
}

export interface ResultBindingExpected extends Identity {
  taskId: string;
  seed: number | bigint;
  outputLen: number;
  /** Decimal string or bigint, as resultDigestOf / the prover returned it. */
  resultDigest: bigint | string;
}

export interface PoseidonChainExpected extends Identity {
  taskId: string;
  seed: number | bigint;
  /** The chain result the worker claims (its 32-byte output read as a field element). */
  resultDigest: bigint | string;
}

export interface BatchExpected extends Identity {
  /** batchLeafDigest(taskId, output) of each task, from the orchestrator's records, in leaf order. */
  leafDigests: ReadonlyArray<bigint | string>;
}

export interface ExpectedByCircuit {
  result_binding: ResultBindingExpected;
  poseidon_chain: PoseidonChainExpected;
  result_batch: BatchExpected;
}

/** One expected public signal: `field` is the name reported in ProofMismatch details. */
export interface ExpectedSignal {
  field: string;
  value: bigint;
}

function identity(e: Identity): ExpectedSignal[] {
  return [
    { field: 'workerId', value: workerIdToField(e.workerId) },
    { field: 'nonce', value: nonceToField(e.nonce) },
  ];
}

export async function expectedSignals<Circuit extends CircuitId>(
  circuit: Circuit,
  expected: ExpectedByCircuit[Circuit],
): Promise<ExpectedSignal[]> {
  switch (circuit) {
    case 'result_binding': {
      const e = expected as ResultBindingExpected;
      return [
        { field: 'taskId', value: taskIdToField(e.taskId) },
        { field: 'seed', value: seedToField(e.seed) },
        { field: 'outputLen', value: BigInt(e.outputLen) },
        { field: 'resultDigest', value: toFieldElement(e.resultDigest, 'resultDigest') },
        ...identity(e),
      ];
    }
    case 'poseidon_chain': {
      const e = expected as PoseidonChainExpected;
      return [
        { field: 'taskId', value: taskIdToField(e.taskId) },
        { field: 'seed', value: seedToField(e.seed) },
        { field: 'resultDigest', value: toFieldElement(e.resultDigest, 'resultDigest') },
        ...identity(e),
      ];
    }
    default: {
      const e = expected as BatchExpected;
      const leaves = e.leafDigests.map((d) => toFieldElement(d, 'leafDigest'));
      // The root covers every leaf: any task or output that differs shows up as a root mismatch
      // (the proof does not say which leaf).
      return [{ field: 'root', value: await batchRoot(leaves) }, ...identity(e)];
    }
  }
}
