import { describe, expect, test } from 'bun:test';
import { type EngineEvent, sha256Hex } from '../../orchestrator/engine/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { drainHonestly, enc, expectCode, harness, honest, payloads, recount } from './helpers.ts';

describe('createJob', () => {
  test('creates the job and its tasks with documented defaults (R=2, Q=2, maxReplicas=R+2, maxAttempts=5)', () => {
    const { engine, db } = harness();
    const job = engine.createJob({ kind: 'matmul', tasks: payloads(3) });
    expect(job).toMatchObject({
      created: true,
      state: 'active',
      redundancy: 2,
      quorum: 2,
      maxReplicas: 4,
      maxAttempts: 5,
    });
    expect(job.counts).toEqual({ total: 3, pending: 3, running: 0, verifying: 0, done: 0, dead: 0 });
    expect(job.jobId).toMatch(/^job_[A-Za-z0-9_.:-]+$/);
    expect(recount(db, job.jobId)).toEqual(job.counts);
    expect(engine.getJob(job.jobId)).toEqual({ ...job, created: undefined } as never);
  });

  test('task ids are unique and sort in task order within a job (neighbouring index keys)', () => {
    const { engine, db } = harness();
    const ids = (jobId: string) =>
      db
        .query<{ id: string }, [string]>('SELECT id FROM tasks WHERE job_id = ?1 ORDER BY idx')
        .all(jobId)
        .map((r) => r.id);
    const a = ids(engine.createJob({ kind: 'matmul', tasks: payloads(40) }).jobId);
    const b = ids(engine.createJob({ kind: 'matmul', tasks: payloads(40) }).jobId);
    expect(a).toHaveLength(40);
    expect([...a].sort()).toEqual(a);
    expect(new Set([...a, ...b]).size).toBe(80);
    for (const id of [...a, ...b]) expect(id).toMatch(/^task_[A-Za-z0-9_.:-]+$/);
  });

  test('the same idempotency key returns the same job and creates nothing more', () => {
    const { engine, db } = harness();
    const input = { kind: 'k', tasks: payloads(4), idempotencyKey: 'req-1' };
    const a = engine.createJob(input);
    const b = engine.createJob(input);
    expect(b.jobId).toBe(a.jobId);
    expect([a.created, b.created]).toEqual([true, false]);
    expect(db.query<{ n: number }, []>('SELECT count(*) AS n FROM tasks').get()?.n).toBe(4);
    expect(engine.listJobs()).toHaveLength(1);
  });

  test('reusing an idempotency key for a different request is a Conflict', () => {
    const { engine } = harness();
    engine.createJob({ kind: 'k', tasks: payloads(2), idempotencyKey: 'req-1' });
    const err = expectCode(
      () => engine.createJob({ kind: 'k', tasks: payloads(3), idempotencyKey: 'req-1' }),
      ErrorCode.Conflict,
    );
    expect((err as unknown as { details: { field: string } }).details.field).toBe('idempotencyKey');
  });

  test('identical payloads are stored once; tasks may reference an uploaded blob', () => {
    const { engine, db } = harness();
    const same = enc('same bytes');
    const sha = engine.putBlob(enc('uploaded first'));
    engine.createJob({
      kind: 'k',
      tasks: [
        { payload: same, seed: 1 },
        { payload: same, seed: 2 },
        { payloadSha256: sha, seed: 3 },
      ],
    });
    expect(db.query<{ n: number }, []>('SELECT count(*) AS n FROM blobs').get()?.n).toBe(2);
    const leases = engine.lease('w1', 10);
    expect(leases.map((l) => new TextDecoder().decode(l.payload)).sort()).toEqual([
      'same bytes',
      'same bytes',
      'uploaded first',
    ]);
    expectCode(
      () =>
        engine.createJob({
          kind: 'k',
          tasks: [{ payloadSha256: sha256Hex(enc('never uploaded')), seed: 1 }],
        }),
      ErrorCode.NotFound,
    );
    expectCode(() => engine.putBlob(enc('x'), sha256Hex(enc('y'))), ErrorCode.DigestMismatch);
  });

  test('bad input is refused with BAD_REQUEST naming the field, and nothing is written', () => {
    const { engine } = harness();
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: '', tasks: payloads(1) }, 'kind'],
      [{ kind: 'k', tasks: [] }, 'tasks'],
      [{ kind: 'k', tasks: payloads(1), quorum: 3, redundancy: 2 }, 'quorum'],
      [{ kind: 'k', tasks: payloads(1), redundancy: 3, maxReplicas: 2 }, 'maxReplicas'],
      [{ kind: 'k', tasks: payloads(1), maxAttempts: 0 }, 'maxAttempts'],
      [{ kind: 'k', tasks: payloads(1), priority: 1.5 }, 'priority'],
      [{ kind: 'k', tasks: [{ payload: enc('x'), seed: 0.5 }] }, 'tasks[0].seed'],
      [{ kind: 'k', tasks: [{ seed: 1 }] }, 'tasks[0]'],
      [{ kind: 'k', tasks: [{ payload: enc('x'), seed: 1, params: [] }] }, 'tasks[0].params'],
    ];
    for (const [input, field] of cases) {
      const err = expectCode(() => engine.createJob(input as never), ErrorCode.BadRequest);
      expect((err as unknown as { details: { field: string } }).details.field).toBe(field);
    }
    expect(engine.listJobs()).toHaveLength(0);
  });
});

describe('priorities', () => {
  test('higher priority first, then FIFO within a priority', () => {
    const { engine } = harness({ redundancy: 1, quorum: 1 });
    const low = engine.createJob({ kind: 'k', tasks: payloads(2, 'low'), priority: 0 });
    const high = engine.createJob({ kind: 'k', tasks: payloads(2, 'high'), priority: 5 });
    const mid = engine.createJob({ kind: 'k', tasks: payloads(2, 'mid'), priority: 1 });
    const order = engine.lease('w1', 10).map((l) => `${l.jobId}:${l.index}`);
    expect(order).toEqual([
      `${high.jobId}:0`,
      `${high.jobId}:1`,
      `${mid.jobId}:0`,
      `${mid.jobId}:1`,
      `${low.jobId}:0`,
      `${low.jobId}:1`,
    ]);
  });

  test('a lease hands out at most `max` replicas', () => {
    const { engine } = harness();
    engine.createJob({ kind: 'k', tasks: payloads(5) });
    expect(engine.lease('w1', 2)).toHaveLength(2);
    expect(engine.lease('w1', 10)).toHaveLength(3);
    expect(engine.lease('w1', 10)).toHaveLength(0);
  });
});

describe('cancelJob', () => {
  test('open tasks die as cancelled (not dead-lettered), leases are revoked, finished results stay', () => {
    const { engine, db } = harness({ redundancy: 1, quorum: 1 });
    const events: EngineEvent['type'][] = [];
    engine.on('job:done', () => events.push('job:done'));
    engine.on('task:dead', () => events.push('task:dead'));
    const job = engine.createJob({ kind: 'k', tasks: payloads(3) });
    const [first, second] = engine.lease('w1', 2);
    if (first === undefined || second === undefined) throw new Error('expected two leases');
    engine.submit(first.replicaId, 'w1', honest(first));
    const after = engine.cancelJob(job.jobId);
    expect(after.state).toBe('cancelled');
    expect(after.counts).toEqual({ total: 3, pending: 0, running: 0, verifying: 0, done: 1, dead: 2 });
    expect(recount(db, job.jobId)).toEqual(after.counts);
    expect(engine.getTask(second.taskId)).toMatchObject({ state: 'dead', deadReason: 'cancelled' });
    expect(engine.dlq.list()).toHaveLength(0);
    expectCode(() => engine.submit(second.replicaId, 'w1', honest(second)), ErrorCode.LeaseExpired);
    expect([...engine.results(job.jobId)]).toHaveLength(1);
    expect(engine.lease('w2', 10)).toHaveLength(0);
    expect(events).toEqual(['task:dead', 'task:dead', 'job:done']);
    expect(engine.cancelJob(job.jobId).state).toBe('cancelled');
  });

  test('a completed job cannot be cancelled; an unknown one is NOT_FOUND', () => {
    const { engine } = harness();
    const job = engine.createJob({ kind: 'k', tasks: payloads(1) });
    drainHonestly(engine, ['w1', 'w2']);
    expect(engine.getJob(job.jobId)?.state).toBe('completed');
    expectCode(() => engine.cancelJob(job.jobId), ErrorCode.IllegalTransition);
    expectCode(() => engine.cancelJob('job_missing'), ErrorCode.NotFound);
  });
});

describe('listing and results', () => {
  test('listJobs filters by state, newest first; results stream in task order', () => {
    const { engine, clock } = harness({ redundancy: 1, quorum: 1 });
    const a = engine.createJob({ kind: 'k', tasks: payloads(3, 'a') });
    clock.advance(1);
    const b = engine.createJob({ kind: 'k', tasks: payloads(1, 'b') });
    expect(engine.listJobs().map((j) => j.jobId)).toEqual([b.jobId, a.jobId]);
    drainHonestly(engine, ['w1']);
    engine.createJob({ kind: 'k', tasks: payloads(1, 'c') });
    expect(engine.listJobs({ state: 'completed' }).map((j) => j.jobId)).toEqual([b.jobId, a.jobId]);
    expect(engine.listJobs({ state: 'active' })).toHaveLength(1);
    expect(engine.listJobs({ limit: 1 })).toHaveLength(1);
    const results = [...engine.results(a.jobId)];
    expect(results.map((r) => r.index)).toEqual([0, 1, 2]);
    for (const r of results) expect(sha256Hex(r.output)).toBe(r.digest);
  });

  test('workers are listed with their info and live leases', () => {
    const { engine } = harness();
    engine.registerWorker('peer-1', { userAgent: 'bun' });
    engine.createJob({ kind: 'k', tasks: payloads(2) });
    engine.lease('peer-1', 1);
    const [w] = engine.listWorkers();
    expect(w).toMatchObject({ workerId: 'peer-1', info: { userAgent: 'bun' }, live: 1 });
    expectCode(() => engine.registerWorker('bad id!', {}), ErrorCode.BadRequest);
  });
});
