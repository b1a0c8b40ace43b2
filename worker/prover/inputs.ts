/**
 * Turns prover API inputs (string ids, bytes) into circuit inputs (field elements), and returns
 * the public values the caller will send along with the proof. Pure: runs on the caller's thread
 * (hashing is cheap next to proving) so the thread only sees ready circuit inputs.
 */
import { batchLeafDigest, batchRoot, padBatch } from '../../circuits/lib/batch.ts';
import { commitOutput } from '../../circuits/lib/digest.ts';
import { ProofError } from '../../circuits/lib/errors.ts';
import { nonceToField, seedToField, taskIdToField, workerIdToField } from '../../circuits/lib/field.ts';
import { BATCH_SIZE, CircuitId as C, type CircuitId } from '../../circuits/lib/params.ts';
import { poseidonChainFromFields } from '../../circuits/lib/poseidon-chain.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ProofBundle, Prover } from './prover.ts';

/** Circuit input signals by name (bigints, or arrays of them). */
export type CircuitInput = Record<string, bigint | bigint[]>;

export interface BoundIdentity {
  /** The worker's id as the orchestrator knows it (mapped with workerIdToField). */
  workerId: string;
  /** The nonce the orchestrator issued for this replica or batch (mapped with nonceToField). */
  nonce: string;
}

export interface ResultBindingRequest extends BoundIdentity {
  taskId: string;
  seed: number | bigint;
  output: Uint8Array;
}

export interface PoseidonChainRequest extends BoundIdentity {
  taskId: string;
  seed: number | bigint;
}

export interface BatchRequest extends BoundIdentity {
  items: ReadonlyArray<{ taskId: string; output: Uint8Array }>;
}

function identity(req: BoundIdentity): { workerId: bigint; nonce: bigint } {
  if (typeof req.workerId !== 'string' || req.workerId.length === 0) {
    throw new ProofError(ErrorCode.ProofBadInput, 'workerId must be a non-empty string', {
      field: 'workerId',
    });
  }
  if (typeof req.nonce !== 'string' || req.nonce.length === 0) {
    throw new ProofError(ErrorCode.ProofBadInput, 'nonce must be a non-empty string', { field: 'nonce' });
  }
  return { workerId: workerIdToField(req.workerId), nonce: nonceToField(req.nonce) };
}

export async function resultBindingInput(
  req: ResultBindingRequest,
): Promise<{ input: CircuitInput; resultDigest: bigint; outputLen: number }> {
  const commitment = await commitOutput(req.output);
  const input: CircuitInput = {
    taskId: taskIdToField(req.taskId),
    seed: seedToField(req.seed),
    outputLen: BigInt(commitment.outputLen),
    resultDigest: commitment.digest,
    ...identity(req),
    limbs: commitment.limbs,
  };
  return { input, resultDigest: commitment.digest, outputLen: commitment.outputLen };
}

export async function poseidonChainInput(
  req: PoseidonChainRequest,
): Promise<{ input: CircuitInput; result: bigint }> {
  const taskId = taskIdToField(req.taskId);
  const seed = seedToField(req.seed);
  const result = await poseidonChainFromFields(taskId, seed);
  return { input: { taskId, seed, result, ...identity(req) }, result };
}

export async function batchInput(
  req: BatchRequest,
): Promise<{ input: CircuitInput; root: bigint; leafDigests: bigint[] }> {
  if (req.items.length === 0 || req.items.length > BATCH_SIZE) {
    throw new ProofError(ErrorCode.ProofBadInput, `a batch holds 1..${BATCH_SIZE} tasks`, { field: 'items' });
  }
  const leafDigests = req.items.map((item) => batchLeafDigest(item.taskId, item.output));
  const root = await batchRoot(leafDigests);
  return { input: { root, ...identity(req), leaves: padBatch(leafDigests) }, root, leafDigests };
}

/** Runs one proof of `circuit` on `input` (queued behind the others) and returns its bundle. */
export type ProofQueue = <T>(circuit: CircuitId, input: CircuitInput, signal?: AbortSignal) => Promise<T>;

/**
 * The Prover's prove* methods over a queue: witness inputs prepared here (the same for every
 * host), the proving itself wherever the host runs it (a Bun Worker, a browser Web Worker).
 */
export function proveMethods(
  enqueue: ProofQueue,
): Pick<Prover, 'proveResultBinding' | 'provePoseidonChain' | 'proveBatch'> {
  return {
    async proveResultBinding(req, o = {}) {
      const prepared = await resultBindingInput(req);
      const bundle = await enqueue<ProofBundle<'result_binding'>>(C.ResultBinding, prepared.input, o.signal);
      return { ...bundle, resultDigest: prepared.resultDigest, outputLen: prepared.outputLen };
    },
    async provePoseidonChain(req, o = {}) {
      const prepared = await poseidonChainInput(req);
      const bundle = await enqueue<ProofBundle<'poseidon_chain'>>(C.PoseidonChain, prepared.input, o.signal);
      return { ...bundle, result: prepared.result };
    },
    async proveBatch(req, o = {}) {
      const prepared = await batchInput(req);
      const bundle = await enqueue<ProofBundle<'result_batch'>>(C.ResultBatch, prepared.input, o.signal);
      return { ...bundle, root: prepared.root, leafDigests: prepared.leafDigests };
    },
  };
}
