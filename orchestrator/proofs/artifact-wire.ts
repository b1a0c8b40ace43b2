/**
 * The artifact protocol's wire format, shared by the orchestrator's server and the worker's
 * client. One request per stream, length-prefixed bytes (no frame codec: the frame header schema
 * is the task protocol's, and an artifact needs no JSON header):
 *
 *   request:  u8 N | N ASCII bytes, either "manifest" or a 64-hex SHA-256; then the client
 *             closes its write side
 *   response: u8 status (0 ok, 1 error) | u32 BE length L | L bytes
 *             ok: the manifest JSON or the artifact's bytes; error: `{ code, message }` JSON
 *
 * Lengths are checked before anything is buffered, so a peer claiming 4 GB costs 5 bytes.
 * Browser-safe (no node: imports).
 */
import { Uint8ArrayList } from 'uint8arraylist';
import { ErrorCode, ShardmeshError, throwIfAborted } from '../../protocol/errors.ts';

export const ARTIFACT_PROTOCOL = '/shardmesh/artifacts/1.0.0';
export const MANIFEST_REQUEST = 'manifest';
/** "manifest" or a SHA-256 in hex: nothing longer is a request. */
export const MAX_REQUEST_BYTES = 64;
/** Default response limit on the client: the largest committed zkey is ~6 MB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

const STATUS_OK = 0;
const STATUS_ERROR = 1;
const RESPONSE_PREFIX_BYTES = 5;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The part of a libp2p stream both sides use (as protocol/frame-channel.ts's ByteStream). */
export interface ArtifactStream extends AsyncIterable<Uint8Array | { subarray(): Uint8Array }> {
  send(data: Uint8Array): boolean;
  onDrain(options?: { signal?: AbortSignal }): Promise<void>;
  close(options?: { signal?: AbortSignal }): Promise<void>;
  abort(err: Error): void;
}

/** What a request names: the manifest or one artifact by hash. */
export type ArtifactRequest = { kind: 'manifest' } | { kind: 'artifact'; sha256: string };

/** A wire problem on the artifact protocol (truncated, oversized, malformed). */
export class ArtifactWireError extends ShardmeshError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'ArtifactWireError';
  }
}

/** The server's typed refusal, re-raised on the client with the server's code (e.g. NOT_FOUND). */
export class ArtifactRemoteError extends ShardmeshError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'ArtifactRemoteError';
  }
}

const ascii = new TextEncoder();
const utf8 = new TextDecoder();

export function encodeRequest(req: ArtifactRequest): Uint8Array {
  const text = req.kind === 'manifest' ? MANIFEST_REQUEST : req.sha256;
  const body = ascii.encode(text);
  const out = new Uint8Array(1 + body.byteLength);
  out[0] = body.byteLength;
  out.set(body, 1);
  return out;
}

/** Parses a request's text; anything but "manifest" or lowercase 64-hex is BAD_REQUEST. */
export function parseRequest(text: string): ArtifactRequest {
  if (text === MANIFEST_REQUEST) return { kind: 'manifest' };
  if (SHA256_HEX.test(text)) return { kind: 'artifact', sha256: text };
  throw new ArtifactWireError(ErrorCode.BadRequest, 'request is neither "manifest" nor a SHA-256', {
    field: 'request',
  });
}

export function encodeResponse(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(RESPONSE_PREFIX_BYTES + body.byteLength);
  out[0] = STATUS_OK;
  new DataView(out.buffer).setUint32(1, body.byteLength);
  out.set(body, RESPONSE_PREFIX_BYTES);
  return out;
}

export function encodeErrorResponse(err: ShardmeshError): Uint8Array {
  const body = ascii.encode(JSON.stringify({ code: err.code, message: err.message }));
  const out = encodeResponse(body);
  out[0] = STATUS_ERROR;
  return out;
}

const chunkBytes = (c: Uint8Array | { subarray(): Uint8Array }): Uint8Array =>
  c instanceof Uint8Array ? c : c.subarray();

/** Server side: reads exactly one request (refusing any claimed length over MAX_REQUEST_BYTES). */
export async function readRequest(stream: ArtifactStream, opts: { signal?: AbortSignal } = {}) {
  const buffer = new Uint8ArrayList();
  for await (const chunk of stream) {
    throwIfAborted(opts.signal);
    buffer.append(chunkBytes(chunk));
    if (buffer.byteLength === 0) continue;
    const n = buffer.get(0);
    if (n > MAX_REQUEST_BYTES) {
      throw new ArtifactWireError(ErrorCode.BadRequest, `request of ${n} B exceeds the limit`, {
        actual: n,
        limit: MAX_REQUEST_BYTES,
      });
    }
    if (buffer.byteLength >= 1 + n) return parseRequest(utf8.decode(buffer.subarray(1, 1 + n)));
  }
  throw new ArtifactWireError(ErrorCode.BadRequest, 'stream ended before a full request');
}

/** Client side: reads one response; an error response throws ArtifactRemoteError with its code. */
export async function readResponse(
  stream: ArtifactStream,
  opts: { maxBytes?: number; signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  const limit = opts.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const buffer = new Uint8ArrayList();
  let length: number | undefined;
  for await (const chunk of stream) {
    throwIfAborted(opts.signal);
    buffer.append(chunkBytes(chunk));
    if (length === undefined && buffer.byteLength >= RESPONSE_PREFIX_BYTES) {
      length = buffer.getUint32(1);
      if (length > limit) {
        throw new ArtifactWireError(ErrorCode.PayloadTooLarge, `response of ${length} B exceeds the limit`, {
          actual: length,
          limit,
        });
      }
    }
    if (length !== undefined && buffer.byteLength >= RESPONSE_PREFIX_BYTES + length) {
      const body = buffer.subarray(RESPONSE_PREFIX_BYTES, RESPONSE_PREFIX_BYTES + length);
      if (buffer.get(0) === STATUS_OK) return body;
      throw remoteError(body);
    }
  }
  throw new ArtifactWireError(ErrorCode.BadRequest, 'stream ended before a full response', {
    received: buffer.byteLength,
  });
}

function remoteError(body: Uint8Array): ArtifactRemoteError {
  let parsed: { code?: unknown; message?: unknown } = {};
  try {
    parsed = JSON.parse(utf8.decode(body)) as typeof parsed;
  } catch {
    // A garbled error body is still an error; INTERNAL says we could not read its code.
  }
  const known = Object.values(ErrorCode) as string[];
  const code = typeof parsed.code === 'string' && known.includes(parsed.code) ? parsed.code : 'INTERNAL';
  const message = typeof parsed.message === 'string' ? parsed.message : 'artifact request refused';
  return new ArtifactRemoteError(code as ErrorCode, message);
}

/** Sends bytes, waiting for drain when the stream's buffer is full. */
export async function sendAll(
  stream: ArtifactStream,
  bytes: Uint8Array,
  opts: { signal?: AbortSignal } = {},
): Promise<void> {
  if (!stream.send(bytes)) await stream.onDrain(opts.signal ? { signal: opts.signal } : {});
}
