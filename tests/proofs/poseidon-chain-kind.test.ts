/**
 * The poseidon-chain task kind on the worker (its output is the reference chain, its task id is
 * required, it is advertised) and the engine's job validation of proof circuits. Fast: no proofs.
 */
import { describe, expect, test } from 'bun:test';
import { computePoseidonChain, encodePoseidonChainOutput } from '../../circuits/lib/poseidon-chain.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { TaskKind } from '../../protocol/task-kinds.ts';
import { createPreprocessor } from '../../worker/preprocess/index.ts';
import { computeTask, runsOnLoopThread, supportedKinds } from '../../worker/runtime/task-kinds.ts';
import { expectCode, harness } from '../engine/helpers.ts';

const preprocessor = await createPreprocessor({ prefer: 'js' });
const ctx = { preprocessor };

describe('poseidon-chain kind', () => {
  test('computes the reference chain from (taskId, seed), ignoring the payload', async () => {
    for (const [taskId, seed] of [
      ['task_a', 0],
      ['task_b', 7],
      ['task_b', 8],
    ] as const) {
      const task = {
        kind: TaskKind.poseidonChain,
        taskId,
        seed,
        params: {},
        payload: new Uint8Array([1, 2]),
      };
      const { output, path } = await computeTask(task, ctx);
      expect(path).toBe('cpu');
      expect(output).toEqual(encodePoseidonChainOutput(await computePoseidonChain(taskId, seed)));
    }
  });

  test('needs the task id; is advertised; runs on the loop thread', async () => {
    const task = { kind: TaskKind.poseidonChain, seed: 1, params: {}, payload: new Uint8Array() };
    const err = await computeTask(task, ctx).catch((e: { code: string }) => e);
    expect(err).toMatchObject({ code: ErrorCode.PreprocessFailed });
    expect(supportedKinds()).toContain(TaskKind.poseidonChain);
    expect(runsOnLoopThread(TaskKind.poseidonChain)).toBe(true);
    expect(runsOnLoopThread(TaskKind.matmul)).toBe(false);
  });
});

describe('job validation of proof circuits', () => {
  const tasks = [{ seed: 1, payload: new Uint8Array() }];
  test('every circuit is accepted where it applies', () => {
    const { engine } = harness();
    for (const proof of ['result_binding', 'result_batch'] as const) {
      expect(engine.createJob({ kind: TaskKind.matmul, proof, tasks }).proof).toBe(proof);
    }
    expect(engine.createJob({ kind: TaskKind.poseidonChain, proof: 'poseidon_chain', tasks }).proof).toBe(
      'poseidon_chain',
    );
  });

  test('poseidon_chain with another kind, or an unknown circuit, is BAD_REQUEST', () => {
    const { engine } = harness();
    expectCode(
      () => engine.createJob({ kind: TaskKind.matmul, proof: 'poseidon_chain', tasks }),
      ErrorCode.BadRequest,
    );
    const unknown = { kind: TaskKind.matmul, proof: 'sha256' as 'result_binding', tasks };
    expectCode(() => engine.createJob(unknown), ErrorCode.BadRequest);
  });
});
