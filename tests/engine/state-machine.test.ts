/**
 * Table-driven: every (from, to) pair of every entity is tried. Illegal pairs are refused by
 * the transition functions (IllegalTransition) AND by the database triggers (raw SQL aborts);
 * legal pairs pass both. Rows reach each `from` state along legal edges only.
 */
import { describe, expect, test } from 'bun:test';
import {
  isLegal,
  JOB_STATES,
  JOB_TRANSITIONS,
  type JobState,
  REPLICA_STATES,
  REPLICA_TRANSITIONS,
  type ReplicaState,
  TASK_STATES,
  TASK_TRANSITIONS,
  type TaskState,
  transitionJob,
  transitionReplica,
  transitionTask,
} from '../../orchestrator/engine/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { enc, expectCode, type Harness, harness } from './helpers.ts';

/** Shortest legal path from `start` to `target` in a transition table. */
function pathTo<S extends string>(table: Readonly<Record<S, readonly S[]>>, start: S, target: S): S[] {
  const prev = new Map<S, S>();
  const queue: S[] = [start];
  const seen = new Set<S>([start]);
  while (queue.length > 0) {
    const s = queue.shift() as S;
    if (s === target) break;
    for (const n of table[s]) {
      if (!seen.has(n)) {
        seen.add(n);
        prev.set(n, s);
        queue.push(n);
      }
    }
  }
  const path: S[] = [target];
  for (let s = target; s !== start; ) {
    const p = prev.get(s);
    if (p === undefined) throw new Error(`${target} unreachable from ${start}`);
    path.unshift(p);
    s = p;
  }
  return path;
}

/** Task columns that satisfy the CHECK constraint of each state. */
const TASK_COLUMNS: Record<TaskState, Record<string, string | number | null>> = {
  pending: { live: 0, votes: 0, best: 0, want: 2, dead_reason: null },
  running: { live: 1, votes: 0, best: 0, want: 1, dead_reason: null },
  verifying: { live: 0, votes: 1, best: 1, want: 1, dead_reason: null },
  done: { live: 0, votes: 2, best: 2, want: 0, dead_reason: null },
  dead: { live: 0, votes: 0, best: 0, want: 0, dead_reason: 'cancelled' },
};
const REPLICA_COLUMNS: Partial<Record<ReplicaState, Record<string, string>>> = { submitted: { digest: 'd' } };

function rawUpdate(
  h: Harness,
  table: string,
  id: string,
  state: string,
  cols: Record<string, string | number | null> = {},
) {
  const sets = ['state = $state', ...Object.keys(cols).map((c) => `${c} = $${c}`)].join(', ');
  return h.db.query(`UPDATE ${table} SET ${sets} WHERE id = $id`).run({ id, state, ...cols });
}

function stateOf(h: Harness, table: string, id: string): string {
  return (
    h.db.query<{ state: string }, [string]>(`SELECT state FROM ${table} WHERE id = ?1`).get(id)?.state ?? ''
  );
}

function newJob(h: Harness): { jobId: string; taskId: string } {
  const job = h.engine.createJob({ kind: 'k', tasks: [{ payload: enc(crypto.randomUUID()), seed: 1 }] });
  const taskId = h.db
    .query<{ id: string }, [string]>('SELECT id FROM tasks WHERE job_id = ?1')
    .get(job.jobId)?.id;
  return { jobId: job.jobId, taskId: taskId ?? '' };
}

function taskIn(h: Harness, state: TaskState): string {
  const { taskId } = newJob(h);
  for (const s of pathTo(TASK_TRANSITIONS, 'pending', state).slice(1))
    rawUpdate(h, 'tasks', taskId, s, TASK_COLUMNS[s]);
  expect(stateOf(h, 'tasks', taskId)).toBe(state);
  return taskId;
}

let workerSeq = 0;
function replicaIn(h: Harness, state: ReplicaState): string {
  newJob(h);
  const worker = `w${workerSeq++}`;
  const [lease] = h.engine.lease(worker, 1);
  if (lease === undefined) throw new Error('nothing leased');
  for (const s of pathTo(REPLICA_TRANSITIONS, 'leased', state).slice(1)) {
    rawUpdate(h, 'replicas', lease.replicaId, s, REPLICA_COLUMNS[s] ?? {});
  }
  expect(stateOf(h, 'replicas', lease.replicaId)).toBe(state);
  return lease.replicaId;
}

function jobIn(h: Harness, state: JobState): string {
  const { jobId } = newJob(h);
  for (const s of pathTo(JOB_TRANSITIONS, 'active', state).slice(1)) rawUpdate(h, 'jobs', jobId, s);
  return jobId;
}

function pairs<S extends string>(states: readonly S[]): [S, S][] {
  return states.flatMap((from) => states.filter((to) => to !== from).map((to): [S, S] => [from, to]));
}

describe('task transitions', () => {
  const h = harness();
  for (const [from, to] of pairs(TASK_STATES)) {
    const legal = isLegal(TASK_TRANSITIONS, from, to);
    test(`${from} -> ${to} is ${legal ? 'allowed' : 'refused'} by the function and the trigger`, () => {
      const viaFn = taskIn(h, from);
      if (legal) {
        transitionTask(h.db, viaFn, from, to, TASK_COLUMNS[to]);
        expect(stateOf(h, 'tasks', viaFn)).toBe(to);
      } else {
        expectCode(
          () => transitionTask(h.db, viaFn, from, to, TASK_COLUMNS[to]),
          ErrorCode.IllegalTransition,
        );
        expect(stateOf(h, 'tasks', viaFn)).toBe(from);
      }
      const viaSql = taskIn(h, from);
      if (legal) expect(rawUpdate(h, 'tasks', viaSql, to, TASK_COLUMNS[to]).changes).toBe(1);
      else
        expect(() => rawUpdate(h, 'tasks', viaSql, to, TASK_COLUMNS[to])).toThrow('illegal task transition');
    });
  }

  test('a legal edge from the wrong current state changes nothing and is refused', () => {
    const id = taskIn(h, 'done');
    expectCode(
      () => transitionTask(h.db, id, 'pending', 'running', TASK_COLUMNS.running),
      ErrorCode.IllegalTransition,
    );
    expect(stateOf(h, 'tasks', id)).toBe('done');
  });

  test('rows are born in their initial state only', () => {
    const { jobId } = newJob(h);
    const sha = h.db.query<{ s: string }, []>('SELECT sha256 AS s FROM blobs LIMIT 1').get()?.s;
    expect(() =>
      h.db
        .query(
          `INSERT INTO tasks (id, job_id, idx, state, priority, seed, payload_sha256, created_at, updated_at)
           VALUES ('task_x', ?1, 9, 'done', 0, 0, ?2, 0, 0)`,
        )
        .run(jobId, sha ?? ''),
    ).toThrow('illegal initial task state');
  });
});

describe('replica transitions', () => {
  const h = harness();
  for (const [from, to] of pairs(REPLICA_STATES)) {
    const legal = isLegal(REPLICA_TRANSITIONS, from, to);
    test(`${from} -> ${to} is ${legal ? 'allowed' : 'refused'} by the function and the trigger`, () => {
      const viaFn = replicaIn(h, from);
      const set = to === 'submitted' ? { digest: 'd' } : {};
      if (legal) {
        transitionReplica(h.db, viaFn, from, to, {}, set);
        expect(stateOf(h, 'replicas', viaFn)).toBe(to);
      } else {
        expectCode(() => transitionReplica(h.db, viaFn, from, to, {}, set), ErrorCode.IllegalTransition);
        expect(stateOf(h, 'replicas', viaFn)).toBe(from);
      }
      const viaSql = replicaIn(h, from);
      if (legal) expect(rawUpdate(h, 'replicas', viaSql, to, REPLICA_COLUMNS[to] ?? {}).changes).toBe(1);
      else
        expect(() => rawUpdate(h, 'replicas', viaSql, to, REPLICA_COLUMNS[to] ?? {})).toThrow(
          'illegal replica',
        );
    });
  }

  test('the guard names the reason: unknown replica, wrong owner, expired lease', () => {
    const id = replicaIn(h, 'leased');
    const owner = h.db
      .query<{ w: string }, [string]>('SELECT worker_id AS w FROM replicas WHERE id = ?1')
      .get(id)?.w;
    expectCode(() => transitionReplica(h.db, 'rep_nope', 'leased', 'acked'), ErrorCode.UnknownReplica);
    expectCode(
      () => transitionReplica(h.db, id, 'leased', 'acked', { workerId: 'intruder' }),
      ErrorCode.NotLeaseOwner,
    );
    const late = h.clock.t + 10 * 60_000;
    expectCode(
      () => transitionReplica(h.db, id, 'leased', 'acked', { workerId: owner, liveAt: late }),
      ErrorCode.LeaseExpired,
    );
    expect(stateOf(h, 'replicas', id)).toBe('leased');
    const expired = replicaIn(h, 'expired');
    expectCode(
      () => transitionReplica(h.db, expired, ['leased', 'acked'], 'submitted', {}, { digest: 'd' }),
      ErrorCode.LeaseExpired,
    );
  });
});

describe('job transitions', () => {
  const h = harness();
  for (const [from, to] of pairs(JOB_STATES)) {
    const legal = isLegal(JOB_TRANSITIONS, from, to);
    test(`${from} -> ${to} is ${legal ? 'allowed' : 'refused'} by the function and the trigger`, () => {
      const viaFn = jobIn(h, from);
      if (legal) transitionJob(h.db, viaFn, from, to);
      else expectCode(() => transitionJob(h.db, viaFn, from, to), ErrorCode.IllegalTransition);
      expect(stateOf(h, 'jobs', viaFn)).toBe(legal ? to : from);
      const viaSql = jobIn(h, from);
      if (legal) expect(rawUpdate(h, 'jobs', viaSql, to).changes).toBe(1);
      else expect(() => rawUpdate(h, 'jobs', viaSql, to)).toThrow('illegal job transition');
    });
  }
});
