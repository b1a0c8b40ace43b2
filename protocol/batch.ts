/**
 * Batch frames: `tasks` (the leases of one transaction, orchestrator -> worker) and `results` (the
 * acks, results and failures of one turn, worker -> orchestrator). One frame instead of N saves a
 * header parse, a payload digest, a prefix and a transport write per entry on both sides.
 *
 * Each entry names its bytes with `offset`/`length`; the entries must tile the payload in order
 * (no gap, no overlap, no trailing byte), checked from the header before any hashing. Each slice
 * is then hashed on decode: `sha256` for a task entry, `resultDigest` for a result entry, on top
 * of the frame's own payloadSha256. Both sides use them only after hello/welcome said so
 * (`batchFrames`), so single frames keep working for peers that never ask.
 */
import { ErrorCode, FrameError, throwIfAborted } from './errors.ts';
import { sha256Hex } from './hex.ts';
import { MAX_BATCH_ENTRIES, MAX_HEADER_BYTES, MAX_PAYLOAD_BYTES } from './limits.ts';
import type {
  BatchSlice,
  FailureEntry,
  FrameHeader,
  ResultEntry,
  ResultsHeader,
  TaskEntry,
  TasksHeader,
} from './messages.ts';

type Sliced = { entries: readonly BatchSlice[]; field: string };

function slicesOf(header: FrameHeader): Sliced | undefined {
  if (header.type === 'tasks') return { entries: header.tasks, field: 'tasks' };
  if (header.type === 'results') return { entries: header.results, field: 'results' };
  return undefined;
}

/** The entries of a batch frame tile its payload exactly (and results' slices are their outputs). */
export function checkBatchLayout(header: FrameHeader, payloadLength: number): void {
  const sliced = slicesOf(header);
  if (sliced === undefined) return;
  let at = 0;
  sliced.entries.forEach((entry, i) => {
    if (entry.offset !== at) {
      throw new FrameError(ErrorCode.FrameLengthMismatch, 'batch entries must tile the payload in order', {
        field: `${sliced.field}[${i}].offset`,
        expected: at,
        actual: entry.offset,
      });
    }
    if (header.type === 'results' && entry.length !== (entry as ResultEntry).outputLength) {
      throw new FrameError(ErrorCode.FrameLengthMismatch, 'a batched result carries its whole output', {
        field: `results[${i}].length`,
        expected: (entry as ResultEntry).outputLength,
        actual: entry.length,
      });
    }
    at += entry.length;
  });
  if (at !== payloadLength) {
    throw new FrameError(ErrorCode.FrameLengthMismatch, 'batch entries do not cover the payload', {
      field: sliced.field,
      expected: payloadLength,
      actual: at,
    });
  }
}

/** The bytes of one entry: a view into the payload, not a copy. */
export const entryBytes = (payload: Uint8Array, entry: BatchSlice): Uint8Array =>
  payload.subarray(entry.offset, entry.offset + entry.length);

/** Hashes every entry's slice against its digest (after checkBatchLayout). */
export async function verifyBatchDigests(
  header: FrameHeader,
  payload: Uint8Array,
  opts: { signal?: AbortSignal } = {},
): Promise<void> {
  const sliced = slicesOf(header);
  if (sliced === undefined) return;
  const digests = await Promise.all(sliced.entries.map((e) => sha256Hex(entryBytes(payload, e), opts)));
  sliced.entries.forEach((entry, i) => {
    const expected =
      header.type === 'tasks' ? (entry as TaskEntry).sha256 : (entry as ResultEntry).resultDigest;
    if (digests[i] !== expected) {
      const name = header.type === 'tasks' ? 'sha256' : 'resultDigest';
      throw new FrameError(ErrorCode.FrameDigestMismatch, 'batch entry digest differs from its bytes', {
        field: `${sliced.field}[${i}].${name}`,
      });
    }
  });
}

/** A frame to send: a header input and its payload. */
export interface BatchFrame<H> {
  header: H;
  payload: Uint8Array;
}

type TaskInput = Omit<TaskEntry, keyof BatchSlice | 'sha256'>;
type ResultInput = Omit<ResultEntry, keyof BatchSlice>;

/** Headers stay well under MAX_HEADER_BYTES: room for the base fields and JSON escaping slack. */
const HEADER_BUDGET = MAX_HEADER_BYTES - 512;
const utf8 = new TextEncoder();
const jsonBytes = (value: unknown): number => utf8.encode(JSON.stringify(value)).byteLength;

/**
 * `tasks` frames for these leases: as few as the limits allow (entries, header bytes, payload
 * bytes). Hashes each payload once, here; the receiver hashes it again to check it.
 */
export async function buildTasksFrames(
  items: readonly { task: TaskInput; payload: Uint8Array }[],
  opts: { signal?: AbortSignal } = {},
): Promise<BatchFrame<Omit<TasksHeader, 'v' | 'payloadLength' | 'payloadSha256'>>[]> {
  throwIfAborted(opts.signal);
  const digests = await Promise.all(items.map((item) => sha256Hex(item.payload, opts)));
  const frames: BatchFrame<Omit<TasksHeader, 'v' | 'payloadLength' | 'payloadSha256'>>[] = [];
  let group: { entry: TaskEntry; payload: Uint8Array }[] = [];
  let headerBytes = 0;
  let payloadBytes = 0;
  const close = (): void => {
    if (group.length === 0) return;
    frames.push({ header: { type: 'tasks', tasks: group.map((g) => g.entry) }, payload: concat(group) });
    group = [];
    headerBytes = 0;
    payloadBytes = 0;
  };
  items.forEach((item, i) => {
    const entry: TaskEntry = {
      ...item.task,
      offset: 0,
      length: item.payload.length,
      sha256: digests[i] ?? '',
    };
    const size = jsonBytes(entry) + 16; // + the largest offset's digits
    const full =
      group.length >= MAX_BATCH_ENTRIES ||
      headerBytes + size > HEADER_BUDGET ||
      payloadBytes + item.payload.length > MAX_PAYLOAD_BYTES;
    if (full) close();
    entry.offset = payloadBytes;
    group.push({ entry, payload: item.payload });
    headerBytes += size;
    payloadBytes += item.payload.length;
  });
  close();
  return frames;
}

/** What one turn of a worker finished, before it is split into `results` frames. */
export interface ResultsBatch {
  acks: string[];
  results: { result: ResultInput; output: Uint8Array }[];
  failures: FailureEntry[];
}

/** `results` frames for one turn's acks, results and failures, as few as the limits allow. */
export function buildResultsFrames(
  batch: ResultsBatch,
): BatchFrame<Omit<ResultsHeader, 'v' | 'payloadLength' | 'payloadSha256'>>[] {
  const frames: BatchFrame<Omit<ResultsHeader, 'v' | 'payloadLength' | 'payloadSha256'>>[] = [];
  let acks: string[] = [];
  let failures: FailureEntry[] = [];
  let group: { entry: ResultEntry; payload: Uint8Array }[] = [];
  let headerBytes = 0;
  let payloadBytes = 0;
  const close = (): void => {
    if (acks.length + failures.length + group.length === 0) return;
    const results = group.map((g) => g.entry);
    frames.push({ header: { type: 'results', acks, results, failures }, payload: concat(group) });
    acks = [];
    failures = [];
    group = [];
    headerBytes = 0;
    payloadBytes = 0;
  };
  const fits = (size: number, count: number, extraPayload = 0): void => {
    if (
      count >= MAX_BATCH_ENTRIES ||
      headerBytes + size > HEADER_BUDGET ||
      payloadBytes + extraPayload > MAX_PAYLOAD_BYTES
    )
      close();
    headerBytes += size;
  };
  for (const replicaId of batch.acks) {
    fits(jsonBytes(replicaId) + 1, acks.length);
    acks.push(replicaId);
  }
  for (const { result, output } of batch.results) {
    const entry: ResultEntry = { ...result, offset: 0, length: output.length };
    fits(jsonBytes(entry) + 16, group.length, output.length);
    entry.offset = payloadBytes;
    group.push({ entry, payload: output });
    payloadBytes += output.length;
  }
  for (const failure of batch.failures) {
    fits(jsonBytes(failure) + 1, failures.length);
    failures.push(failure);
  }
  close();
  return frames;
}

function concat(parts: readonly { payload: Uint8Array }[]): Uint8Array {
  if (parts.length === 1) return (parts[0] as { payload: Uint8Array }).payload;
  let total = 0;
  for (const part of parts) total += part.payload.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part.payload, at);
    at += part.payload.length;
  }
  return out;
}
