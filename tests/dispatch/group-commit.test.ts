/**
 * The dispatcher's group commit on a real SQLite file (WAL), watched from a second connection:
 * calls queued in one turn share one transaction, nothing settles before it is durable, a refused
 * call fails alone, a failed commit fails everyone, and close() commits what is still queued.
 */
import type { Database } from 'bun:sqlite';
import { afterEach, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { GroupCommit } from '../../orchestrator/dispatch/group-commit.ts';
import { TaskEngine } from '../../orchestrator/engine/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { honest, payloads } from '../engine/helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** An engine on a file database, a second connection to watch it, and a flush we trigger by hand. */
function setup(maxBatch?: number) {
  const dir = tempDir();
  const path = join(dir.path, 'shardmesh.db');
  const db = openDatabase(path);
  const watcher = openDatabase(path, { readonly: true });
  cleanups.push(() => {
    watcher.close();
    db.close(); // a no-op when a test closed it already
    dir.cleanup();
  });
  const engine = new TaskEngine(db, { redundancy: 1, quorum: 1 });
  let flush: (() => void) | undefined;
  const commit = new GroupCommit(engine, {
    ...(maxBatch === undefined ? {} : { maxBatch }),
    schedule: (f) => {
      flush = f;
    },
  });
  const runFlush = () => {
    const f = flush;
    flush = undefined;
    f?.();
  };
  return { db, watcher, engine, commit, runFlush, scheduled: () => flush !== undefined };
}

const replicaStates = (watcher: Database) =>
  watcher
    .query<{ state: string; n: number }, []>('SELECT state, count(*) AS n FROM replicas GROUP BY state')
    .all();

describe('group commit', () => {
  test('calls of one turn share one transaction and settle only once it is visible to others', async () => {
    const { engine, watcher, commit, runFlush } = setup();
    engine.createJob({ kind: 'k', tasks: payloads(3) });
    const leased = commit.run(() => engine.lease('w1', 3));
    expect(replicaStates(watcher)).toEqual([]); // queued, not run
    runFlush();
    const leases = await leased;
    expect(leases).toHaveLength(3);
    expect(replicaStates(watcher)).toEqual([{ state: 'leased', n: 3 }]);

    let settled = 0;
    const calls = leases.flatMap((l) => [
      commit.run(() => engine.ack(l.replicaId, 'w1')).then(() => settled++),
      commit.run(() => engine.submit(l.replicaId, 'w1', honest(l))).then(() => settled++),
    ]);
    expect(replicaStates(watcher)).toEqual([{ state: 'leased', n: 3 }]); // queued, not run
    expect(settled).toBe(0);
    runFlush();
    await Promise.all(calls);
    expect(settled).toBe(6);
    expect(replicaStates(watcher)).toEqual([{ state: 'accepted', n: 3 }]);
  });

  test('a refused call rejects with its code and undoes only itself', async () => {
    const { engine, watcher, commit, runFlush } = setup();
    engine.createJob({ kind: 'k', tasks: payloads(2) });
    const [a, b] = engine.lease('w1', 2);
    if (a === undefined || b === undefined) throw new Error('no leases');
    const calls = Promise.allSettled([
      commit.run(() => engine.ack(a.replicaId, 'w1')),
      commit.run(() => engine.ack(b.replicaId, 'someone-else')),
      commit.run(() => engine.ack('rep_unknown', 'w1')),
      commit.run(() => engine.submit(b.replicaId, 'w1', honest(b))),
    ]);
    runFlush();
    const [ackA, stolen, unknown, submitB] = await calls;
    expect(ackA.status).toBe('fulfilled');
    expect(stolen).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.NotLeaseOwner } });
    expect(unknown).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.UnknownReplica } });
    expect(submitB.status).toBe('fulfilled');
    expect(replicaStates(watcher)).toEqual([
      { state: 'accepted', n: 1 },
      { state: 'acked', n: 1 },
    ]);
  });

  test('when the commit itself fails, every call of the batch rejects and nothing is kept', async () => {
    const { db, engine, watcher, commit, runFlush } = setup();
    engine.createJob({ kind: 'k', tasks: payloads(2) });
    const calls = Promise.allSettled([
      commit.run(() => engine.lease('w1', 1)),
      commit.run(() => engine.lease('w2', 1)),
    ]);
    db.close(); // the transaction cannot even begin
    runFlush();
    const outcomes = await calls;
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(replicaStates(watcher)).toEqual([]);
  });

  test('batches are bounded by maxBatch; the rest goes in the next flush', async () => {
    const { engine, watcher, commit, runFlush, scheduled } = setup(2);
    engine.createJob({ kind: 'k', tasks: payloads(3) });
    const calls = ['w1', 'w2', 'w3'].map((w) => commit.run(() => engine.lease(w, 1)));
    runFlush();
    await Promise.all(calls.slice(0, 2));
    expect(replicaStates(watcher)).toEqual([{ state: 'leased', n: 2 }]);
    expect(commit.pending).toBe(1);
    expect(scheduled()).toBe(true);
    runFlush();
    await calls[2];
    expect(replicaStates(watcher)).toEqual([{ state: 'leased', n: 3 }]);
  });

  test('close() commits what is queued, then refuses new calls', async () => {
    const { engine, watcher, commit } = setup();
    engine.createJob({ kind: 'k', tasks: payloads(1) });
    const leased = commit.run(() => engine.lease('w1', 1));
    commit.close();
    expect(await leased).toHaveLength(1);
    expect(replicaStates(watcher)).toEqual([{ state: 'leased', n: 1 }]);
    await expect(commit.run(() => engine.lease('w1', 1))).rejects.toMatchObject({ code: ErrorCode.Aborted });
  });
});
