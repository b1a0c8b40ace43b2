import { expect, test } from 'bun:test';
import { isTaskKind, TASK_KINDS, TaskKind } from '../../protocol/task-kinds.ts';
import { ID_PATTERN } from '../../protocol/validate-header.ts';

test('known kinds are recognised, anything else is not', () => {
  expect(TaskKind.matmul).toBe('matmul-f32');
  expect(TASK_KINDS).toEqual([
    'matmul-f32',
    'montecarlo-u32',
    'similarity-topk',
    'hash-reduce-u32',
    'custom-wgsl',
    'poseidon-chain',
  ]);
  expect(isTaskKind('matmul-f32')).toBe(true);
  for (const other of ['matmul', 'MATMUL-F32', '', 1, null, undefined, 'toString'])
    expect(isTaskKind(other)).toBe(false);
});

test('every known kind fits the wire pattern for kind strings', () => {
  for (const kind of TASK_KINDS) expect(ID_PATTERN.test(kind)).toBe(true);
});
