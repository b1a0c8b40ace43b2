/**
 * Model-based property test: random workloads (leases, acks, honest and wrong submits, failures,
 * heartbeats, clock jumps with reaping, DLQ requeues, a cancel) against a real engine, then a
 * drain where every worker keeps pulling (also with a pool of only Q workers). Invariants: no wrong digest is ever accepted, every
 * task ends done or dead (never stuck), no task is accepted twice, counters equal recounts, and
 * each open task's bookkeeping (live, votes, want) matches its replicas after every step.
 */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { type Lease, sha256Hex, type TaskEngine, wantMore } from '../../orchestrator/engine/index.ts';
import { ErrorCode, isShardmeshError } from '../../protocol/errors.ts';
import { correctOutput, enc, harness, honest, recount, wrong } from './helpers.ts';

type Behaviour = 'honest' | 'colluder' | 'liar';

const action = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('lease' as const),
      w: fc.nat(),
      max: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('ack' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('submit' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fail' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('heartbeat' as const), w: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('requeueAll' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cancelB' as const) }) },
);

const scenario = fc
  .record({
    redundancy: fc.integer({ min: 2, max: 4 }),
    quorumOffset: fc.nat({ max: 2 }),
    extra: fc.nat({ max: 2 }),
    maxAttempts: fc.integer({ min: 1, max: 4 }),
    tasksA: fc.integer({ min: 1, max: 5 }),
    tasksB: fc.integer({ min: 1, max: 3 }),
    liars: fc.nat({ max: 2 }),
    colluderShare: fc.double({ min: 0, max: 1, noNaN: true }),
    actions: fc.array(action, { maxLength: 60 }),
  })
  .map((s) => {
    const quorum = Math.max(2, s.redundancy - s.quorumOffset);
    // Colluders share one wrong digest; fewer than Q of them can never outvote the truth.
    const colluders = Math.min(quorum - 1, Math.floor(s.colluderShare * quorum));
    return { ...s, quorum, colluders, maxReplicas: s.redundancy + s.extra };
  });

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function isRefusal(err: unknown): boolean {
  return (
    isShardmeshError(err) && (err.code === ErrorCode.LeaseExpired || err.code === ErrorCode.IllegalTransition)
  );
}

function checkBookkeeping(engine: TaskEngine): void {
  const rows = engine.db
    .query<
      {
        id: string;
        live: number;
        votes: number;
        best: number;
        want: number;
        r: number;
        q: number;
        m: number;
        rl: number;
        rv: number;
      },
      []
    >(
      `SELECT t.id, t.live, t.votes, t.best, t.want, j.redundancy AS r, j.quorum AS q, j.max_replicas AS m,
         (SELECT count(*) FROM replicas x WHERE x.task_id = t.id AND x.round = t.round AND x.state IN ('leased', 'acked')) AS rl,
         (SELECT count(*) FROM replicas x WHERE x.task_id = t.id AND x.round = t.round AND x.state = 'submitted') AS rv
       FROM tasks t JOIN jobs j ON j.id = t.job_id WHERE t.state IN ('pending', 'running', 'verifying')`,
    )
    .all();
  for (const t of rows) {
    expect([t.live, t.votes]).toEqual([t.rl, t.rv]);
    expect(t.want).toBe(wantMore({ redundancy: t.r, quorum: t.q, maxReplicas: t.m }, t));
  }
  for (const job of engine.listJobs()) expect(recount(engine.db, job.jobId)).toEqual(job.counts);
}

/** `minimal`: exactly Q honest workers and nobody else (expiries and failures still happen). */
function run(s: Scenario, pool: 'large' | 'minimal' = 'large'): void {
  const { engine, clock, db } = harness({ maxAttempts: s.maxAttempts, leaseMs: 30_000 });
  const behaviours: Behaviour[] =
    pool === 'minimal'
      ? Array<Behaviour>(s.quorum).fill('honest')
      : [
          ...Array<Behaviour>(s.colluders).fill('colluder'),
          ...Array<Behaviour>(s.liars).fill('liar'),
          // Enough honest workers to outvote every disagreement up to maxReplicas.
          ...Array<Behaviour>(s.maxReplicas + 1).fill('honest'),
        ];
  const workers = behaviours.map((_, i) => `w${i}`);
  const policy = { redundancy: s.redundancy, quorum: s.quorum, maxReplicas: s.maxReplicas };
  const tasks = (n: number, p: string) =>
    Array.from({ length: n }, (_, i) => ({ payload: enc(`${p}${i}`), seed: i }));
  const jobA = engine.createJob({ kind: 'k', tasks: tasks(s.tasksA, 'a'), ...policy, priority: 1 });
  const jobB = engine.createJob({ kind: 'k', tasks: tasks(s.tasksB, 'b'), ...policy });
  let doneEvents = 0;
  engine.on('task:done', () => doneEvents++);
  const held: { lease: Lease; worker: string }[] = [];

  const answer = (worker: string, lease: Lease) => {
    const b = behaviours[workers.indexOf(worker)];
    return b === 'honest' ? honest(lease) : wrong(lease, b === 'colluder' ? 'collusion' : worker);
  };
  const attempt = (fn: () => void) => {
    try {
      fn();
      return true;
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return false;
    }
  };
  const take = (pick: number) => (held.length === 0 ? undefined : held.splice(pick % held.length, 1)[0]);

  for (const a of s.actions) {
    if (a.t === 'lease') {
      const worker = workers[a.w % workers.length] as string;
      for (const lease of engine.lease(worker, a.max)) held.push({ lease, worker });
    } else if (a.t === 'ack') {
      const h = held[a.pick % Math.max(held.length, 1)];
      if (h !== undefined) attempt(() => engine.ack(h.lease.replicaId, h.worker));
    } else if (a.t === 'submit') {
      const h = take(a.pick);
      if (h !== undefined)
        attempt(() => engine.submit(h.lease.replicaId, h.worker, answer(h.worker, h.lease)));
    } else if (a.t === 'fail') {
      const h = take(a.pick);
      if (h !== undefined)
        attempt(() => engine.fail(h.lease.replicaId, h.worker, { code: 'KERNEL_FAILED', message: 'x' }));
    } else if (a.t === 'heartbeat') {
      const worker = workers[a.w % workers.length] as string;
      engine.heartbeat(
        worker,
        held.filter((h) => h.worker === worker).map((h) => h.lease.replicaId),
      );
    } else if (a.t === 'advance') {
      clock.advance(a.ms);
      engine.reap();
    } else if (a.t === 'requeueAll') {
      engine.dlq.requeueAll();
    } else {
      attempt(() => engine.cancelJob(jobB.jobId)); // refused once B has completed
    }
    checkBookkeeping(engine);
  }

  // Drain: stragglers answer (or are refused), then everyone keeps pulling until nothing is open.
  for (const h of held.splice(0))
    attempt(() => engine.submit(h.lease.replicaId, h.worker, answer(h.worker, h.lease)));
  for (let pass = 0; ; pass++) {
    expect(pass).toBeLessThan(500); // "never stuck"
    let progress = false;
    for (const worker of workers) {
      for (const lease of engine.lease(worker, 4)) {
        engine.submit(lease.replicaId, worker, answer(worker, lease));
        progress = true;
      }
    }
    const open = db
      .query<{ n: number; nb: number | null }, []>(
        "SELECT count(*) AS n, min(not_before) AS nb FROM tasks WHERE state IN ('pending', 'running', 'verifying')",
      )
      .get();
    if ((open?.n ?? 0) === 0) break;
    if (!progress) {
      clock.t = Math.max(clock.t, open?.nb ?? clock.t) + 1;
      engine.reap();
    }
  }
  checkBookkeeping(engine);

  // Never a wrong digest accepted; each done task has exactly one result, agreed by >= Q distinct workers.
  const correct = (jobId: string, index: number) => {
    const prefix = jobId === jobA.jobId ? 'a' : 'b';
    return sha256Hex(correctOutput(enc(`${prefix}${index}`), index));
  };
  const results = [...engine.results(jobA.jobId), ...engine.results(jobB.jobId)];
  for (const job of [jobA, jobB]) {
    for (const r of engine.results(job.jobId)) expect(r.digest).toBe(correct(job.jobId, r.index));
  }
  expect(doneEvents).toBe(results.length);
  const accepted = db
    .query<{ task_id: string; job_id: string; idx: number; digest: string; n: number }, []>(
      `SELECT r.task_id, t.job_id, t.idx, r.digest, count(*) AS n FROM replicas r JOIN tasks t ON t.id = r.task_id
       WHERE r.state = 'accepted' GROUP BY r.task_id, r.digest`,
    )
    .all();
  for (const a of accepted) {
    expect(a.digest).toBe(correct(a.job_id, a.idx));
    expect(a.n).toBeGreaterThanOrEqual(s.quorum);
  }
  expect(new Set(accepted.map((a) => a.task_id)).size).toBe(accepted.length);
  const done = db.query<{ n: number }, []>("SELECT count(*) AS n FROM tasks WHERE state = 'done'").get()?.n;
  expect(done).toBe(results.length);
  for (const job of engine.listJobs()) {
    expect(job.state === 'active').toBe(false);
    const reps = db
      .query<{ state: string; n: number }, [string]>(
        'SELECT r.state, count(*) AS n FROM replicas r JOIN tasks t ON t.id = r.task_id WHERE t.job_id = ?1 GROUP BY r.state',
      )
      .all(job.jobId);
    const count = (...states: string[]) =>
      reps.filter((r) => states.includes(r.state)).reduce((n, r) => n + r.n, 0);
    expect(job.replicas).toEqual({
      leased: count('leased', 'acked', 'submitted', 'accepted', 'rejected', 'expired', 'failed'),
      submitted: count('submitted', 'accepted', 'rejected'),
      accepted: count('accepted'),
      rejected: count('rejected'),
      expired: count('expired'),
      failed: count('failed'),
    });
  }
}

describe('model-based: random workers and interleavings', () => {
  test('no wrong result accepted, every task ends done or dead, counters consistent', () => {
    fc.assert(
      fc.property(scenario, (sc) => run(sc)),
      { numRuns: 80 },
    );
  }, 30_000);

  test('the same engine invariants hold with a colluding minority only (Q-1 colluders, no honest majority needed)', () => {
    fc.assert(
      fc.property(
        scenario.map((s) => ({ ...s, colluders: s.quorum - 1, liars: 0 })),
        (sc) => run(sc),
      ),
      { numRuns: 30 },
    );
  }, 30_000);

  test('with only Q honest workers (lost replicas retried by the same workers) no task is ever stranded', () => {
    fc.assert(
      fc.property(scenario, (s) => run(s, 'minimal')),
      { numRuns: 30 },
    );
  }, 30_000);
});
