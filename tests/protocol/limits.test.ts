/** Size limits are enforced from the prefix alone (nothing hashed or allocated), and aborts reject. */

import { afterEach, beforeEach, describe, expect, type Mock, spyOn, test } from 'bun:test';
import { AbortError, ErrorCode, FrameError } from '../../protocol/errors.ts';
import { decodeFrame, encodeFrame, peekFrameLength } from '../../protocol/frame.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import {
  MAX_FRAME_BYTES,
  MAX_HEADER_BYTES,
  MAX_HEARTBEAT_REPLICAS,
  MAX_PAYLOAD_BYTES,
} from '../../protocol/limits.ts';
import type { FrameHeaderInput } from '../../protocol/messages.ts';
import { frameErrorOf } from './arbitraries.ts';

/** Only the 14-byte prefix of a frame, claiming these lengths. */
function prefix(headerLength: number, payloadLength: number): Uint8Array {
  const out = new Uint8Array(14);
  out.set([0x53, 0x48, 0x4d, 0x46, 1, 0]);
  new DataView(out.buffer).setUint32(6, headerLength);
  new DataView(out.buffer).setUint32(10, payloadLength);
  return out;
}

function codeOf(result: number | FrameError): string | number {
  return result instanceof FrameError ? result.code : result;
}

describe('limits', () => {
  let digest: Mock<typeof crypto.subtle.digest>;
  beforeEach(() => {
    digest = spyOn(crypto.subtle, 'digest');
  });
  afterEach(() => digest.mockRestore());

  test('constants', () => {
    expect(MAX_HEADER_BYTES).toBe(16 * 1024);
    expect(MAX_PAYLOAD_BYTES).toBe(32 * 1024 * 1024);
    expect(MAX_FRAME_BYTES).toBe(14 + MAX_HEADER_BYTES + MAX_PAYLOAD_BYTES);
  });

  test('4 GB claims are refused from 14 bytes, before any hashing', async () => {
    expect(codeOf(peekFrameLength(prefix(10, 0xffff_ffff)))).toBe(ErrorCode.FramePayloadTooLarge);
    expect(codeOf(peekFrameLength(prefix(0xffff_ffff, 0)))).toBe(ErrorCode.FrameHeaderTooLarge);
    // The size error wins over the (also true) length mismatch: sizes are checked first.
    expect((await frameErrorOf(decodeFrame(prefix(10, 0xffff_ffff)))).code).toBe(
      ErrorCode.FramePayloadTooLarge,
    );
    expect((await frameErrorOf(decodeFrame(prefix(0xffff_ffff, 10)))).code).toBe(
      ErrorCode.FrameHeaderTooLarge,
    );
    expect(digest).not.toHaveBeenCalled();
  });

  test('boundaries: exactly at the limit passes the prefix check, one more fails', () => {
    expect(peekFrameLength(prefix(MAX_HEADER_BYTES, MAX_PAYLOAD_BYTES))).toBe(MAX_FRAME_BYTES);
    expect(codeOf(peekFrameLength(prefix(MAX_HEADER_BYTES + 1, 0)))).toBe(ErrorCode.FrameHeaderTooLarge);
    expect(codeOf(peekFrameLength(prefix(0, MAX_PAYLOAD_BYTES + 1)))).toBe(ErrorCode.FramePayloadTooLarge);
  });

  test('maxPayloadBytes lowers the limit, never raises it', async () => {
    expect(peekFrameLength(prefix(5, 100), { maxPayloadBytes: 100 })).toBe(119);
    expect(codeOf(peekFrameLength(prefix(5, 100), { maxPayloadBytes: 99 }))).toBe(
      ErrorCode.FramePayloadTooLarge,
    );
    for (const maxPayloadBytes of [MAX_PAYLOAD_BYTES * 2, Number.POSITIVE_INFINITY]) {
      const claim = prefix(5, MAX_PAYLOAD_BYTES + 1);
      expect(codeOf(peekFrameLength(claim, { maxPayloadBytes }))).toBe(ErrorCode.FramePayloadTooLarge);
    }
    const frame = await encodeFrame({ type: 'ack', replicaId: 'r' }, new Uint8Array(100));
    digest.mockClear();
    const err = await frameErrorOf(decodeFrame(frame, { maxPayloadBytes: 99 }));
    expect(err.code).toBe(ErrorCode.FramePayloadTooLarge);
    expect(err.details).toMatchObject({ actual: 100, limit: 99 });
    expect(digest).not.toHaveBeenCalled();
    expect((await decodeFrame(frame, { maxPayloadBytes: 100 })).payload.length).toBe(100);
  });

  test('a nonsensical maxPayloadBytes is a caller bug (RangeError), not a silent "no limit"', async () => {
    expect(() => peekFrameLength(prefix(0, 0), { maxPayloadBytes: Number.NaN })).toThrow(RangeError);
    await expect(decodeFrame(prefix(0, 0), { maxPayloadBytes: -1 })).rejects.toThrow(RangeError);
  });

  test('encode refuses an oversized payload before hashing it', async () => {
    const err = await frameErrorOf(
      encodeFrame({ type: 'ack', replicaId: 'r' }, new Uint8Array(MAX_PAYLOAD_BYTES + 1)),
    );
    expect(err.code).toBe(ErrorCode.FramePayloadTooLarge);
    expect(digest).not.toHaveBeenCalled();
  });

  test('encode refuses an invalid header before hashing the payload', async () => {
    const bad = { type: 'ack', replicaId: 'no spaces' } as const;
    expect((await frameErrorOf(encodeFrame(bad, new Uint8Array(1000)))).code).toBe(
      ErrorCode.FrameHeaderInvalid,
    );
    expect(digest).not.toHaveBeenCalled();
  });

  test('a header of exactly 16 KiB encodes and decodes; one byte more is FrameHeaderTooLarge', async () => {
    const hello = (userAgent: string): FrameHeaderInput => ({
      type: 'hello',
      workerId: 'w',
      capabilities: { kinds: [], cores: 1, maxConcurrent: 1, adapter: null },
      userAgent,
    });
    const base = new DataView((await encodeFrame(hello(''))).buffer).getUint32(6);
    const exact = await encodeFrame(hello('a'.repeat(MAX_HEADER_BYTES - base)));
    expect(new DataView(exact.buffer).getUint32(6)).toBe(MAX_HEADER_BYTES);
    expect((await decodeFrame(exact)).header.type).toBe('hello');
    const over = await frameErrorOf(encodeFrame(hello('a'.repeat(MAX_HEADER_BYTES - base + 1))));
    expect(over.code).toBe(ErrorCode.FrameHeaderTooLarge);
  });

  test(`heartbeat carries at most ${MAX_HEARTBEAT_REPLICAS} replica ids`, async () => {
    const ids = Array.from({ length: MAX_HEARTBEAT_REPLICAS }, (_, i) => i.toString(36));
    const ok = await decodeFrame(await encodeFrame({ type: 'heartbeat', replicaIds: ids }));
    expect(ok.header).toMatchObject({ replicaIds: ids });
    const err = await frameErrorOf(encodeFrame({ type: 'heartbeat', replicaIds: [...ids, 'x'] }));
    expect(err.details).toMatchObject({ field: 'replicaIds' });
  });

  test('a full 32 MiB payload round-trips', async () => {
    const payload = new Uint8Array(MAX_PAYLOAD_BYTES).fill(7);
    const frame = await decodeFrame(await encodeFrame({ type: 'ack', replicaId: 'r' }, payload));
    expect(frame.payload.length).toBe(MAX_PAYLOAD_BYTES);
    expect(frame.payload[MAX_PAYLOAD_BYTES - 1]).toBe(7);
  });
});

describe('abort', () => {
  const aborted = () => AbortSignal.abort();

  test('an already aborted signal rejects encode, decode and sha256Hex with AbortError', async () => {
    const frame = await encodeFrame({ type: 'pull', max: 1 });
    for (const work of [
      encodeFrame({ type: 'pull', max: 1 }, undefined, { signal: aborted() }),
      decodeFrame(frame, { signal: aborted() }),
      // abort wins over an invalid frame: the caller asked to stop
      decodeFrame(new Uint8Array(3), { signal: aborted() }),
      sha256Hex(new Uint8Array(1), { signal: aborted() }),
    ]) {
      const err = await work.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AbortError);
      expect((err as AbortError).code).toBe(ErrorCode.Aborted);
    }
  });

  test('aborting while a large payload is being hashed rejects with AbortError', async () => {
    const frame = await encodeFrame({ type: 'ack', replicaId: 'r' }, new Uint8Array(8 * 1024 * 1024));
    const controller = new AbortController();
    const work = decodeFrame(frame, { signal: controller.signal });
    controller.abort();
    await expect(work).rejects.toBeInstanceOf(AbortError);
  });

  test('a signal that never fires changes nothing', async () => {
    const { signal } = new AbortController();
    const frame = await encodeFrame({ type: 'ack', replicaId: 'r' }, new Uint8Array([1]), { signal });
    expect((await decodeFrame(frame, { signal })).payload).toEqual(new Uint8Array([1]));
  });
});
