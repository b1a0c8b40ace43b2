/**
 * The GossipSub message of the log topic: one origin's consecutive records as JSON,
 * `{ v: 1, records: [...] }`, at most MAX_BATCH_RECORDS of them.
 */
import { z } from 'zod';
import { ErrorCode } from '../../protocol/errors.ts';
import { LogError } from './errors.ts';
import { type LogRecord, LogRecordSchema } from './record.ts';

export const BATCH_VERSION = 1;
export const MAX_BATCH_RECORDS = 256;

const BatchSchema = z.strictObject({
  v: z.literal(BATCH_VERSION),
  records: z.array(LogRecordSchema).min(1).max(MAX_BATCH_RECORDS),
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeBatch(records: readonly LogRecord[]): Uint8Array {
  return encoder.encode(JSON.stringify({ v: BATCH_VERSION, records }));
}

/** Parses a batch; throws LogError LOG_MALFORMED unless it is one origin's contiguous run. */
export function decodeBatch(bytes: Uint8Array): LogRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new LogError(ErrorCode.LogMalformed, 'log batch is not JSON', undefined, { cause: err });
  }
  const parsed = BatchSchema.safeParse(json);
  if (!parsed.success) {
    throw new LogError(ErrorCode.LogMalformed, 'log batch does not match the schema', {
      issues: parsed.error.issues.length,
    });
  }
  const { records } = parsed.data;
  const first = records[0];
  for (const [i, r] of records.entries()) {
    if (first === undefined || r.origin !== first.origin || r.seq !== first.seq + i) {
      throw new LogError(ErrorCode.LogMalformed, "a batch must be one origin's consecutive records", {
        seq: r.seq,
      });
    }
  }
  return records;
}
