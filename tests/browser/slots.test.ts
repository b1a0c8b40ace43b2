/** Task slots of the worker page: never beyond the CPU limit's share of the cores, never zero. */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { taskSlots } from '../../worker/browser/slots.ts';

describe('taskSlots', () => {
  test('one slot per core at 100%, fewer at lower limits, at least one', () => {
    expect(taskSlots(1, 8)).toBe(8);
    expect(taskSlots(0.5, 8)).toBe(4);
    expect(taskSlots(0.5, 2)).toBe(1);
    expect(taskSlots(0.1, 2)).toBe(1);
    expect(taskSlots(1, 8, 3)).toBe(3);
    expect(taskSlots(Number.NaN, 4)).toBe(1);
    expect(taskSlots(1, 0)).toBe(1);
  });

  test('slots x limit never exceeds cores x limit (each slot is duty-cycled to the limit)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 256 }),
        (limit, cores) => {
          const n = taskSlots(limit, cores);
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(cores);
          // The one-slot minimum uses `limit` of one core, which is <= cores * limit.
          expect(n * limit).toBeLessThanOrEqual(cores * limit + 1e-9);
          expect(n).toBe(Math.max(1, Math.floor(cores * limit)));
        },
      ),
    );
  });
});
