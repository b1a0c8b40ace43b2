import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import {
  backoffCeiling,
  backoffDelay,
  decideRetry,
  ENGINE_DEFAULTS,
} from '../../orchestrator/engine/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { drainHonestly, expectCode, harness, payloads, wrong } from './helpers.ts';

const B = ENGINE_DEFAULTS.backoff;

describe('retry policy', () => {
  test('the ceiling doubles from 1 s and caps at 5 min', () => {
    expect([1, 2, 3, 4].map((n) => backoffCeiling(n, B))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffCeiling(9, B)).toBe(256_000);
    expect(backoffCeiling(10, B)).toBe(300_000);
    expect(backoffCeiling(10_000, B)).toBe(300_000);
  });

  test('full jitter stays in [0, ceiling) for any random value and attempt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const d = backoffDelay(n, B, () => r);
        return Number.isInteger(d) && d >= 0 && d < backoffCeiling(n, B);
      }),
    );
  });

  test('retry until maxAttempts, then dead; expired leases retry at once', () => {
    const r = () => 0.5;
    expect(decideRetry({ attempts: 1, maxAttempts: 5, cause: 'failed', now: 100 }, B, r)).toEqual({
      retry: true,
      notBefore: 600,
    });
    expect(decideRetry({ attempts: 3, maxAttempts: 5, cause: 'failed', now: 100 }, B, r)).toEqual({
      retry: true,
      notBefore: 2_100,
    });
    expect(decideRetry({ attempts: 4, maxAttempts: 5, cause: 'expired', now: 100 }, B, r)).toEqual({
      retry: true,
      notBefore: 100,
    });
    expect(decideRetry({ attempts: 5, maxAttempts: 5, cause: 'failed', now: 100 }, B, r)).toEqual({
      retry: false,
    });
  });
});

describe('worker-reported failures', () => {
  test('each failure backs off longer (random fixed near 1), the task is not leasable before not_before', () => {
    const { engine, clock } = harness({ redundancy: 1, quorum: 1, maxAttempts: 4, random: () => 0.999 });
    engine.createJob({ kind: 'k', tasks: payloads(1) });
    const delays: number[] = [];
    for (const w of ['w1', 'w2', 'w3']) {
      const [lease] = engine.lease(w, 1);
      if (lease === undefined) throw new Error(`no lease for ${w}`);
      const out = engine.fail(lease.replicaId, w, { code: 'KERNEL_FAILED', message: `${w} broke` });
      expect(out.retry).toBe(true);
      expect(out.task).toBe('pending');
      const delay = (out.notBefore ?? 0) - clock.t;
      delays.push(delay);
      expect(engine.getTask(lease.taskId)?.notBefore).toBe(out.notBefore as number);
      clock.advance(delay - 1);
      expect(engine.lease('other', 1)).toHaveLength(0);
      clock.advance(1);
    }
    expect(delays).toEqual([999, 1_998, 3_996]);
  });

  test('after maxAttempts the task is dead-lettered with its error history, in the same call', () => {
    const { engine, clock } = harness({ redundancy: 1, quorum: 1, maxAttempts: 2 });
    const job = engine.createJob({ kind: 'k', tasks: payloads(1) });
    const [a] = engine.lease('w1', 1);
    if (a === undefined) throw new Error('no lease');
    expect(engine.fail(a.replicaId, 'w1', { code: 'KERNEL_FAILED', message: 'first' }).retry).toBe(true);
    clock.advance(10_000);
    const [b] = engine.lease('w2', 1);
    if (b === undefined) throw new Error('no lease');
    expect(engine.fail(b.replicaId, 'w2', { code: 'PREPROCESS_FAILED', message: 'second' })).toEqual({
      retry: false,
      task: 'dead',
    });
    const detail = engine.dlq.inspect(a.taskId);
    expect(detail).toMatchObject({ reason: 'max_attempts', attempts: 2, jobId: job.jobId });
    expect(detail?.errors.map((e) => [e.workerId, e.state, e.code, e.message])).toEqual([
      ['w1', 'failed', 'KERNEL_FAILED', 'first'],
      ['w2', 'failed', 'PREPROCESS_FAILED', 'second'],
    ]);
    expectCode(
      () => engine.fail(b.replicaId, 'w2', { code: 'X', message: 'again' }),
      ErrorCode.IllegalTransition,
    );
    expectCode(() => engine.fail(b.replicaId, 'w2', { code: '', message: '' }), ErrorCode.BadRequest);
  });
});

describe('dead-letter queue', () => {
  /** A job whose first `dead` tasks (all by default) die of no_quorum: each worker answers differently. */
  function deadJob(h: ReturnType<typeof harness>, n: number, dead = n) {
    const job = h.engine.createJob({
      kind: 'k',
      tasks: payloads(n, crypto.randomUUID()),
      redundancy: 2,
      quorum: 2,
      maxReplicas: 2,
    });
    for (const w of ['x1', 'x2'])
      for (const l of h.engine.lease(w, dead)) h.engine.submit(l.replicaId, w, wrong(l, w));
    return job;
  }

  test('list, inspect, requeue one: a new round that earlier workers may take again, the job reopens', () => {
    const h = harness();
    const requeued: number[] = [];
    h.engine.on('task:requeued', (d) => requeued.push(d.index));
    const job = deadJob(h, 2);
    expect(h.engine.getJob(job.jobId)?.state).toBe('completed');
    const list = h.engine.dlq.list({ jobId: job.jobId });
    expect(list.map((d) => [d.index, d.reason])).toEqual([
      [0, 'no_quorum'],
      [1, 'no_quorum'],
    ]);
    const first = list[0]?.taskId ?? '';
    h.engine.dlq.requeue(first);
    expect(h.engine.getTask(first)).toMatchObject({
      state: 'pending',
      round: 2,
      attempts: 0,
      deadReason: null,
    });
    expect(h.engine.getJob(job.jobId)?.state).toBe('active');
    expect(h.engine.dlq.list()).toHaveLength(1);
    expectCode(() => h.engine.dlq.requeue(first), ErrorCode.NotFound);
    drainHonestly(h.engine, ['x1', 'x2']);
    expect(h.engine.getJob(job.jobId)).toMatchObject({ state: 'completed', counts: { done: 1, dead: 1 } });
    expect(requeued).toEqual([0]);
  });

  test('requeue all (optionally per job) skips cancelled jobs; purge forgets entries, tasks stay dead', () => {
    const h = harness();
    const a = deadJob(h, 2);
    h.clock.advance(1_000);
    const b = deadJob(h, 3);
    const c = deadJob(h, 2, 1); // one task still pending: the job can be cancelled
    h.engine.cancelJob(c.jobId);
    expect(h.engine.dlq.list()).toHaveLength(6);
    expectCode(
      () => h.engine.dlq.requeue(h.engine.dlq.list({ jobId: c.jobId })[0]?.taskId ?? ''),
      ErrorCode.Conflict,
    );
    expect(h.engine.dlq.requeueAll({ jobId: a.jobId })).toBe(2);
    expect(h.engine.getJob(a.jobId)?.counts.pending).toBe(2);
    expect(h.engine.dlq.purge({ before: h.clock.t })).toBe(0); // b and c died at the current time
    expect(h.engine.dlq.purge({ jobId: b.jobId, reason: 'no_quorum' })).toBe(3);
    expect(h.engine.getJob(b.jobId)?.counts.dead).toBe(3);
    expect(h.engine.dlq.requeueAll()).toBe(0); // only c's entry is left, and c is cancelled
    expect(h.engine.dlq.purge()).toBe(1);
    expect(h.engine.dlq.list()).toHaveLength(0);
    expectCode(() => h.engine.dlq.list({ reason: 'cancelled' as never }), ErrorCode.BadRequest);
  });
});
