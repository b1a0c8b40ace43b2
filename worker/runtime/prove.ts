/**
 * Proving a replica's result when its job requires it (the task frame carries the circuit and a
 * nonce issued for this replica only). The prover is heavy (snarkjs, ~10 MB of keys), so a host
 * passes a lazy source and the first proof-requiring task loads it.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import type { JsonObject, TaskHeader } from '../../protocol/messages.ts';
import type { Prover } from '../prover/index.ts';

export type ProverSource = () => Promise<Prover>;

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
  if (request.circuit !== 'result_binding') {
    throw new WorkerTaskError(ErrorCode.ProverFailed, `no prover for circuit '${request.circuit}'`);
  }
  const prover = await source();
  const bundle = await prover.proveResultBinding(
    { taskId: task.taskId, seed: task.seed, output, workerId, nonce: request.nonce },
    { signal },
  );
  return {
    circuit: bundle.circuit,
    version: bundle.version,
    proof: JSON.parse(JSON.stringify(bundle.proof)) as JsonObject,
    publicSignals: bundle.publicSignals,
  };
}
