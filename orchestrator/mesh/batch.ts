/**
 * The GossipSub message of the log topic: one origin's consecutive records as JSON,
 * `{ v: 1, records: [...] }`, at most MAX_BATCH_RECORDS of them, compressed:
 *
 *   0x01 || deflate-raw(JSON)   (what encodeBatch sends)
 *   JSON as is                  (first byte '{'; still accepted)
 *
 * Why compress: on Bun every byte a peer receives or forwards goes through the pure
 * (AssemblyScript) ChaCha20-Poly1305 of Noise (bun-workarounds.ts), the largest per-record cost
 * of a receiver. Records are hex-heavy and each carries its predecessor's hash, so deflate level
 * 1 shrinks a batch ~2.6x for ~4 us per record to compress and ~2.5 us to inflate.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ErrorCode } from '../../protocol/errors.ts';
import { LogError } from './errors.ts';
import type { LogRecord } from './record.ts';
import { parseLogRecord } from './record-parse.ts';

export const BATCH_VERSION = 1;
export const MAX_BATCH_RECORDS = 256;
/** First byte of a compressed batch (a JSON batch starts with '{'). */
export const DEFLATE_FORMAT = 0x01;
/** Largest inflated batch: a bound on decompression bombs, well above 256 large records. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface EncodeBatchOptions {
  /** Deflate the JSON (default true). */
  compress?: boolean;
}

export function encodeBatch(records: readonly LogRecord[], opts: EncodeBatchOptions = {}): Uint8Array {
  const json = encoder.encode(JSON.stringify({ v: BATCH_VERSION, records }));
  if (opts.compress === false) return json;
  const packed = deflateRawSync(json, { level: 1 });
  const out = new Uint8Array(packed.length + 1);
  out[0] = DEFLATE_FORMAT;
  out.set(packed, 1);
  return out;
}

function malformed(message: string, details?: Record<string, unknown>, cause?: unknown): LogError {
  return new LogError(ErrorCode.LogMalformed, message, details, cause === undefined ? undefined : { cause });
}

function inflate(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== DEFLATE_FORMAT) return bytes;
  try {
    return inflateRawSync(bytes.subarray(1), { maxOutputLength: MAX_BATCH_BYTES });
  } catch (err) {
    throw malformed('log batch does not inflate (or inflates past the limit)', undefined, err);
  }
}

/** Parses a batch; throws LogError LOG_MALFORMED unless it is one origin's contiguous run. */
export function decodeBatch(bytes: Uint8Array): LogRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(inflate(bytes)));
  } catch (err) {
    if (err instanceof LogError) throw err;
    throw malformed('log batch is not JSON', undefined, err);
  }
  const batch = json as { v?: unknown; records?: unknown };
  if (
    typeof json !== 'object' ||
    json === null ||
    Object.keys(json).length !== 2 ||
    batch.v !== BATCH_VERSION ||
    !Array.isArray(batch.records) ||
    batch.records.length < 1 ||
    batch.records.length > MAX_BATCH_RECORDS
  ) {
    throw malformed('log batch does not match the schema');
  }
  const records: LogRecord[] = [];
  for (const item of batch.records) {
    const r = parseLogRecord(item);
    if (r === undefined) throw malformed('log batch does not match the schema', { index: records.length });
    records.push(r);
  }
  const first = records[0];
  for (const [i, r] of records.entries()) {
    if (first === undefined || r.origin !== first.origin || r.seq !== first.seq + i) {
      throw malformed("a batch must be one origin's consecutive records", { seq: r.seq });
    }
  }
  return records;
}
