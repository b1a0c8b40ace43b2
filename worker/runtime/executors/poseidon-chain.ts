/**
 * The `poseidon-chain` task kind: a field-native computation that the poseidon_chain circuit redoes
 * inside its proof, so a job with `proof: 'poseidon_chain'` gets results whose proofs attest the
 * computation itself (docs/proofs.md). Input comes from the task's id and seed only (the payload
 * is ignored); the output is the chain's last value, 32 bytes big-endian. ~17 Poseidon hashes:
 * well under a millisecond, so it needs no GPU path.
 */
import { ErrorCode, throwIfAborted, WorkerTaskError } from '../../../protocol/errors.ts';
import { TaskKind } from '../../../protocol/task-kinds.ts';
import type { TaskHandler } from '../task-kinds.ts';

/** POSEIDON_CHAIN_TASK_KIND, not imported from there, so Poseidon (circomlibjs) loads lazily. */
export const poseidonChainKind = TaskKind.poseidonChain;

export const poseidonChainHandler: TaskHandler = async (task, ctx) => {
  throwIfAborted(ctx.signal);
  if (task.taskId === undefined) {
    throw new WorkerTaskError(ErrorCode.PreprocessFailed, 'poseidon-chain tasks need their task id', {
      field: 'taskId',
    });
  }
  // Loaded on the first such task: workers that never see one never load circomlibjs.
  const { computePoseidonChain, encodePoseidonChainOutput } = await import(
    '../../../circuits/lib/poseidon-chain.ts'
  );
  const result = await computePoseidonChain(task.taskId, task.seed);
  return { output: encodePoseidonChainOutput(result), path: 'cpu' };
};
