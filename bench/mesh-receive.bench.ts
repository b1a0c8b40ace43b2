/**
 * CPU per record of a log peer's receive path, the part of propagation that grows with the rate:
 * Noise decryption of the bytes (the ChaCha20-Poly1305 nodes use on Bun, bun-workarounds.ts), batch
 * decoding, chain/hash/signature checks and the SQLite insert; plus re-encryption for each
 * forward. Current path (deflate + hand-written record check, batch.ts; the batch stored as
 * received, one row) against the previous one (plain JSON checked by the zod schema; one row per
 * record), measured in the same run, on an in-memory database (no WAL writes). Single thread, no
 * network: unlike the latency benches it hardly moves when other work shares the machine.
 *   bun bench/mesh-receive.bench.ts [--batch 50] [--batches 200] [--runs 5] [--forwards 3]
 */
import { parseArgs } from 'node:util';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { z } from 'zod';
import { openDatabase } from '../orchestrator/db/index.ts';
import { decodeBatch, encodeBatch } from '../orchestrator/mesh/batch.ts';
import { DigestLog } from '../orchestrator/mesh/digest-log.ts';
import { type LogRecord, LogRecordSchema } from '../orchestrator/mesh/record.ts';
import { LogStore } from '../orchestrator/mesh/store.ts';
import { verifyRun } from '../orchestrator/mesh/verify.ts';
import { bunSafeNoiseCrypto as noiseCrypto } from '../orchestrator/p2p/bun-workarounds.ts';
import { taskInput } from '../tests/mesh/peers.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '50' },
    batches: { type: 'string', default: '200' },
    runs: { type: 'string', default: '5' },
    forwards: { type: 'string', default: '3' },
  },
});
const BATCH = Number(values.batch);
const BATCHES = Number(values.batches);
const RUNS = Number(values.runs);
const FORWARDS = Number(values.forwards);

const key = await generateKeyPair('Ed25519');
const origin = peerIdFromPrivateKey(key).toString();
const source = new DigestLog(new LogStore(openDatabase(':memory:')), key, origin);
const batches: LogRecord[][] = Array.from({ length: BATCHES }, () =>
  Array.from({ length: BATCH }, () => source.append(taskInput())),
);

// The previous codec: the whole batch as plain JSON, every record checked by zod.
const OldBatch = z.strictObject({ v: z.literal(1), records: z.array(LogRecordSchema).min(1).max(256) });
const oldDecode = (bytes: Uint8Array): LogRecord[] =>
  OldBatch.parse(JSON.parse(new TextDecoder().decode(bytes))).records;

interface Codec {
  name: string;
  encode: (records: LogRecord[]) => Uint8Array;
  decode: (bytes: Uint8Array) => LogRecord[];
  /** How the receiver keeps a verified batch: one row per record, or the batch as received. */
  store: (store: LogStore, records: LogRecord[], received: Uint8Array) => void;
}
const codecs: Codec[] = [
  {
    name: 'previous (JSON + zod, rows)',
    encode: (r) => encodeBatch(r, { compress: false }),
    decode: oldDecode,
    store: (s, r) => s.insert(r),
  },
  {
    name: 'current (deflate, batch row)',
    encode: (r) => encodeBatch(r),
    decode: decodeBatch,
    store: (s, r, received) => s.insertRun(r, received),
  },
];

const cipherKey = new Uint8Array(32).fill(7);
const nonce = new Uint8Array(12);
const noAd = new Uint8Array(0);

/** One receiver's work for every batch (fresh database), in microseconds of CPU per record. */
async function receive(codec: Codec): Promise<{ usPerRecord: number; bytesPerRecord: number }> {
  const store = new LogStore(openDatabase(':memory:'));
  // What arrives on the wire: encoded and encrypted by the publisher (not counted here).
  const wire = batches.map((b) =>
    noiseCrypto.chaCha20Poly1305Encrypt(codec.encode(b), nonce, noAd, cipherKey),
  );
  const bytes = wire.reduce((n, w) => n + w.length, 0);
  const start = process.cpuUsage();
  let anchor: { seq: number; hash: string } | undefined;
  for (const frame of wire) {
    const opened = noiseCrypto.chaCha20Poly1305Decrypt(frame, nonce, noAd, cipherKey);
    const plain = opened instanceof Uint8Array ? opened : opened.subarray();
    const records = codec.decode(plain);
    await verifyRun(records, anchor === undefined ? {} : { anchor });
    codec.store(store, records, plain);
    const last = records.at(-1) as LogRecord;
    anchor = { seq: last.seq, hash: last.hash };
    // GossipSub forwards the message as received to its other mesh peers.
    for (let f = 0; f < FORWARDS; f++) noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, noAd, cipherKey);
  }
  const cpu = process.cpuUsage(start);
  const records = BATCHES * BATCH;
  return { usPerRecord: (cpu.user + cpu.system) / records, bytesPerRecord: bytes / records };
}

console.log(
  `log receive path: ${BATCHES} batches of ${BATCH} records, ${FORWARDS} forwards each, median of ${RUNS} runs`,
);
const results = new Map<string, { us: number[]; bytes: number }>();
for (let run = 0; run < RUNS; run++) {
  for (const codec of codecs) {
    const r = await receive(codec);
    const entry = results.get(codec.name) ?? { us: [], bytes: r.bytesPerRecord };
    entry.us.push(r.usPerRecord);
    results.set(codec.name, entry);
  }
}
for (const [name, r] of results) {
  console.log(
    `${name.padEnd(32)} ${median(r.us).toFixed(1)} us CPU per record  ${r.bytes.toFixed(0)} B per record`,
  );
}
const [prev, cur] = codecs.map((c) => median(results.get(c.name)?.us ?? []));
console.log(`ratio current / previous: x${((cur ?? 0) / (prev ?? 1)).toFixed(2)}`);
process.exit(0);
