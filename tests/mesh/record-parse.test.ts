/**
 * The gossip hot path's hand-written record check (record-parse.ts) against the zod schema it
 * stands in for: on valid records and on random mutations of them (a field replaced by a value
 * of any JSON type, removed, or an extra key added) both accept or both refuse. Plus the batch
 * codec: compressed and plain batches round-trip, bad bytes and bombs are LOG_MALFORMED.
 */
import { describe, expect, test } from 'bun:test';
import { deflateRawSync } from 'node:zlib';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import fc from 'fast-check';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { DEFLATE_FORMAT, decodeBatch, encodeBatch } from '../../orchestrator/mesh/batch.ts';
import { DigestLog } from '../../orchestrator/mesh/digest-log.ts';
import { type LogRecord, LogRecordSchema } from '../../orchestrator/mesh/record.ts';
import { parseLogRecord } from '../../orchestrator/mesh/record-parse.ts';
import { LogStore } from '../../orchestrator/mesh/store.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { taskInput } from './peers.ts';

const key = await generateKeyPair('Ed25519');
const log = new DigestLog(new LogStore(openDatabase(':memory:')), key, peerIdFromPrivateKey(key).toString());
const records: LogRecord[] = Array.from({ length: 8 }, (_, i) =>
  log.append(taskInput(i % 2 === 0 ? {} : { proof: `groth16:result_binding:1.${'ab'.repeat(32)}` })),
);
const FIELDS = Object.keys(records[0] as object);

const zodAccepts = (x: unknown): boolean => LogRecordSchema.safeParse(x).success;
const fastAccepts = (x: unknown): boolean => parseLogRecord(x) !== undefined;

/** Values of every JSON type, including edge cases of the checked ranges. */
const anyValue = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1, 1.5, 2 ** 53, -0, '', 'a', 'x'.repeat(129), 'f'.repeat(64)),
  fc.constantFrom('0'.repeat(128), 'G'.repeat(64), 'id with space', [], ['w'], [''], {}, { a: 1 }),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 140 }),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
);

describe('parseLogRecord', () => {
  test('accepts the valid records zod accepts', () => {
    for (const r of records) {
      expect(zodAccepts(r)).toBe(true);
      expect(parseLogRecord(JSON.parse(JSON.stringify(r)))).toEqual(r);
    }
  });

  test('agrees with LogRecordSchema on random mutations', () => {
    const mutation = fc.record({
      base: fc.integer({ min: 0, max: records.length - 1 }),
      field: fc.constantFrom(...FIELDS, 'extra'),
      op: fc.constantFrom('set', 'delete'),
      value: anyValue,
    });
    fc.assert(
      fc.property(mutation, ({ base, field, op, value }) => {
        const r: Record<string, unknown> = { ...(records[base] as LogRecord) };
        if (op === 'delete') delete r[field];
        else r[field] = value;
        const copy = JSON.parse(JSON.stringify(r)) as unknown;
        expect(fastAccepts(copy)).toBe(zodAccepts(copy));
      }),
      { numRuns: 2_000 },
    );
  });

  test('refuses non-objects', () => {
    for (const x of [null, [], 'r', 1, [records[0]]]) expect(fastAccepts(x)).toBe(false);
  });
});

describe('batch codec', () => {
  test('compressed and plain batches round-trip; compression shrinks them', () => {
    const packed = encodeBatch(records);
    const plain = encodeBatch(records, { compress: false });
    expect(packed[0]).toBe(DEFLATE_FORMAT);
    expect(packed.length).toBeLessThan(plain.length / 2);
    expect(decodeBatch(packed)).toEqual(records);
    expect(decodeBatch(plain)).toEqual(records);
  });

  test('garbage, truncation, a bomb, a bad record and a mixed run are LOG_MALFORMED', () => {
    const packed = encodeBatch(records);
    const bomb = new Uint8Array([DEFLATE_FORMAT, ...deflateRawSync(new Uint8Array(9 * 1024 * 1024))]);
    const badRecord = encodeBatch([{ ...(records[0] as LogRecord), hash: 'nope' }]);
    const gap = encodeBatch([records[0] as LogRecord, records[2] as LogRecord]);
    for (const bytes of [
      new Uint8Array([DEFLATE_FORMAT, 1, 2, 3]),
      packed.subarray(0, 20),
      bomb,
      badRecord,
      gap,
    ]) {
      expect(() => decodeBatch(bytes)).toThrow(expect.objectContaining({ code: ErrorCode.LogMalformed }));
    }
  });
});
