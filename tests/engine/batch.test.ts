import { describe, expect, test } from 'bun:test';
import { ErrorCode } from '../../protocol/errors.ts';
import { expectCode, harness, honest, payloads } from './helpers.ts';

describe('batch (group commit)', () => {
  test('calls share one transaction; a refused call undoes only itself; events come after the commit', () => {
    const { engine, db } = harness({ redundancy: 1, quorum: 1 });
    const job = engine.createJob({ kind: 'k', tasks: payloads(3) });
    const leases = engine.lease('w1', 3);
    const seen: string[] = [];
    engine.on('task:done', (d) => seen.push(`done:${d.index}:${db.inTransaction}`));
    const refused: string[] = [];
    engine.batch(() => {
      for (const lease of leases) {
        try {
          // The second one is submitted by the wrong worker: refused, the batch goes on.
          engine.submit(lease.replicaId, lease.index === 1 ? 'intruder' : 'w1', honest(lease));
        } catch (err) {
          refused.push((err as { code: string }).code);
        }
      }
      expect(seen).toEqual([]); // nothing delivered before the commit
    });
    expect(refused).toEqual([ErrorCode.NotLeaseOwner]);
    expect(seen).toEqual(['done:0:false', 'done:2:false']);
    expect(engine.getJob(job.jobId)?.counts).toMatchObject({ done: 2, running: 1 });
  });

  test('an error escaping the batch rolls every call back and delivers no event', () => {
    const { engine } = harness({ redundancy: 1, quorum: 1 });
    const job = engine.createJob({ kind: 'k', tasks: payloads(2) });
    const leases = engine.lease('w1', 2);
    let events = 0;
    engine.on('task:done', () => events++);
    expect(() =>
      engine.batch(() => {
        for (const lease of leases) engine.submit(lease.replicaId, 'w1', honest(lease));
        throw new Error('dispatcher crashed mid-batch');
      }),
    ).toThrow('dispatcher crashed mid-batch');
    expect(events).toBe(0);
    expect(engine.getJob(job.jobId)?.counts).toMatchObject({ done: 0, running: 2 });
    // Nested batches join the outer one; an async function is refused.
    const [a, b] = leases;
    if (a === undefined || b === undefined) throw new Error('no leases');
    engine.batch(() => engine.batch(() => engine.submit(a.replicaId, 'w1', honest(a))));
    expect(engine.getJob(job.jobId)?.counts.done).toBe(1);
    expectCode(
      () => engine.batch(async () => engine.submit(b.replicaId, 'w1', honest(b))),
      ErrorCode.Internal,
    );
    expect(engine.getJob(job.jobId)?.counts.done).toBe(1);
  });

  test('a throwing listener is reported and does not stop the others or undo the commit', () => {
    const errors: unknown[] = [];
    const { engine } = harness({ redundancy: 1, quorum: 1, onListenerError: (e) => errors.push(e) });
    const job = engine.createJob({ kind: 'k', tasks: payloads(1) });
    let second = 0;
    const off = engine.on('task:done', () => {
      throw new Error('listener bug');
    });
    engine.on('task:done', () => second++);
    const [lease] = engine.lease('w1', 1);
    if (lease === undefined) throw new Error('no lease');
    expect(engine.submit(lease.replicaId, 'w1', honest(lease)).task).toBe('done');
    expect([errors.length, second]).toEqual([1, 1]);
    expect(engine.getJob(job.jobId)?.state).toBe('completed');
    off();
  });
});
