/** Shared helpers for the engine tests: a fresh in-memory database per engine, a fake clock. */
import type { Database } from 'bun:sqlite';
import { expect } from 'bun:test';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { type EngineOptions, type TaskCounts, TaskEngine } from '../../orchestrator/engine/index.ts';
import { isShardmeshError } from '../../protocol/errors.ts';
import { correctOutput, enc, honest, wrong } from './fixtures/answers.ts';

export { correctOutput, enc, honest, wrong };

export const T0 = 1_700_000_000_000;

/** mulberry32: a small seeded PRNG so jitter is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FakeClock {
  t = T0;
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Harness {
  db: Database;
  engine: TaskEngine;
  clock: FakeClock;
}

export function harness(opts: Partial<EngineOptions> = {}): Harness {
  const db = openDatabase(':memory:');
  const clock = new FakeClock();
  const engine = new TaskEngine(db, { now: clock.now, random: seededRandom(42), ...opts });
  return { db, engine, clock };
}

export function payloads(n: number, prefix = 'payload'): { payload: Uint8Array; seed: number }[] {
  return Array.from({ length: n }, (_, i) => ({ payload: enc(`${prefix}-${i}`), seed: i }));
}

/** Task counts recomputed from the tasks table, to compare with the job row's counters. */
export function recount(db: Database, jobId: string): TaskCounts {
  const rows = db
    .query<{ state: keyof TaskCounts; n: number }, [string]>(
      'SELECT state, count(*) AS n FROM tasks WHERE job_id = ?1 GROUP BY state',
    )
    .all(jobId);
  const counts: TaskCounts = { total: 0, pending: 0, running: 0, verifying: 0, done: 0, dead: 0 };
  for (const r of rows) {
    counts[r.state] = r.n;
    counts.total += r.n;
  }
  return counts;
}

/** Assert that `fn` throws a ShardmeshError with this stable code; returns it. */
export function expectCode(fn: () => unknown, code: string): Error {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isShardmeshError(thrown)).toBe(true);
  expect((thrown as { code: string }).code).toBe(code);
  return thrown as Error;
}

/** Leases then submits honest results for `workers` until nothing is leasable. */
export function drainHonestly(engine: TaskEngine, workers: readonly string[]): number {
  let submitted = 0;
  for (let progress = true; progress; ) {
    progress = false;
    for (const w of workers) {
      for (const lease of engine.lease(w, 64)) {
        engine.submit(lease.replicaId, w, honest(lease));
        submitted++;
        progress = true;
      }
    }
  }
  return submitted;
}
