/**
 * The engine thread (orchestrator/engine-thread/) on a real WAL file, with the main thread's own
 * connection beside it as the orchestrator runs them: the thread's events reach the main engine's
 * listeners before the calls settle, the digest log is appended there once per accepted task and
 * published here, and a chain appended from both connections stays one valid chain.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { openDatabase } from '../../orchestrator/db/index.ts';
import type { EngineOp } from '../../orchestrator/dispatch/engine-ops.ts';
import { type Lease, TaskEngine } from '../../orchestrator/engine/index.ts';
import { EngineThread } from '../../orchestrator/engine-thread/client.ts';
import { DigestLog } from '../../orchestrator/mesh/digest-log.ts';
import type { LogRecord } from '../../orchestrator/mesh/record.ts';
import { LogStore } from '../../orchestrator/mesh/store.ts';
import { verifyLog } from '../../orchestrator/mesh/verify-log.ts';
import { drainHonestly, honest, payloads } from '../engine/helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The main thread's engine and digest log (attached, as OrchestratorMesh does), and the thread. */
async function setup() {
  const dir = tempDir();
  const path = join(dir.path, 'shardmesh.db');
  const db = openDatabase(path);
  const engine = new TaskEngine(db, { redundancy: 1, quorum: 1 });
  const key = await generateKeyPair('Ed25519');
  const origin = peerIdFromPrivateKey(key).toString();
  const store = new LogStore(db);
  const log = new DigestLog(store, key, origin);
  const published: LogRecord[] = [];
  log.onAppend((r) => published.push(r));
  const detach = log.attach(engine);
  const lines: string[] = [];
  const thread = await EngineThread.start({
    engine,
    dbPath: path,
    leaseMs: 30_000,
    onLog: (line) => lines.push(line),
    log: { origin, keyProtobuf: privateKeyToProtobuf(key), onRecords: (records) => log.adopt(records) },
  });
  cleanups.push(() => {
    detach();
    db.close();
    dir.cleanup();
  });
  cleanups.push(() => thread.close());
  return { db, engine, store, origin, published, thread, lines };
}

const submit = (l: Lease): EngineOp => {
  const { digest, output } = honest(l);
  return { op: 'submit', replicaId: l.replicaId, workerId: 'w1', digest, output };
};

async function leaseAll(thread: EngineThread, max: number): Promise<Lease[]> {
  const [leased] = await thread.commit([{ op: 'lease', workerId: 'w1', max, kinds: ['k'] }]);
  if (leased?.ok !== true) throw new Error(`lease failed: ${JSON.stringify(leased)}`);
  return leased.value as Lease[];
}

describe('engine thread', () => {
  test("its events reach the main engine's listeners before the calls settle", async () => {
    const { engine, thread } = await setup();
    const { jobId } = engine.createJob({ kind: 'k', tasks: payloads(3) });
    const leases = await leaseAll(thread, 3);
    const seen: string[] = [];
    engine.on('task:done', (d) => seen.push(`done ${d.index}`));
    engine.on('job:done', (d) => seen.push(`job ${d.jobId === jobId ? 'mine' : d.jobId} ${d.state}`));
    const outcomes = await thread.commit(leases.map(submit)).then((o) => {
      seen.push('settled');
      return o;
    });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(seen).toEqual(['done 0', 'done 1', 'done 2', 'job mine completed', 'settled']);
    // What the thread committed is what this thread's connection reads.
    expect(engine.getJob(jobId)).toMatchObject({ state: 'completed', counts: { done: 3 } });
  });

  test('each accepted task is logged once, in the thread, and published here', async () => {
    const { db, engine, store, origin, published, thread } = await setup();
    engine.createJob({ kind: 'k', tasks: payloads(5) });
    const leases = await leaseAll(thread, 5);
    await thread.commit(leases.slice(0, 2).map(submit));
    await thread.commit(leases.slice(2).map(submit));
    await new Promise((resolve) => setImmediate(resolve)); // a deferred append here would run now
    expect(published.map((r) => [r.seq, r.index])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 4],
    ]);
    expect(db.query('SELECT count(*) AS n FROM digest_log').get()).toEqual({ n: 5 });
    expect(store.head(origin)?.seq).toBe(5);
    expect((await verifyLog(store)).ok).toBe(true);
  });

  test('appends from this thread and the engine thread make one valid chain', async () => {
    const { engine, store, origin, thread } = await setup();
    engine.createJob({ kind: 'k', tasks: payloads(4, 'thread') });
    const leases = await leaseAll(thread, 4);
    // Interleaved: the thread accepts two, this thread's engine accepts a job of its own (its
    // attached log appends it), then the thread the other two.
    await thread.commit(leases.slice(0, 2).map(submit));
    engine.createJob({ kind: 'k', tasks: payloads(3, 'main') });
    drainHonestly(engine, ['w2']);
    await new Promise((resolve) => setImmediate(resolve));
    await thread.commit(leases.slice(2).map(submit));
    expect(store.head(origin)?.seq).toBe(7);
    const report = await verifyLog(store);
    expect(report).toMatchObject({ ok: true, origins: [{ records: 7 }] });
  });

  test('a closed thread refuses further commits with a typed error', async () => {
    const { thread } = await setup();
    await thread.close();
    await expect(thread.commit([{ op: 'reap' }])).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  test('a database it cannot open fails the start with the cause', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.cleanup());
    const engine = new TaskEngine(openDatabase(':memory:'));
    await expect(
      EngineThread.start({
        engine,
        dbPath: join(dir.path, 'missing', 'x.db'),
        leaseMs: 1_000,
        onLog: () => {},
      }),
    ).rejects.toThrow(/unable to open|no such file|SQLITE_CANTOPEN/i);
  });
});
