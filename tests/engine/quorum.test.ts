import { describe, expect, test } from 'bun:test';
import { type Lease, quorumReachable, sha256Hex, wantMore } from '../../orchestrator/engine/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  correctOutput,
  enc,
  expectCode,
  type Harness,
  harness,
  honest,
  payloads,
  recount,
  wrong,
} from './helpers.ts';

function one(h: Harness, worker: string): Lease {
  const [lease] = h.engine.lease(worker, 1);
  if (lease === undefined) throw new Error(`nothing leasable for ${worker}`);
  return lease;
}

function replicaStates(h: Harness, taskId: string): Record<string, string> {
  const rows = h.db
    .query<{ worker_id: string; state: string }, [string]>(
      'SELECT worker_id, state FROM replicas WHERE task_id = ?1',
    )
    .all(taskId);
  return Object.fromEntries(rows.map((r) => [r.worker_id, r.state]));
}

describe('quorum arithmetic', () => {
  test('R first, then one more replica per disagreement, never beyond maxReplicas', () => {
    const p = { redundancy: 2, quorum: 2, maxReplicas: 4 };
    expect(wantMore(p, { live: 0, votes: 0, best: 0 })).toBe(2);
    expect(wantMore(p, { live: 1, votes: 1, best: 1 })).toBe(0);
    expect(wantMore(p, { live: 0, votes: 2, best: 1 })).toBe(1);
    expect(wantMore(p, { live: 0, votes: 3, best: 1 })).toBe(1);
    expect(wantMore(p, { live: 0, votes: 4, best: 1 })).toBe(0);
    expect(quorumReachable(p, { live: 0, votes: 3, best: 1 })).toBe(true);
    expect(quorumReachable(p, { live: 0, votes: 4, best: 1 })).toBe(false);
    expect(wantMore({ redundancy: 3, quorum: 2, maxReplicas: 5 }, { live: 0, votes: 0, best: 0 })).toBe(3);
  });
});

describe('happy path R=2, Q=2', () => {
  test('two distinct workers agree: task done, both accepted, result stored, events fired', () => {
    const h = harness();
    const seen: string[] = [];
    h.engine.on('task:done', (d) => seen.push(`task:done:${d.index}`));
    h.engine.on('job:done', (d) => seen.push(`job:done:${d.state}`));
    const job = h.engine.createJob({ kind: 'k', tasks: payloads(1) });
    const a = one(h, 'w1');
    expect(h.engine.lease('w1', 5)).toHaveLength(0); // never a second replica to the same worker
    const b = one(h, 'w2');
    expect(b.taskId).toBe(a.taskId);
    expect(h.engine.lease('w3', 5)).toHaveLength(0); // R replicas already out
    expect(h.engine.getTask(a.taskId)?.state).toBe('running');
    h.engine.ack(a.replicaId, 'w1');
    expect(h.engine.submit(a.replicaId, 'w1', honest(a))).toEqual({
      replica: 'submitted',
      task: 'verifying',
    });
    expect(h.engine.submit(b.replicaId, 'w2', honest(b))).toEqual({ replica: 'accepted', task: 'done' });
    expect(replicaStates(h, a.taskId)).toEqual({ w1: 'accepted', w2: 'accepted' });
    const [result] = [...h.engine.results(job.jobId)];
    expect(result?.output).toEqual(correctOutput(a.payload, a.seed));
    expect(h.engine.getJob(job.jobId)).toMatchObject({
      state: 'completed',
      counts: { total: 1, done: 1 },
      replicas: { leased: 2, submitted: 2, accepted: 2 },
    });
    expect(seen).toEqual(['task:done:0', 'job:done:completed']);
    expectCode(() => h.engine.submit(a.replicaId, 'w1', honest(a)), ErrorCode.IllegalTransition);
  });

  test('a digest that is not the SHA-256 of the output is refused and changes nothing', () => {
    const h = harness();
    h.engine.createJob({ kind: 'k', tasks: payloads(1) });
    const a = one(h, 'w1');
    const err = expectCode(
      () => h.engine.submit(a.replicaId, 'w1', { digest: sha256Hex(enc('other')), output: enc('mine') }),
      ErrorCode.DigestMismatch,
    );
    expect(err.name).toBe('EngineError');
    expect(replicaStates(h, a.taskId)).toEqual({ w1: 'leased' });
  });

  test('Q=1 closes on the first vote; with R=3, Q=2 the third live replica is revoked at quorum', () => {
    const h1 = harness({ redundancy: 1, quorum: 1 });
    h1.engine.createJob({ kind: 'k', tasks: payloads(1) });
    const solo = one(h1, 'w1');
    expect(h1.engine.submit(solo.replicaId, 'w1', honest(solo))).toEqual({
      replica: 'accepted',
      task: 'done',
    });

    const h = harness();
    h.engine.createJob({ kind: 'k', tasks: payloads(1), redundancy: 3, quorum: 2 });
    const [a, b, c] = [one(h, 'w1'), one(h, 'w2'), one(h, 'w3')];
    h.engine.submit(a.replicaId, 'w1', honest(a));
    h.engine.submit(b.replicaId, 'w2', honest(b));
    expect(replicaStates(h, a.taskId)).toEqual({ w1: 'accepted', w2: 'accepted', w3: 'expired' });
    expectCode(() => h.engine.submit(c.replicaId, 'w3', honest(c)), ErrorCode.LeaseExpired);
  });
});

describe('wrong answers', () => {
  test('a lone wrong worker forces one more replica and is outvoted', () => {
    const h = harness();
    const job = h.engine.createJob({ kind: 'k', tasks: payloads(1) });
    const bad = one(h, 'liar');
    const good = one(h, 'w1');
    h.engine.submit(bad.replicaId, 'liar', wrong(bad, 'x'));
    expect(h.engine.submit(good.replicaId, 'w1', honest(good))).toEqual({
      replica: 'submitted',
      task: 'verifying',
    });
    const tie = one(h, 'w2'); // disagreement -> exactly one more replica
    expect(h.engine.lease('w3', 1)).toHaveLength(0);
    expect(h.engine.submit(tie.replicaId, 'w2', honest(tie))).toEqual({ replica: 'accepted', task: 'done' });
    expect(replicaStates(h, bad.taskId)).toEqual({ liar: 'rejected', w1: 'accepted', w2: 'accepted' });
    const [result] = [...h.engine.results(job.jobId)];
    expect(result?.digest).toBe(honest(good).digest);
    const reason = h.db
      .query<{ r: string }, [string]>('SELECT end_reason AS r FROM replicas WHERE worker_id = ?1')
      .get('liar');
    expect(reason?.r).toBe('outvoted');
  });

  test('when no quorum is reachable the task is dead-lettered with the conflicting digests and workers', () => {
    const h = harness();
    const dead: string[] = [];
    h.engine.on('task:dead', (d) => dead.push(d.reason));
    const job = h.engine.createJob({ kind: 'k', tasks: payloads(1) }); // maxReplicas = 4
    const digests: string[] = [];
    for (const w of ['w1', 'w2', 'w3', 'w4']) {
      const lease = one(h, w);
      const answer = wrong(lease, w);
      digests.push(answer.digest);
      const outcome = h.engine.submit(lease.replicaId, w, answer);
      expect(outcome.task).toBe(w === 'w4' ? 'dead' : 'verifying');
    }
    expect(h.engine.lease('w5', 1)).toHaveLength(0);
    const [entry] = h.engine.dlq.list();
    if (entry === undefined) throw new Error('no dead letter');
    const detail = h.engine.dlq.inspect(entry.taskId);
    expect(detail?.reason).toBe('no_quorum');
    expect(detail?.conflicts.map((c) => c.digest).sort()).toEqual([...digests].sort());
    expect(detail?.conflicts.flatMap((c) => c.workerIds).sort()).toEqual(['w1', 'w2', 'w3', 'w4']);
    expect(Object.values(replicaStates(h, entry.taskId))).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(h.engine.getJob(job.jobId)).toMatchObject({ state: 'completed', counts: { dead: 1 } });
    expect([...h.engine.results(job.jobId)]).toHaveLength(0);
    expect(dead).toEqual(['no_quorum']);
  });

  test('colluders below the quorum (2 of Q=3) never get their shared wrong digest accepted', () => {
    const h = harness();
    const job = h.engine.createJob({
      kind: 'k',
      tasks: payloads(6),
      redundancy: 4,
      quorum: 3,
      maxReplicas: 6,
    });
    const workers = ['c1', 'c2', 'h1', 'h2', 'h3', 'h4'];
    for (let round = 0; round < 4; round++) {
      for (const w of workers) {
        for (const lease of h.engine.lease(w, 10)) {
          h.engine.submit(lease.replicaId, w, w.startsWith('c') ? wrong(lease, 'collusion') : honest(lease));
        }
      }
    }
    const progress = h.engine.getJob(job.jobId);
    expect(progress?.state).toBe('completed');
    expect(progress?.counts.done).toBe(6);
    for (const r of h.engine.results(job.jobId)) {
      expect(r.output).toEqual(correctOutput(enc(`payload-${r.index}`), r.index));
    }
    const colluderAccepted = h.db
      .query<{ n: number }, []>(
        "SELECT count(*) AS n FROM replicas WHERE worker_id LIKE 'c%' AND state = 'accepted'",
      )
      .get();
    expect(colluderAccepted?.n).toBe(0);
    expect(recount(h.db, job.jobId)).toEqual(progress?.counts as never);
  });

  test('a worker holds one live or voting replica per task; after losing it, it may take the task again', () => {
    const h = harness({ maxAttempts: 10 });
    h.engine.createJob({ kind: 'k', tasks: payloads(1) });
    const a = one(h, 'w1');
    expect(h.engine.lease('w1', 1)).toHaveLength(0); // live
    h.engine.fail(a.replicaId, 'w1', { code: 'KERNEL_FAILED', message: 'boom' });
    h.clock.advance(10 * 60_000);
    const again = one(h, 'w1'); // the failed replica can no longer vote: w1 may try again
    h.engine.submit(again.replicaId, 'w1', honest(again));
    expect(h.engine.lease('w1', 1)).toHaveLength(0); // voted: never a second vote
    const b = one(h, 'w2');
    expect(h.engine.submit(b.replicaId, 'w2', honest(b))).toEqual({ replica: 'accepted', task: 'done' });
    const insert = h.db.query(
      `INSERT INTO replicas (id, task_id, round, worker_id, state, leased_at, lease_expires_at)
       VALUES ('rep_dup', ?1, 1, 'w1', 'leased', 0, 0)`,
    );
    expect(() => insert.run(a.taskId)).toThrow('UNIQUE'); // the database refuses a second vote too
  });
});
