import { describe, expect, test } from 'bun:test';
import { BoundedSet } from '../../orchestrator/dispatch/bounded-set.ts';

describe('BoundedSet', () => {
  test('keeps at most `limit` members, forgetting the oldest first', () => {
    const set = new BoundedSet<string>(2);
    set.add('a');
    set.add('b');
    set.add('c');
    expect(set.size).toBe(2);
    expect(set.delete('a')).toBe(false);
    expect(set.delete('b')).toBe(true);
    expect(set.delete('c')).toBe(true);
    expect(set.size).toBe(0);
  });

  test('re-adding a member does not grow it', () => {
    const set = new BoundedSet<number>(3);
    for (const n of [1, 1, 2, 2]) set.add(n);
    expect(set.size).toBe(2);
  });
});
