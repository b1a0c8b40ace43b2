/**
 * Gossiped batches stored as received (digest_log_runs, LogStore.insertRun) next to per-record
 * rows (digest_log): reads merge the two; a stored batch that does not hold what its row says,
 * or holds tampered records, fails `log verify` with the seq.
 */
import { describe, expect, test } from 'bun:test';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { encodeBatch } from '../../orchestrator/mesh/batch.ts';
import { DigestLog } from '../../orchestrator/mesh/digest-log.ts';
import { LogError } from '../../orchestrator/mesh/errors.ts';
import { LogIngest } from '../../orchestrator/mesh/ingest.ts';
import type { LogRecord } from '../../orchestrator/mesh/record.ts';
import { LogStore } from '../../orchestrator/mesh/store.ts';
import { verifyLog } from '../../orchestrator/mesh/verify-log.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { taskInput } from './peers.ts';

/** `n` signed records of a fresh origin (its own store keeps them as rows). */
async function originRecords(n: number): Promise<{ origin: string; records: LogRecord[] }> {
  const key = await generateKeyPair('Ed25519');
  const origin = peerIdFromPrivateKey(key).toString();
  const log = new DigestLog(new LogStore(openDatabase(':memory:')), key, origin);
  return { origin, records: log.appendAll(Array.from({ length: n }, () => taskInput())) };
}

const receiver = () => {
  const db = openDatabase(':memory:');
  const store = new LogStore(db);
  const runRows = () => db.query<{ n: number }, []>('SELECT count(*) AS n FROM digest_log_runs').get()?.n;
  const recordRows = () => db.query<{ n: number }, []>('SELECT count(*) AS n FROM digest_log').get()?.n;
  return { db, store, runRows, recordRows };
};

describe('stored batches', () => {
  test('reads merge per-record rows and stored batches of one origin', async () => {
    const { origin, records } = await originRecords(12);
    const { store, runRows, recordRows } = receiver();
    store.insert(records.slice(0, 3));
    store.insertRun(records.slice(3, 8), encodeBatch(records.slice(3, 8)));
    store.insertRun(records.slice(8), encodeBatch(records.slice(8)));
    expect([recordRows(), runRows()]).toEqual([3, 2]);
    expect(store.head(origin)).toEqual({ seq: 12, hash: records[11]?.hash ?? '' });
    expect(store.heads()).toEqual([{ origin, seq: 12, hash: records[11]?.hash ?? '' }]);
    expect(store.range(origin, 1, 100)).toEqual(records);
    expect(store.range(origin, 3, 4)).toEqual(records.slice(2, 6));
    expect(store.range(origin, 9, 2)).toEqual(records.slice(8, 10));
    expect(store.range(origin, 13, 10)).toEqual([]);
    for (const seq of [1, 4, 8, 9, 12]) expect(store.get(origin, seq)).toEqual(records[seq - 1]);
    expect(store.get(origin, 13)).toBeUndefined();
    expect((await verifyLog(store)).origins[0]).toMatchObject({ ok: true, records: 12 });
  });

  test('a batch missing between rows and later batches fails `log verify` after the gap', async () => {
    const { origin, records } = await originRecords(12);
    const { db, store } = receiver();
    store.insert(records.slice(0, 3));
    store.insertRun(records.slice(3, 8), encodeBatch(records.slice(3, 8)));
    store.insertRun(records.slice(8), encodeBatch(records.slice(8)));
    db.query('DELETE FROM digest_log_runs WHERE origin = ?1 AND first_seq = 4').run(origin);
    expect(store.range(origin, 1, 5).map((r) => r.seq)).toEqual([1, 2, 3, 9, 10]);
    const report = await verifyLog(store, { pageSize: 3 });
    expect(report.ok).toBe(false);
    expect(report.origins[0]?.error?.code).toBe(ErrorCode.LogChainBroken);
  });

  test('ingest stores a wholly new gossiped batch as one row, a partly held one as records', async () => {
    const { origin, records } = await originRecords(8);
    const { store, runRows, recordRows } = receiver();
    const ingest = new LogIngest(store);
    const first = records.slice(0, 5);
    expect(await ingest.ingest(first, { batch: encodeBatch(first) })).toEqual({
      status: 'stored',
      count: 5,
      head: 5,
    });
    expect([recordRows(), runRows()]).toEqual([0, 1]);
    // Seqs 4..8: 4 and 5 are held already, so only 6..8 are stored, as rows.
    const overlap = records.slice(3);
    expect(await ingest.ingest(overlap, { batch: encodeBatch(overlap) })).toEqual({
      status: 'stored',
      count: 3,
      head: 8,
    });
    expect([recordRows(), runRows()]).toEqual([3, 1]);
    expect(store.range(origin, 1, 10)).toEqual(records);
  });

  test('a stored batch that is not the run its row names fails reads and `log verify`', async () => {
    const { origin, records } = await originRecords(6);
    const { db, store } = receiver();
    store.insertRun(records.slice(0, 3), encodeBatch(records.slice(0, 3)));
    store.insertRun(records.slice(3), encodeBatch(records.slice(3)));
    // The second row now holds the first batch: seqs 1..3 where 4..6 belong.
    db.query('UPDATE digest_log_runs SET batch = ?1 WHERE first_seq = 4').run(
      encodeBatch(records.slice(0, 3)),
    );
    expect(() => store.range(origin, 1, 10)).toThrow(LogError);
    const report = await verifyLog(store);
    expect(report.ok).toBe(false);
    expect(report.origins[0]?.error).toMatchObject({ code: ErrorCode.LogMalformed, seq: 4 });
  });

  test('a tampered record inside a stored batch fails `log verify` at its seq', async () => {
    const { store, db } = receiver();
    const { records } = await originRecords(4);
    store.insertRun(records, encodeBatch(records));
    const forged = records.map((r) => (r.seq === 3 ? { ...r, digest: 'f'.repeat(64) } : r));
    db.query('UPDATE digest_log_runs SET batch = ?1').run(encodeBatch(forged));
    const report = await verifyLog(store);
    expect(report.origins[0]?.error).toMatchObject({ code: ErrorCode.LogBadHash, seq: 3 });
    expect(report.origins[0]?.records).toBe(2);
  });

  test('`log verify` refuses a chain that logs one task twice (batches have no task index)', async () => {
    // An origin that misbehaves: its own store keeps no task index either.
    class NoTaskIndex extends LogStore {
      override insert(records: readonly LogRecord[]): void {
        this.insertRun(records, encodeBatch(records));
      }
    }
    const key = await generateKeyPair('Ed25519');
    const log = new DigestLog(
      new NoTaskIndex(openDatabase(':memory:')),
      key,
      peerIdFromPrivateKey(key).toString(),
    );
    const records = log.appendAll([
      taskInput({ taskId: 'twice' }),
      taskInput(),
      taskInput({ taskId: 'twice' }),
    ]);
    const { store } = receiver();
    store.insertRun(records, encodeBatch(records));
    const report = await verifyLog(store);
    expect(report.origins[0]?.error).toMatchObject({ code: ErrorCode.LogChainBroken, seq: 3 });
    expect(report.origins[0]?.records).toBe(2);
  });
});
