/**
 * The binary frame envelope: a 14-byte big-endian prefix, a UTF-8 JSON header, a binary payload.
 *
 *   0-3 "SHMF" | 4 version (1) | 5 flags (0) | 6-9 u32 header length H | 10-13 u32 payload length P
 *   then H bytes of header, then P bytes of payload; the frame is exactly 14 + H + P bytes.
 *
 * Every size is checked from the prefix before anything is parsed, allocated or hashed, so a
 * frame claiming a 4 GB payload costs a 14-byte read. The payload digest is verified on decode;
 * the header itself is not covered by any digest (the transport's AEAD protects it in transit).
 */

import { checkBatchLayout, verifyBatchDigests } from './batch.ts';
import { ErrorCode, FrameError, throwIfAborted } from './errors.ts';
import { sha256Hex } from './hex.ts';
import {
  FRAME_MAGIC,
  FRAME_PREFIX_BYTES,
  FRAME_VERSION,
  MAX_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
} from './limits.ts';
import type { Frame, FrameHeader, FrameHeaderInput } from './messages.ts';
import { parseFrameHeader, validateFrameHeader } from './validate-header.ts';

// The frame API's own types, so that callers of encode/decode need one import.
export type { Frame, FrameHeader, FrameHeaderInput } from './messages.ts';

export interface EncodeFrameOptions {
  signal?: AbortSignal;
}

export interface DecodeFrameOptions {
  /** Payload limit for this peer; clamped to MAX_PAYLOAD_BYTES (it can lower the limit, not raise it). */
  maxPayloadBytes?: number;
  signal?: AbortSignal;
}

/** Sizes read from a frame's prefix. */
export interface FramePrefix {
  headerLength: number;
  payloadLength: number;
  /** 14 + headerLength + payloadLength. */
  totalLength: number;
}

const utf8 = new TextEncoder();
/** Placeholder that passes digest-format validation until the real digest is known. */
const PENDING_DIGEST = '0'.repeat(64);
/** SHA-256 of zero bytes: most control frames (ack, pull, heartbeat) carry no payload. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function payloadDigest(payload: Uint8Array, signal: AbortSignal | undefined): Promise<string> | string {
  return payload.byteLength === 0 ? EMPTY_SHA256 : sha256Hex(payload, { signal });
}

function payloadLimit(maxPayloadBytes: number | undefined): number {
  if (maxPayloadBytes === undefined) return MAX_PAYLOAD_BYTES;
  // A caller bug, not a wire condition: NaN or a negative limit would silently mean "no limit".
  if (!(maxPayloadBytes >= 0)) throw new RangeError(`maxPayloadBytes must be >= 0, got ${maxPayloadBytes}`);
  return Math.min(maxPayloadBytes, MAX_PAYLOAD_BYTES);
}

/**
 * Reads and checks the 14-byte prefix (magic, version, flags, both size limits). Returns the error
 * instead of throwing, so stream readers can branch without try/catch.
 */
export function readFramePrefix(
  prefix: Uint8Array,
  opts: { maxPayloadBytes?: number } = {},
): FramePrefix | FrameError {
  const limit = payloadLimit(opts.maxPayloadBytes);
  if (prefix.byteLength < FRAME_PREFIX_BYTES) {
    return new FrameError(ErrorCode.FrameTooShort, `frame prefix needs ${FRAME_PREFIX_BYTES} B`, {
      actual: prefix.byteLength,
    });
  }
  for (let i = 0; i < FRAME_MAGIC.length; i++) {
    if (prefix[i] !== FRAME_MAGIC[i]) return new FrameError(ErrorCode.FrameBadMagic, 'not a Shardmesh frame');
  }
  if (prefix[4] !== FRAME_VERSION) {
    return new FrameError(ErrorCode.FrameUnsupportedVersion, `unsupported frame version ${prefix[4]}`, {
      version: prefix[4],
    });
  }
  if (prefix[5] !== 0) {
    return new FrameError(ErrorCode.FrameUnsupportedFlags, `unsupported frame flags ${prefix[5]}`, {
      flags: prefix[5],
    });
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, FRAME_PREFIX_BYTES);
  const headerLength = view.getUint32(6);
  const payloadLength = view.getUint32(10);
  if (headerLength > MAX_HEADER_BYTES) {
    return new FrameError(ErrorCode.FrameHeaderTooLarge, `header of ${headerLength} B exceeds the limit`, {
      actual: headerLength,
      limit: MAX_HEADER_BYTES,
    });
  }
  if (payloadLength > limit) {
    return new FrameError(ErrorCode.FramePayloadTooLarge, `payload of ${payloadLength} B exceeds the limit`, {
      actual: payloadLength,
      limit,
    });
  }
  return { headerLength, payloadLength, totalLength: FRAME_PREFIX_BYTES + headerLength + payloadLength };
}

/** Total length of the frame starting at `prefix` (first 14 bytes needed), or why it is unreadable. */
export function peekFrameLength(
  prefix: Uint8Array,
  opts: { maxPayloadBytes?: number } = {},
): number | FrameError {
  const read = readFramePrefix(prefix, opts);
  return read instanceof FrameError ? read : read.totalLength;
}

/** A result's payload, when present, is the output itself: it must match outputLength. */
function checkResultLength(header: FrameHeader, payloadLength: number): void {
  if (header.type === 'result' && payloadLength > 0 && payloadLength !== header.outputLength) {
    throw new FrameError(ErrorCode.FrameLengthMismatch, 'result payload length differs from outputLength', {
      field: 'outputLength',
      expected: header.outputLength,
      actual: payloadLength,
    });
  }
}

/** ...and its digest is then the result digest. */
function checkResultDigest(header: FrameHeader, payloadLength: number, payloadSha256: string): void {
  if (header.type === 'result' && payloadLength > 0 && payloadSha256 !== header.resultDigest) {
    throw new FrameError(ErrorCode.FrameDigestMismatch, 'result payload digest differs from resultDigest', {
      field: 'resultDigest',
    });
  }
}

/**
 * Encodes one frame. Fills `v`, `payloadLength` and `payloadSha256`; validates the header exactly
 * as decodeFrame would, so an invalid header throws the same FrameError on either side.
 */
export async function encodeFrame(
  input: FrameHeaderInput,
  payload: Uint8Array = new Uint8Array(0),
  opts: EncodeFrameOptions = {},
): Promise<Uint8Array> {
  const { signal } = opts;
  throwIfAborted(signal);
  const payloadLength = payload.byteLength;
  if (payloadLength > MAX_PAYLOAD_BYTES) {
    throw new FrameError(ErrorCode.FramePayloadTooLarge, `payload of ${payloadLength} B exceeds the limit`, {
      actual: payloadLength,
      limit: MAX_PAYLOAD_BYTES,
    });
  }
  // Validate before hashing: a bad header should not cost a 32 MiB digest.
  const header = validateFrameHeader({
    ...input,
    v: FRAME_VERSION,
    payloadLength,
    payloadSha256: PENDING_DIGEST,
  });
  checkResultLength(header, payloadLength);
  checkBatchLayout(header, payloadLength);
  // Batch entries' own digests are not re-hashed here: the builders computed them (the decoder checks).
  header.payloadSha256 = await payloadDigest(payload, signal);
  checkResultDigest(header, payloadLength, header.payloadSha256);

  const headerBytes = utf8.encode(JSON.stringify(header));
  const headerLength = headerBytes.byteLength;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new FrameError(ErrorCode.FrameHeaderTooLarge, `header of ${headerLength} B exceeds the limit`, {
      actual: headerLength,
      limit: MAX_HEADER_BYTES,
    });
  }
  const out = new Uint8Array(FRAME_PREFIX_BYTES + headerLength + payloadLength);
  const view = new DataView(out.buffer);
  out.set(FRAME_MAGIC, 0);
  out[4] = FRAME_VERSION;
  out[5] = 0;
  view.setUint32(6, headerLength);
  view.setUint32(10, payloadLength);
  out.set(headerBytes, FRAME_PREFIX_BYTES);
  out.set(payload, FRAME_PREFIX_BYTES + headerLength);
  return out;
}

/**
 * Decodes and fully validates one frame. The returned payload is a view into `bytes` (no copy).
 * Every failure is a FrameError with a stable code; an aborted signal rejects with AbortError.
 */
export async function decodeFrame(bytes: Uint8Array, opts: DecodeFrameOptions = {}): Promise<Frame> {
  const { signal } = opts;
  throwIfAborted(signal);
  const prefix = readFramePrefix(bytes, opts);
  if (prefix instanceof FrameError) throw prefix;
  const { headerLength, payloadLength, totalLength } = prefix;
  if (bytes.byteLength !== totalLength) {
    throw new FrameError(
      ErrorCode.FrameLengthMismatch,
      `frame is ${bytes.byteLength} B, prefix says ${totalLength}`,
      {
        expected: totalLength,
        actual: bytes.byteLength,
      },
    );
  }
  const headerEnd = FRAME_PREFIX_BYTES + headerLength;
  const header = parseFrameHeader(bytes.subarray(FRAME_PREFIX_BYTES, headerEnd));
  if (header.payloadLength !== payloadLength) {
    throw new FrameError(ErrorCode.FrameLengthMismatch, 'header payloadLength differs from the prefix', {
      field: 'payloadLength',
      expected: payloadLength,
      actual: header.payloadLength,
    });
  }
  checkResultLength(header, payloadLength);
  checkBatchLayout(header, payloadLength);
  const payload = bytes.subarray(headerEnd);
  const digest = await payloadDigest(payload, signal);
  if (digest !== header.payloadSha256) {
    throw new FrameError(ErrorCode.FrameDigestMismatch, 'payload digest differs from payloadSha256', {
      field: 'payloadSha256',
    });
  }
  checkResultDigest(header, payloadLength, digest);
  await verifyBatchDigests(header, payload, signal === undefined ? {} : { signal });
  return { header, payload };
}
