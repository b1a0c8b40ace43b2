import { describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { runLogVerify } from '../../orchestrator/cli/commands/log.ts';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { TaskEngine } from '../../orchestrator/engine/index.ts';
import { acceptedTaskInput } from '../../orchestrator/mesh/accepted-task.ts';
import { DigestLog, type DigestLogOptions } from '../../orchestrator/mesh/digest-log.ts';
import { GENESIS_HASH, type LogRecord, type RecordInput } from '../../orchestrator/mesh/record.ts';
import { LogStore } from '../../orchestrator/mesh/store.ts';
import { verifyLog } from '../../orchestrator/mesh/verify-log.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { drainHonestly, payloads } from '../engine/helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { taskInput } from './peers.ts';

/** Counts the transactions the log appends in (LogStore.insert is one per append). */
class CountingStore extends LogStore {
  inserts = 0;
  override insert(records: readonly LogRecord[]): void {
    this.inserts++;
    super.insert(records);
  }
}

async function setup(path = ':memory:', opts: DigestLogOptions = {}) {
  const db = openDatabase(path);
  const engine = new TaskEngine(db);
  const key = await generateKeyPair('Ed25519');
  const origin = peerIdFromPrivateKey(key).toString();
  const store = new CountingStore(db);
  return { db, engine, key, origin, store, log: new DigestLog(store, key, origin, opts) };
}

/** Lets the appends deferred to the end of this turn run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('digest log', () => {
  test('the tasks accepted in one turn are appended at its end, in one transaction, in order', async () => {
    const { db, engine, log, store, origin } = await setup();
    log.attach(engine);
    const published: LogRecord[] = [];
    log.onAppend((r) => published.push(r));
    const accepted: string[] = [];
    engine.on('task:done', ({ taskId }) => accepted.push(taskId));
    const job = engine.createJob({ kind: 'matmul', tasks: payloads(4) });
    drainHonestly(engine, ['w2', 'w1']);
    expect(store.head(origin)).toBeUndefined(); // deferred to the end of the turn
    await nextTurn();
    expect(store.head(origin)?.seq).toBe(4);
    expect(store.inserts).toBe(1);
    expect(published.map((r) => [r.seq, r.taskId])).toEqual(accepted.map((t, i) => [i + 1, t]));
    const first = store.get(origin, 1);
    expect(first).toMatchObject({ jobId: job.jobId, kind: 'matmul', workers: ['w1', 'w2'], proof: null });
    expect(first?.prevHash).toBe(GENESIS_HASH);
    expect(store.get(origin, 2)?.prevHash).toBe(first?.hash ?? '');
    expect(new Set(store.range(origin, 1, 10).map((r) => r.taskId)).size).toBe(4);
    // Built from the engine's events, each record says what a backfill would read from the tables.
    for (const record of store.range(origin, 1, 10)) {
      const { jobId, taskId, index, kind, digest, workers, proof, acceptedAt } = record;
      expect({ jobId, taskId, index, kind, digest, workers, proof, acceptedAt }).toEqual(
        acceptedTaskInput(db, taskId) as RecordInput,
      );
    }
    expect((await verifyLog(store)).ok).toBe(true);
  });

  test('a restart continues the chain and backfills tasks accepted while nothing listened', async () => {
    const { db, engine, key, origin, store, log } = await setup();
    const detach = log.attach(engine);
    engine.createJob({ kind: 'matmul', tasks: payloads(2, 'a') });
    drainHonestly(engine, ['w1', 'w2']);
    detach();
    engine.createJob({ kind: 'matmul', tasks: payloads(3, 'b') }); // accepted "during the crash"
    drainHonestly(engine, ['w1', 'w2']);
    const again = new DigestLog(new LogStore(db), key, origin);
    again.attach(engine);
    expect(store.head(origin)?.seq).toBe(5);
    expect((await verifyLog(store)).ok).toBe(true);
    expect(again.backfill()).toBe(0);
  });

  test('a crash between the engine commit and the deferred append is backfilled on restart', async () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'shardmesh.db');
      // The deferred append never runs: the process "dies" after the engine committed.
      const { db, engine, key, origin, log } = await setup(path, { schedule: () => {} });
      log.attach(engine);
      const accepted: string[] = [];
      engine.on('task:done', ({ taskId }) => accepted.push(taskId));
      engine.createJob({ kind: 'matmul', tasks: payloads(3) });
      drainHonestly(engine, ['w1', 'w2']);
      db.close();
      const reopened = openDatabase(path);
      const store = new LogStore(reopened);
      expect(store.head(origin)).toBeUndefined();
      const published: string[] = [];
      const again = new DigestLog(store, key, origin);
      again.onAppend((r) => published.push(r.taskId));
      again.attach(new TaskEngine(reopened));
      const chain = store.range(origin, 1, 10).map((r) => r.taskId);
      expect([...chain].sort()).toEqual([...accepted].sort());
      expect(published).toEqual(chain); // gossip sees the backfilled records in chain order
      expect((await verifyLog(store)).ok).toBe(true);
      reopened.close();
    } finally {
      dir.cleanup();
    }
  });

  test('a throwing append listener is reported and does not stop the append or other listeners', async () => {
    const errors: unknown[] = [];
    const { engine, log, store, origin } = await setup(':memory:', { onError: (e) => errors.push(e) });
    log.attach(engine);
    log.onAppend(() => {
      throw new Error('listener broke');
    });
    let seen = 0;
    log.onAppend(() => seen++);
    engine.createJob({ kind: 'matmul', tasks: payloads(2) });
    drainHonestly(engine, ['w1', 'w2']);
    await nextTurn();
    expect(store.head(origin)?.seq).toBe(2);
    expect(seen).toBe(2);
    expect(errors).toHaveLength(2);
  });

  test('appendAll chains several records in one transaction and tells listeners in order', async () => {
    const { log, store, origin } = await setup();
    log.append(taskInput());
    const heard: number[] = [];
    log.onAppend((r) => heard.push(r.seq));
    const inserts = store.inserts;
    const records = log.appendAll([taskInput(), taskInput(), taskInput()]);
    expect(store.inserts).toBe(inserts + 1);
    expect(records.map((r) => r.seq)).toEqual([2, 3, 4]);
    expect(heard).toEqual([2, 3, 4]);
    expect(records[0]?.prevHash).toBe(store.get(origin, 1)?.hash ?? '');
    expect(records[2]?.prevHash).toBe(records[1]?.hash ?? '');
    expect(log.appendAll([])).toEqual([]);
    expect((await verifyLog(store)).ok).toBe(true);
  });

  test('verify finds a tampered row and a forged signature, naming the seq', async () => {
    const { db, engine, log, origin, store } = await setup();
    log.attach(engine);
    engine.createJob({ kind: 'matmul', tasks: payloads(5) });
    drainHonestly(engine, ['w1', 'w2']);
    await nextTurn();
    db.run("UPDATE digest_log SET digest = 'f00d' WHERE seq = 3");
    let report = await verifyLog(store);
    expect(report.ok).toBe(false);
    expect(report.origins[0]?.error).toMatchObject({ code: ErrorCode.LogBadHash, seq: 3 });
    expect(report.origins[0]?.records).toBe(2);
    // Drop the tampered tail: the rest verifies again.
    db.query('DELETE FROM digest_log WHERE origin = ?1 AND seq >= 3').run(origin);
    expect((await verifyLog(store)).ok).toBe(true);
    // A swapped signature: the hash covers it, so the hash check catches it first.
    db.run(`UPDATE digest_log SET signature = '${'ab'.repeat(64)}' WHERE seq = 2`);
    report = await verifyLog(store);
    expect(report.origins[0]?.error).toMatchObject({ code: ErrorCode.LogBadHash, seq: 2 });
  });

  test('`shardmesh log verify --data-dir` reads the database read-only', async () => {
    const dir = tempDir();
    try {
      const { db, engine, log } = await setup(join(dir.path, 'shardmesh.db'));
      log.attach(engine);
      engine.createJob({ kind: 'matmul', tasks: payloads(3) });
      drainHonestly(engine, ['w1', 'w2']);
      await nextTurn();
      db.close();
      const report = await runLogVerify({ dataDir: dir.path });
      expect(report.ok).toBe(true);
      expect(report.origins[0]?.records).toBe(3);
    } finally {
      dir.cleanup();
    }
  });
});
