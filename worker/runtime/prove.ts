/**
 * Proving a replica's result when its job requires it (the task frame carries the circuit and a
 * nonce issued for this replica only). The prover is heavy (snarkjs, ~10 MB of keys), so a host
 * passes a lazy source and the first proof-requiring task loads it.
 *
 * result_binding and poseidon_chain prove each replica alone; result_batch replicas wait in a
 * ResultBatcher (./prove-batch.ts) and share one proof.
 */
import { bytesToBigIntBE } from '../../circuits/lib/field.ts';
import type { CircuitId } from '../../circuits/lib/params.ts';
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import type { JsonObject, TaskHeader } from '../../protocol/messages.ts';
import type { ProofBundle, Prover } from '../prover/index.ts';
import { ResultBatcher } from './prove-batch.ts';

/** Loads the prover for `circuit` (a source may ignore it and load every circuit). */
export type ProverSource = (circuit?: CircuitId) => Promise<Prover>;

/**
 * One batcher per prover source and worker id. A source is made per session (the headless
 * worker's proverSource(orchestrator)), so batches never mix sessions or orchestrators; the
 * WeakMap keeps this out of the task loop's options.
 */
const batchers = new WeakMap<ProverSource, Map<string, ResultBatcher>>();

function batcherFor(source: ProverSource, workerId: string): ResultBatcher {
  let byWorker = batchers.get(source);
  if (byWorker === undefined) {
    byWorker = new Map();
    batchers.set(source, byWorker);
  }
  let batcher = byWorker.get(workerId);
  if (batcher === undefined) {
    batcher = new ResultBatcher(workerId, () => source('result_batch'));
    byWorker.set(workerId, batcher);
  }
  return batcher;
}

const toWire = (bundle: ProofBundle): JsonObject => ({
  circuit: bundle.circuit,
  version: bundle.version,
  proof: JSON.parse(JSON.stringify(bundle.proof)) as JsonObject,
  publicSignals: bundle.publicSignals,
});

export async function proveResult(
  task: TaskHeader,
  output: Uint8Array,
  workerId: string,
  source: ProverSource | undefined,
  signal: AbortSignal,
): Promise<JsonObject | undefined> {
  const request = task.proof;
  if (request === undefined) return undefined;
  if (source === undefined) {
    throw new WorkerTaskError(ErrorCode.ProverFailed, 'this worker cannot produce proofs');
  }
  const ids = { taskId: task.taskId, seed: task.seed, workerId, nonce: request.nonce };
  switch (request.circuit) {
    case 'result_binding': {
      const prover = await source('result_binding');
      return toWire(await prover.proveResultBinding({ ...ids, output }, { signal }));
    }
    case 'poseidon_chain': {
      const prover = await source('poseidon_chain');
      const bundle = await prover.provePoseidonChain(ids, { signal });
      // The circuit recomputes the chain: an output that differs could never be proved.
      if (output.length !== 32 || bytesToBigIntBE(output) !== bundle.result) {
        throw new WorkerTaskError(ErrorCode.ProverFailed, 'the computed chain differs from the proved one');
      }
      return toWire(bundle);
    }
    case 'result_batch':
      return batcherFor(source, workerId).add(task, output, signal);
    default:
      throw new WorkerTaskError(ErrorCode.ProverFailed, `no prover for circuit '${request.circuit}'`);
  }
}
