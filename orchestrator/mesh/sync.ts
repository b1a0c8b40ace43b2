/**
 * /shardmesh/log-sync/1.0.0: request/response catch-up for the digest log. One length-prefixed
 * JSON request per stream, one length-prefixed JSON response, then the stream closes.
 *   { type: 'heads' }                          -> { heads: [{ origin, seq, hash }] }
 *   { type: 'range', origin, from, limit }     -> { records: [...] }  (ascending, <= limit)
 * Responses are untrusted: the caller verifies every record before storing it (log-sync.ts).
 */
import type { Libp2p, PeerId } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { z } from 'zod';
import { ErrorCode } from '../../protocol/errors.ts';
import { LogError } from './errors.ts';
import { type LogRecord, LogRecordSchema } from './record.ts';
import type { LogStore, OriginHead } from './store.ts';

export const SYNC_PROTOCOL = '/shardmesh/log-sync/1.0.0';
/** Most records one range response carries. */
export const MAX_SYNC_PAGE = 1000;
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

const RequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('heads') }),
  z.strictObject({
    type: z.literal('range'),
    origin: z.string().min(1).max(128),
    from: z.number().int().min(1),
    limit: z.number().int().min(1).max(MAX_SYNC_PAGE),
  }),
]);
type SyncRequest = z.infer<typeof RequestSchema>;

const HeadsSchema = z.strictObject({
  heads: z
    .array(
      z.strictObject({
        origin: z.string().min(1).max(128),
        seq: z.number().int().min(1),
        hash: z.string().regex(/^[0-9a-f]{64}$/),
      }),
    )
    .max(100_000),
});
const RangeSchema = z.strictObject({ records: z.array(LogRecordSchema).max(MAX_SYNC_PAGE) });

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function parse<T>(schema: z.ZodType<T>, bytes: Uint8Array, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new LogError(ErrorCode.LogMalformed, `${what} is not JSON`, undefined, { cause: err });
  }
  const result = schema.safeParse(json);
  if (!result.success)
    throw new LogError(ErrorCode.LogMalformed, `${what} is malformed`, {
      issues: result.error.issues.length,
    });
  return result.data;
}

/** Answers sync requests from the local store. Returns the function that stops serving. */
export async function serveSync(
  node: Libp2p,
  store: LogStore,
  opts: { timeoutMs?: number } = {},
): Promise<() => Promise<void>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  await node.handle(
    SYNC_PROTOCOL,
    async (stream) => {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES });
        const request = parse(RequestSchema, (await lp.read({ signal })).subarray(), 'sync request');
        await lp.write(encoder.encode(JSON.stringify(answer(store, request))), { signal });
        await stream.close({ signal });
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)));
      }
    },
    { maxInboundStreams: 16, runOnLimitedConnection: false },
  );
  return async () => {
    await node.unhandle(SYNC_PROTOCOL).catch(() => {});
  };
}

function answer(store: LogStore, request: SyncRequest): unknown {
  if (request.type === 'heads') return { heads: store.heads() };
  return { records: store.range(request.origin, request.from, request.limit) };
}

async function exchange<T>(
  node: Libp2p,
  peer: PeerId,
  request: SyncRequest,
  schema: z.ZodType<T>,
  signal: AbortSignal,
): Promise<T> {
  let stream: Awaited<ReturnType<Libp2p['dialProtocol']>>;
  try {
    stream = await node.dialProtocol(peer, SYNC_PROTOCOL, { signal });
  } catch (err) {
    throw new LogError(
      ErrorCode.LogSyncFailed,
      `cannot open log-sync to ${peer}`,
      { peer: peer.toString() },
      { cause: err },
    );
  }
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES });
    await lp.write(encoder.encode(JSON.stringify(request)), { signal });
    const reply = parse(schema, (await lp.read({ signal })).subarray(), 'sync response');
    await stream.close({ signal }).catch(() => {});
    return reply;
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    if (err instanceof LogError) throw err;
    throw new LogError(
      ErrorCode.LogSyncFailed,
      `log-sync with ${peer} failed`,
      { peer: peer.toString() },
      { cause: err },
    );
  }
}

export async function fetchHeads(
  node: Libp2p,
  peer: PeerId,
  opts: { signal: AbortSignal },
): Promise<OriginHead[]> {
  return (await exchange(node, peer, { type: 'heads' }, HeadsSchema, opts.signal)).heads;
}

export async function fetchRange(
  node: Libp2p,
  peer: PeerId,
  origin: string,
  from: number,
  limit: number,
  opts: { signal: AbortSignal },
): Promise<LogRecord[]> {
  const request: SyncRequest = { type: 'range', origin, from, limit: Math.min(limit, MAX_SYNC_PAGE) };
  return (await exchange(node, peer, request, RangeSchema, opts.signal)).records;
}
