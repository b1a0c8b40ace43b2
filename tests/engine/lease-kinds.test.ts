/**
 * Routing by kind: a lease offers a worker only the task kinds it says it runs, walks past the
 * others without taking them out of the queue, and keeps priority order among what it may take.
 */
import { describe, expect, test } from 'bun:test';
import { ErrorCode } from '../../protocol/errors.ts';
import { TaskKind } from '../../protocol/task-kinds.ts';
import { expectCode, harness, honest, payloads } from './helpers.ts';

const CPU_KINDS = [TaskKind.matmul, TaskKind.hashReduce];

describe('lease by kind', () => {
  test('a worker without a GPU gets no custom-wgsl task; one that runs it gets them all', () => {
    const { engine } = harness({ redundancy: 1, quorum: 1 });
    // The GPU-only job comes first and has the higher priority: it is stepped over, not skipped.
    const wgsl = engine.createJob({ kind: TaskKind.customWgsl, priority: 5, tasks: payloads(3, 'w') });
    const matmul = engine.createJob({ kind: TaskKind.matmul, tasks: payloads(4, 'm') });

    const cpu = engine.lease('cpu-worker', 10, { kinds: CPU_KINDS });
    expect(cpu.map((l) => l.kind)).toEqual(Array(4).fill(TaskKind.matmul));
    expect(cpu.map((l) => l.index)).toEqual([0, 1, 2, 3]); // FIFO within the job
    expect(engine.lease('cpu-worker', 10, { kinds: CPU_KINDS })).toEqual([]);
    expect(engine.getJob(wgsl.jobId)?.counts.pending).toBe(3);

    const gpu = engine.lease('gpu-worker', 10, { kinds: [...CPU_KINDS, TaskKind.customWgsl] });
    expect(gpu.map((l) => l.jobId)).toEqual(Array(3).fill(wgsl.jobId));
    for (const l of [...cpu, ...gpu]) {
      engine.submit(l.replicaId, l.jobId === matmul.jobId ? 'cpu-worker' : 'gpu-worker', honest(l));
    }
    expect(engine.getJob(wgsl.jobId)?.state).toBe('completed');
    expect(engine.getJob(matmul.jobId)?.state).toBe('completed');
  });

  test('priority order holds among the kinds a worker may take; no kinds means nothing, none given means any', () => {
    const { engine } = harness({ redundancy: 1, quorum: 1 });
    const low = engine.createJob({ kind: TaskKind.matmul, priority: 0, tasks: payloads(2, 'l') });
    const high = engine.createJob({ kind: TaskKind.hashReduce, priority: 9, tasks: payloads(2, 'h') });
    engine.createJob({ kind: TaskKind.customWgsl, priority: 20, tasks: payloads(1, 'g') });
    expect(engine.lease('w1', 10, { kinds: [] })).toEqual([]);
    const leased = engine.lease('w1', 3, { kinds: CPU_KINDS });
    expect(leased.map((l) => l.jobId)).toEqual([high.jobId, high.jobId, low.jobId]);
    const rest = engine.lease('w2', 10);
    expect(rest.map((l) => l.kind)).toEqual([TaskKind.customWgsl, TaskKind.matmul]);
  });

  test('kinds must be an array of strings', () => {
    const { engine } = harness({ redundancy: 1, quorum: 1 });
    engine.createJob({ kind: TaskKind.matmul, tasks: payloads(1) });
    expectCode(() => engine.lease('w1', 1, { kinds: 'matmul-f32' as never }), ErrorCode.BadRequest);
    expectCode(() => engine.lease('w1', 1, { kinds: [1] as never }), ErrorCode.BadRequest);
  });
});
