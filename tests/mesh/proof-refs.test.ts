/**
 * Proof references in log records, over a real engine database: what the dispatcher records
 * when a proof verifies (saveProofRef) and what the replay guard consumed end up in the record;
 * `log verify` refuses a reference that differs from the proofs verified at the origin, one
 * missing from the replay guard, a proof referenced twice, and a malformed reference; a peer
 * holding another origin's records checks the shape only. (The real-proof path, worker proof ->
 * verifier -> record, is in tests/mesh/proof-refs-e2e.test.ts.)
 */
import { describe, expect, test } from 'bun:test';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { TaskEngine } from '../../orchestrator/engine/index.ts';
import { DigestLog, signRecordSync } from '../../orchestrator/mesh/digest-log.ts';
import { formatProofRef, parseProofRef, saveProofRef } from '../../orchestrator/mesh/proof-refs.ts';
import type { LogRecord } from '../../orchestrator/mesh/record.ts';
import { LogStore } from '../../orchestrator/mesh/store.ts';
import { verifyRun } from '../../orchestrator/mesh/verify.ts';
import { verifyLog } from '../../orchestrator/mesh/verify-log.ts';
import { ProofReplayGuard } from '../../orchestrator/proofs/replay-guard.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { honest, payloads } from '../engine/helpers.ts';

const fingerprint = (s: string): string => new Bun.CryptoHasher('sha256').update(s).digest('hex');

/** An origin whose job requires proofs; every replica's "verified proof" is recorded as the dispatcher does. */
async function origin(opts: { skipGuardFor?: string; circuit?: 'result_binding' | 'result_batch' } = {}) {
  const circuit = opts.circuit ?? 'result_binding';
  const db = openDatabase(':memory:');
  const engine = new TaskEngine(db);
  const key = await generateKeyPair('Ed25519');
  const id = peerIdFromPrivateKey(key).toString();
  const store = new LogStore(db);
  const log = new DigestLog(store, key, id);
  log.attach(engine);
  const guard = new ProofReplayGuard(db);
  engine.createJob({ kind: 'matmul', tasks: payloads(3, id.slice(-6)), proof: circuit });
  const consumed = new Set<string>();
  for (let progress = true; progress; ) {
    progress = false;
    for (const w of ['w-b', 'w-a']) {
      for (const lease of engine.lease(w, 8)) {
        // A batch proof covers every replica of one worker; a single proof covers its own.
        const proofHash = fingerprint(`${id}/${circuit === 'result_batch' ? w : lease.replicaId}`);
        if (lease.proof === undefined) throw new Error('the job requires proofs');
        if (w !== opts.skipGuardFor && !consumed.has(proofHash))
          guard.consume({ nonce: lease.proof.nonce, proofHash, workerId: w, circuit });
        consumed.add(proofHash);
        saveProofRef(db, lease.replicaId, { circuit, version: 1, proofHash });
        engine.submit(lease.replicaId, w, honest(lease));
        progress = true;
      }
    }
  }
  await new Promise((r) => setImmediate(r)); // the log appends at the end of the turn
  return { db, store, id, key, records: store.range(id, 1, 10) };
}

/** Re-signs an edited record so only the edited field is wrong (the origin itself lying). */
function resign(r: LogRecord, key: Parameters<typeof signRecordSync>[0]): LogRecord {
  const { hash: _h, signature: _s, ...body } = r;
  return signRecordSync(key, body);
}

describe('proof references', () => {
  test('records of a proof-requiring job reference each agreeing worker’s verified proof', async () => {
    const o = await origin();
    expect(o.records).toHaveLength(3);
    for (const r of o.records) {
      const ref = parseProofRef(r.proof ?? '');
      expect(ref?.circuit).toBe('result_binding');
      expect(ref?.entries).toHaveLength(2);
      expect(r.workers).toEqual(['w-a', 'w-b']);
      // Positional: entry i is the proof of workers[i].
      const replicas = o.db
        .query<{ id: string; worker_id: string }, [string]>(
          "SELECT id, worker_id FROM replicas WHERE task_id = ?1 AND state = 'accepted' ORDER BY worker_id",
        )
        .all(r.taskId);
      expect(ref?.entries.map((e) => e.proofHash)).toEqual(
        replicas.map((x) => fingerprint(`${o.id}/${x.id}`)),
      );
    }
    const report = await verifyLog(o.store);
    expect(report.ok).toBe(true);
  });

  test('log verify at the origin refuses a reference that differs from the proofs verified there', async () => {
    const o = await origin();
    const [first] = o.records;
    if (first === undefined) throw new Error('no record');
    const ref = parseProofRef(first.proof ?? '');
    if (ref === undefined) throw new Error('no ref');
    const swapped = formatProofRef({ ...ref, entries: [...ref.entries].reverse() });
    const forged = resign({ ...first, proof: swapped }, o.key);
    o.db
      .query('UPDATE digest_log SET proof_ref = ?1, hash = ?2, signature = ?3 WHERE origin = ?4 AND seq = 1')
      .run(forged.proof, forged.hash, forged.signature, o.id);
    // (The next link now breaks too, but the proof check of seq 1 runs first in its run.)
    const report = await verifyLog(o.store, { pageSize: 1 });
    expect(report.origins[0]?.error).toMatchObject({ code: ErrorCode.LogProofUnverified, seq: 1 });
  });

  test('log verify at the origin refuses a proof the replay guard never consumed', async () => {
    const o = await origin({ skipGuardFor: 'w-b' });
    const report = await verifyLog(o.store);
    expect(report.origins[0]?.error).toMatchObject({ code: ErrorCode.LogProofUnverified, seq: 1 });
  });

  test('a peer checks shapes only, and refuses one proof referenced by two records', async () => {
    const a = await origin();
    const b = await origin();
    const peer = new LogStore(openDatabase(':memory:'));
    peer.insert(a.records);
    peer.insert(b.records);
    expect((await verifyLog(peer)).ok).toBe(true); // no local results: nothing to compare

    // Origin b's third record re-uses a proof that origin a already referenced.
    const stolen = parseProofRef(a.records[0]?.proof ?? '');
    const third = b.records[2];
    if (stolen === undefined || third === undefined) throw new Error('setup');
    const reused = resign({ ...third, proof: formatProofRef(stolen) }, b.key);
    const copy = new LogStore(openDatabase(':memory:'));
    copy.insert(a.records);
    copy.insert([...b.records.slice(0, 2), reused]);
    const report = await verifyLog(copy);
    expect(report.ok).toBe(false);
    // Whichever chain is walked second holds the repeat: a's seq 1 or b's seq 3.
    const failed = report.origins.filter((x) => !x.ok);
    expect(failed).toHaveLength(1);
    const where = failed[0]?.origin === b.id ? 3 : 1;
    expect(failed[0]?.error).toMatchObject({ code: ErrorCode.LogProofUnverified, seq: where });
  });

  test('a batch proof backs several tasks of its own worker, never another worker’s', async () => {
    const o = await origin({ circuit: 'result_batch' });
    expect(o.records).toHaveLength(3);
    const hashes = o.records.map((r) => parseProofRef(r.proof ?? '')?.entries.map((e) => e.proofHash));
    expect(new Set(hashes.map((h) => h?.[0])).size).toBe(1); // w-a's one batch proof, three times
    expect((await verifyLog(o.store)).ok).toBe(true);

    // The same batch proof claimed for another worker's result is a reuse.
    const [first] = o.records;
    const ref = parseProofRef(first?.proof ?? '');
    if (first === undefined || ref === undefined) throw new Error('setup');
    const [a] = ref.entries;
    if (a === undefined) throw new Error('setup');
    const stolen = resign({ ...first, proof: formatProofRef({ ...ref, entries: [a, a] }) }, o.key);
    const peer = new LogStore(openDatabase(':memory:'));
    peer.insert([stolen]);
    const report = await verifyLog(peer);
    expect(report.origins[0]?.error).toMatchObject({ code: ErrorCode.LogProofUnverified, seq: 1 });
  });

  test('the gossip validator refuses malformed references and counts that do not match the workers', async () => {
    const o = await origin();
    const [first] = o.records;
    if (first === undefined) throw new Error('no record');
    const cases = [
      'groth16:result_binding:1.abc',
      'sha256:whatever',
      `groth16:no_such_circuit:1.${'a'.repeat(64)}`,
    ];
    const ref = parseProofRef(first.proof ?? '');
    if (ref === undefined) throw new Error('no ref');
    cases.push(formatProofRef({ ...ref, entries: ref.entries.slice(0, 1) }));
    for (const proof of cases) {
      const bad = resign({ ...first, proof }, o.key);
      await expect(verifyRun([bad])).rejects.toMatchObject({ code: ErrorCode.LogProofUnverified });
    }
    await expect(verifyRun([first])).resolves.toBeUndefined();
  });
});
