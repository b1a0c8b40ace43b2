import { describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { runLogVerify } from '../../orchestrator/cli/commands/log.ts';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { TaskEngine } from '../../orchestrator/engine/index.ts';
import { DigestLog } from '../../orchestrator/mesh/digest-log.ts';
import { GENESIS_HASH } from '../../orchestrator/mesh/record.ts';
import { LogStore } from '../../orchestrator/mesh/store.ts';
import { verifyLog } from '../../orchestrator/mesh/verify-log.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { drainHonestly, payloads } from '../engine/helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

async function setup(path = ':memory:') {
  const db = openDatabase(path);
  const engine = new TaskEngine(db);
  const key = await generateKeyPair('Ed25519');
  const origin = peerIdFromPrivateKey(key).toString();
  const store = new LogStore(db);
  return { db, engine, key, origin, store, log: new DigestLog(store, key, origin) };
}

describe('digest log', () => {
  test('an accepted task is appended right after its commit, with its agreeing workers', async () => {
    const { engine, log, store, origin } = await setup();
    log.attach(engine);
    const job = engine.createJob({ kind: 'matmul', tasks: payloads(4) });
    drainHonestly(engine, ['w2', 'w1']);
    expect(store.head(origin)?.seq).toBe(4);
    const first = store.get(origin, 1);
    expect(first).toMatchObject({ jobId: job.jobId, kind: 'matmul', workers: ['w1', 'w2'], proof: null });
    expect(first?.prevHash).toBe(GENESIS_HASH);
    expect(store.get(origin, 2)?.prevHash).toBe(first?.hash ?? '');
    expect(new Set(store.range(origin, 1, 10).map((r) => r.taskId)).size).toBe(4);
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

  test('verify finds a tampered row and a forged signature, naming the seq', async () => {
    const { db, engine, log, origin, store } = await setup();
    log.attach(engine);
    engine.createJob({ kind: 'matmul', tasks: payloads(5) });
    drainHonestly(engine, ['w1', 'w2']);
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
      db.close();
      const report = await runLogVerify({ dataDir: dir.path });
      expect(report.ok).toBe(true);
      expect(report.origins[0]?.records).toBe(3);
    } finally {
      dir.cleanup();
    }
  });
});
