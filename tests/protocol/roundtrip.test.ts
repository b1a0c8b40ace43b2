import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { decodeFrame, encodeFrame, peekFrameLength } from '../../protocol/frame.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import { FRAME_TYPES, type FrameHeaderInput } from '../../protocol/messages.ts';
import { bindPayload, headerArbs, payloadArb, rawFrame } from './arbitraries.ts';

describe('encode/decode round trip', () => {
  for (const type of FRAME_TYPES) {
    test(`${type}: decode(encode(h, p)) gives back h (plus computed fields) and p`, async () => {
      const arb: fc.Arbitrary<FrameHeaderInput> = headerArbs[type];
      await fc.assert(
        fc.asyncProperty(arb, payloadArb, fc.boolean(), async (h, p, withOutput) => {
          const [header, payload] = await bindPayload(h, p, withOutput);
          const bytes = await encodeFrame(header, payload);
          expect(peekFrameLength(bytes)).toBe(bytes.length);
          const frame = await decodeFrame(bytes);
          const expected = {
            ...header,
            v: 1,
            payloadLength: payload.length,
            payloadSha256: await sha256Hex(payload),
          };
          // Through JSON, as the wire carries it: -0 inside params/proof arrives as 0.
          expect(frame.header).toEqual(JSON.parse(JSON.stringify(expected)));
          expect(frame.payload).toEqual(payload);
        }),
        { numRuns: 60 },
      );
    });
  }

  test('the layout is exactly prefix + header + payload, big-endian', async () => {
    const payload = new Uint8Array([1, 2, 3]);
    const bytes = await encodeFrame({ type: 'ack', replicaId: 'r1' }, payload);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('SHMF');
    expect([bytes[4], bytes[5]]).toEqual([1, 0]);
    const view = new DataView(bytes.buffer);
    const h = view.getUint32(6, false);
    expect(view.getUint32(10, false)).toBe(3);
    expect(bytes.length).toBe(14 + h + 3);
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(14, 14 + h)))).toEqual({
      type: 'ack',
      replicaId: 'r1',
      v: 1,
      payloadLength: 3,
      payloadSha256: await sha256Hex(payload),
    });
    expect(bytes.subarray(14 + h)).toEqual(payload);
  });

  test('a frame inside a larger buffer decodes from a subarray, payload is a view', async () => {
    const bytes = await encodeFrame({ type: 'pull', max: 4 }, new Uint8Array([9, 8, 7]));
    const big = new Uint8Array(bytes.length + 20);
    big.set(bytes, 7);
    const frame = await decodeFrame(big.subarray(7, 7 + bytes.length));
    expect(frame.header).toMatchObject({ type: 'pull', max: 4 });
    expect(frame.payload).toEqual(new Uint8Array([9, 8, 7]));
    expect(frame.payload.buffer).toBe(big.buffer);
  });

  test('a payload on a SharedArrayBuffer encodes (Web Crypto refuses those views directly)', async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(5));
    shared.set([1, 2, 3, 4, 5]);
    const frame = await decodeFrame(await encodeFrame({ type: 'ack', replicaId: 'r' }, shared));
    expect(frame.payload).toEqual(new Uint8Array([1, 2, 3, 4, 5]));
  });

  test('undefined optional fields are dropped, extra computed fields are overwritten', async () => {
    const input = { type: 'refusal', replicaId: undefined, code: 'LEASE_EXPIRED', message: 'late' } as const;
    const frame = await decodeFrame(await encodeFrame(input));
    expect(frame.header).not.toHaveProperty('replicaId');
    const sneaky = { type: 'ack', replicaId: 'r', payloadLength: 99, payloadSha256: 'x' } as FrameHeaderInput;
    const decoded = await decodeFrame(await encodeFrame(sneaky, new Uint8Array(2)));
    expect(decoded.header.payloadLength).toBe(2);
  });

  test('whitespace in a hand-written header is accepted (JSON is not required to be canonical)', async () => {
    const text = `{ "v": 1, "type": "pull", "max": 2, "payloadLength": 0,\n "payloadSha256": "${await sha256Hex(new Uint8Array(0))}" }`;
    const frame = await decodeFrame(rawFrame(text));
    expect(frame.header).toMatchObject({ type: 'pull', max: 2 });
  });
});
