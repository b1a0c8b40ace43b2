/**
 * The dispatcher's group commit on a real SQLite file (WAL), watched from a second connection, on
 * both lanes (in this thread, and the engine thread with its own connection): calls queued in one
 * turn share one transaction, nothing settles before it is durable, a refused call fails alone
 * with its typed error, a failed commit fails everyone, and close() commits what is still queued.
 */
import type { Database } from 'bun:sqlite';
import { afterEach, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { type CommitLane, LocalLane } from '../../orchestrator/dispatch/commit-lane.ts';
import type { EngineOp } from '../../orchestrator/dispatch/engine-ops.ts';
import { GroupCommit } from '../../orchestrator/dispatch/group-commit.ts';
import { type Lease, TaskEngine } from '../../orchestrator/engine/index.ts';
import { EngineThread } from '../../orchestrator/engine-thread/client.ts';
import { EngineError, ErrorCode } from '../../protocol/errors.ts';
import { honest, payloads } from '../engine/helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

type LaneKind = 'local' | 'thread';

/** An engine on a file database, a second connection to watch it, and a flush we trigger by hand. */
async function setup(kind: LaneKind, maxBatch?: number) {
  const dir = tempDir();
  const path = join(dir.path, 'shardmesh.db');
  const db = openDatabase(path);
  const watcher = openDatabase(path, { readonly: true });
  const engine = new TaskEngine(db, { redundancy: 1, quorum: 1 });
  const lane: CommitLane =
    kind === 'local'
      ? new LocalLane(engine)
      : await EngineThread.start({ engine, dbPath: path, leaseMs: 30_000, onLog: () => {} });
  cleanups.push(async () => {
    await lane.close(); // a no-op when a test closed it already
    watcher.close();
    db.close();
    dir.cleanup();
  });
  let flush: (() => void) | undefined;
  const commit = new GroupCommit(lane, {
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
  return { db, lane, watcher, engine, commit, runFlush, scheduled: () => flush !== undefined };
}

/** Lets the settled batch's follow-ups run (the thread lane schedules the next flush after it). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

const lease = (workerId: string, max: number): EngineOp => ({ op: 'lease', workerId, max, kinds: ['k'] });
const ack = (l: Lease, workerId = 'w1'): EngineOp => ({ op: 'ack', replicaId: l.replicaId, workerId });
const submit = (l: Lease, workerId = 'w1'): EngineOp => {
  const { digest, output } = honest(l);
  return { op: 'submit', replicaId: l.replicaId, workerId, digest, output };
};

const replicaStates = (watcher: Database) =>
  watcher
    .query<{ state: string; n: number }, []>('SELECT state, count(*) AS n FROM replicas GROUP BY state')
    .all();

describe.each(['local', 'thread'] as const)('group commit (%s lane)', (kind) => {
  test('calls of one turn share one transaction and settle only once it is visible to others', async () => {
    const { engine, watcher, commit, runFlush } = await setup(kind);
    engine.createJob({ kind: 'k', tasks: payloads(3) });
    const leased = commit.run<Lease[]>(lease('w1', 3));
    expect(replicaStates(watcher)).toEqual([]); // queued, not run
    runFlush();
    const leases = await leased;
    expect(leases).toHaveLength(3);
    expect(replicaStates(watcher)).toEqual([{ state: 'leased', n: 3 }]);

    let settled = 0;
    const calls = leases.flatMap((l) => [
      commit.run(ack(l)).then(() => settled++),
      commit.run(submit(l)).then(() => settled++),
    ]);
    expect(replicaStates(watcher)).toEqual([{ state: 'leased', n: 3 }]); // queued, not run
    expect(settled).toBe(0);
    runFlush();
    await Promise.all(calls);
    expect(settled).toBe(6);
    expect(replicaStates(watcher)).toEqual([{ state: 'accepted', n: 3 }]);
  });

  test('a refused call rejects with its code and undoes only itself', async () => {
    const { engine, watcher, commit, runFlush } = await setup(kind);
    engine.createJob({ kind: 'k', tasks: payloads(2) });
    const [a, b] = engine.lease('w1', 2);
    if (a === undefined || b === undefined) throw new Error('no leases');
    const calls = Promise.allSettled([
      commit.run(ack(a)),
      commit.run(ack(b, 'someone-else')),
      commit.run({ op: 'ack', replicaId: 'rep_unknown', workerId: 'w1' }),
      commit.run(submit(b)),
    ]);
    runFlush();
    const [ackA, stolen, unknown, submitB] = await calls;
    expect(ackA.status).toBe('fulfilled');
    expect(stolen).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.NotLeaseOwner } });
    // The typed error survives the thread boundary: class, code and details.
    expect(stolen.status === 'rejected' && stolen.reason).toBeInstanceOf(EngineError);
    expect(stolen).toMatchObject({
      reason: { details: { replicaId: b.replicaId, workerId: 'someone-else' } },
    });
    expect(unknown).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.UnknownReplica } });
    expect(submitB.status).toBe('fulfilled');
    expect(replicaStates(watcher)).toEqual([
      { state: 'accepted', n: 1 },
      { state: 'acked', n: 1 },
    ]);
  });

  test('when the commit itself fails, every call of the batch rejects and nothing is kept', async () => {
    const { db, lane, engine, watcher, commit, runFlush } = await setup(kind);
    engine.createJob({ kind: 'k', tasks: payloads(2) });
    const calls = Promise.allSettled([commit.run(lease('w1', 1)), commit.run(lease('w2', 1))]);
    // The transaction cannot even begin: the connection is closed, or the engine thread is gone.
    if (kind === 'local') db.close();
    else await lane.close();
    runFlush();
    const outcomes = await calls;
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(replicaStates(watcher)).toEqual([]);
  });

  test('batches are bounded by maxBatch; the rest goes in the next flush', async () => {
    const { engine, watcher, commit, runFlush, scheduled } = await setup(kind, 2);
    engine.createJob({ kind: 'k', tasks: payloads(3) });
    const calls = ['w1', 'w2', 'w3'].map((w) => commit.run(lease(w, 1)));
    runFlush();
    await Promise.all(calls.slice(0, 2));
    await turn();
    expect(replicaStates(watcher)).toEqual([{ state: 'leased', n: 2 }]);
    expect(commit.pending).toBe(1);
    expect(scheduled()).toBe(true);
    runFlush();
    await calls[2];
    expect(replicaStates(watcher)).toEqual([{ state: 'leased', n: 3 }]);
  });

  test('close() commits what is queued, then refuses new calls', async () => {
    const { engine, watcher, commit } = await setup(kind);
    engine.createJob({ kind: 'k', tasks: payloads(1) });
    const leased = commit.run<Lease[]>(lease('w1', 1));
    await commit.close();
    expect(await leased).toHaveLength(1);
    expect(replicaStates(watcher)).toEqual([{ state: 'leased', n: 1 }]);
    await expect(commit.run(lease('w1', 1))).rejects.toMatchObject({ code: ErrorCode.Aborted });
  });
});
