import { describe, expect, test } from 'bun:test';
import { ErrorCode } from '../../protocol/errors.ts';
import { expectCode, harness, honest, payloads } from './helpers.ts';

const LEASE_MS = 30_000;

describe('leases', () => {
  test('a lease carries its expiry; after it the reaper expires it and another worker gets the work', () => {
    const { engine, clock } = harness({ redundancy: 1, quorum: 1 });
    engine.createJob({ kind: 'k', tasks: payloads(1) });
    const [lease] = engine.lease('w1', 1);
    if (lease === undefined) throw new Error('no lease');
    expect(lease.leaseExpiresAt).toBe(clock.t + LEASE_MS);
    expect(lease.attempt).toBe(1);
    clock.advance(LEASE_MS);
    expect(engine.reap()).toBe(0); // expires strictly after leaseExpiresAt
    clock.advance(1);
    expect(engine.reap()).toBe(1);
    expect(engine.getTask(lease.taskId)).toMatchObject({ state: 'pending', attempts: 1 });
    const [again] = engine.lease('w2', 1);
    expect(again?.taskId).toBe(lease.taskId);
    expect(again?.attempt).toBe(2);
    expect(engine.reap()).toBe(0);
  });

  test('a late result is refused with LEASE_EXPIRED, before and after the reaper ran', () => {
    const { engine, clock } = harness({ redundancy: 1, quorum: 1 });
    engine.createJob({ kind: 'k', tasks: payloads(2) });
    const [a, b] = engine.lease('w1', 2);
    if (a === undefined || b === undefined) throw new Error('no leases');
    clock.advance(LEASE_MS + 1);
    expectCode(() => engine.submit(a.replicaId, 'w1', honest(a)), ErrorCode.LeaseExpired);
    expectCode(() => engine.ack(a.replicaId, 'w1'), ErrorCode.LeaseExpired);
    expectCode(() => engine.fail(a.replicaId, 'w1', { code: 'X', message: 'late' }), ErrorCode.LeaseExpired);
    expect(engine.reap()).toBe(2);
    expectCode(() => engine.submit(b.replicaId, 'w1', honest(b)), ErrorCode.LeaseExpired);
    expect(engine.heartbeat('w1', [a.replicaId, b.replicaId])).toBe(0);
  });

  test('heartbeats extend the leases the worker holds, and only those', () => {
    const { engine, clock } = harness({ redundancy: 1, quorum: 1 });
    engine.createJob({ kind: 'k', tasks: payloads(2) });
    const [mine] = engine.lease('w1', 1);
    const [theirs] = engine.lease('w2', 1);
    if (mine === undefined || theirs === undefined) throw new Error('no leases');
    engine.ack(mine.replicaId, 'w1');
    clock.advance(LEASE_MS - 1);
    expect(engine.heartbeat('w1', [mine.replicaId, theirs.replicaId, 'rep_unknown', mine.replicaId])).toBe(1);
    clock.advance(LEASE_MS - 1);
    expect(engine.reap()).toBe(1); // w2's, never extended
    expect(engine.submit(mine.replicaId, 'w1', honest(mine))).toEqual({ replica: 'accepted', task: 'done' });
  });

  test('ack and submit check ownership and existence', () => {
    const { engine } = harness();
    engine.createJob({ kind: 'k', tasks: payloads(1) });
    const [lease] = engine.lease('w1', 1);
    if (lease === undefined) throw new Error('no lease');
    expectCode(() => engine.ack(lease.replicaId, 'w2'), ErrorCode.NotLeaseOwner);
    expectCode(() => engine.submit(lease.replicaId, 'w2', honest(lease)), ErrorCode.NotLeaseOwner);
    expectCode(() => engine.ack('rep_missing', 'w1'), ErrorCode.UnknownReplica);
    engine.ack(lease.replicaId, 'w1');
    expectCode(() => engine.ack(lease.replicaId, 'w1'), ErrorCode.IllegalTransition);
  });

  test('expired leases count as attempts: a task that every worker abandons ends dead-lettered', () => {
    const { engine, clock } = harness({ redundancy: 1, quorum: 1, maxAttempts: 3 });
    const job = engine.createJob({ kind: 'k', tasks: payloads(1) });
    for (const w of ['w1', 'w2', 'w3']) {
      expect(engine.lease(w, 1)).toHaveLength(1);
      clock.advance(LEASE_MS + 1);
      expect(engine.reap()).toBe(1);
    }
    const [entry] = engine.dlq.list();
    expect(entry).toMatchObject({ reason: 'max_attempts', attempts: 3 });
    const detail = entry === undefined ? undefined : engine.dlq.inspect(entry.taskId);
    expect(detail?.errors.map((e) => [e.workerId, e.state, e.code])).toEqual([
      ['w1', 'expired', ErrorCode.LeaseExpired],
      ['w2', 'expired', ErrorCode.LeaseExpired],
      ['w3', 'expired', ErrorCode.LeaseExpired],
    ]);
    expect(engine.getJob(job.jobId)?.state).toBe('completed');
  });

  test('leases of a previous run are released at start-up at once, costing no attempt', () => {
    const { engine } = harness({ redundancy: 2, quorum: 2, maxAttempts: 2 });
    engine.createJob({ kind: 'k', tasks: payloads(2) });
    const [x, y] = engine.lease('w1', 2);
    const [x2] = engine.lease('w2', 1);
    if (x === undefined || y === undefined || x2?.taskId !== x.taskId) throw new Error('setup');
    engine.submit(x2.replicaId, 'w2', honest(x2)); // one vote in: task x stays verifying
    expect(engine.releaseOrphanedLeases()).toBe(2);
    // Two more "restarts" with w1's work in flight: more losses than maxAttempts, no dead letter.
    for (let restart = 0; restart < 2; restart++) {
      const held = engine.lease('w1', 2).length;
      expect(held).toBe(2);
      expect(engine.releaseOrphanedLeases()).toBe(held);
    }
    expect(engine.releaseOrphanedLeases()).toBe(0);
    expect(engine.getTask(x.taskId)).toMatchObject({ state: 'verifying', attempts: 0 });
    expect(engine.getTask(y.taskId)).toMatchObject({ state: 'pending', attempts: 0 });
    // Leasable again at once (no backoff); an orphan's late result is refused with its code.
    expect(
      engine
        .lease('w3', 2)
        .map((l) => l.taskId)
        .sort(),
    ).toEqual([x.taskId, y.taskId].sort());
    expectCode(() => engine.submit(y.replicaId, 'w1', honest(y)), ErrorCode.LeaseExpired);
  });

  test('the reaper skips replicas a previous loss in the same batch already revoked', () => {
    const { engine, clock } = harness({ redundancy: 3, quorum: 2, maxAttempts: 1 });
    engine.createJob({ kind: 'k', tasks: payloads(1) });
    for (const w of ['w1', 'w2', 'w3']) engine.lease(w, 1);
    clock.advance(LEASE_MS + 1);
    expect(engine.reap()).toBe(1); // first loss kills the task; the other two are revoked with it
    expect(engine.dlq.list()).toHaveLength(1);
  });
});
