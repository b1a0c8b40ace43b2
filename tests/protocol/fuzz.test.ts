/** Hostile input never escapes as anything but a typed FrameError, and encode agrees with decode. */

import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { ErrorCode, FrameError } from '../../protocol/errors.ts';
import { decodeFrame, encodeFrame, peekFrameLength } from '../../protocol/frame.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import type { FrameHeaderInput } from '../../protocol/messages.ts';
import { anyHeaderArb, rawFrame } from './arbitraries.ts';

/** Resolves to null on success, the FrameError otherwise; anything else fails the test. */
async function outcome(work: Promise<unknown>): Promise<FrameError | null> {
  try {
    await work;
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(FrameError);
    return err as FrameError;
  }
}

const prefixArb = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  // valid magic and version, so the fuzzing reaches the length checks and the header parser
  fc
    .uint8Array({ minLength: 10, maxLength: 300 })
    .map((b) => new Uint8Array([0x53, 0x48, 0x4d, 0x46, 1, 0, ...b])),
);

/** Any JSON-ish value, and valid headers with one field replaced, removed or added. */
const nearValidArb = fc.oneof(
  fc.jsonValue(),
  fc
    .tuple(anyHeaderArb, fc.string({ maxLength: 16 }), fc.jsonValue({ maxDepth: 2 }))
    .map(([h, key, value]) => {
      const keys = Object.keys(h);
      const target = keys.includes(key) || key.length > 3 ? key : (keys[key.length % keys.length] ?? key);
      return { ...h, [target]: value };
    }),
  fc.tuple(anyHeaderArb, fc.nat()).map(([h, n]) => {
    const copy: Record<string, unknown> = { ...h };
    const keys = Object.keys(copy);
    delete copy[keys[n % keys.length] ?? 'type'];
    return copy;
  }),
);

describe('hostile bytes', () => {
  test('arbitrary bytes: decodeFrame rejects only with FrameError, peekFrameLength never throws', async () => {
    await fc.assert(
      fc.asyncProperty(prefixArb, async (bytes) => {
        const peeked = peekFrameLength(bytes);
        expect(typeof peeked === 'number' || peeked instanceof FrameError).toBe(true);
        expect(await outcome(decodeFrame(bytes))).toBeInstanceOf(FrameError);
      }),
      { numRuns: 500 },
    );
  });

  test('arbitrary header bytes behind a correct prefix are FrameHeaderInvalid', async () => {
    const arb = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string().map((s) => new TextEncoder().encode(s)),
    );
    await fc.assert(
      fc.asyncProperty(arb, async (headerBytes) => {
        expect((await outcome(decodeFrame(rawFrame(headerBytes))))?.code).toBe(ErrorCode.FrameHeaderInvalid);
      }),
      { numRuns: 300 },
    );
  });

  test('near-valid headers: decode and encode fail with the same code and field, or both succeed', async () => {
    await fc.assert(
      fc.asyncProperty(nearValidArb, fc.uint8Array({ maxLength: 16 }), async (value, payload) => {
        // Written as decode would see it: with the computed fields the encoder would fill in.
        const computed = { v: 1, payloadLength: payload.length, payloadSha256: await sha256Hex(payload) };
        const full =
          typeof value === 'object' && value !== null && !Array.isArray(value)
            ? { ...value, ...computed }
            : value;
        const decoded = await outcome(decodeFrame(rawFrame(JSON.stringify(full), payload)));
        const encoded = await outcome(encodeFrame(value as FrameHeaderInput, payload));
        if (typeof full === 'object' && full !== null && !Array.isArray(full)) {
          expect(encoded?.code).toBe(decoded?.code);
          expect(encoded?.details?.field).toEqual(decoded?.details?.field);
        } else {
          expect(decoded?.code).toBe(ErrorCode.FrameHeaderInvalid);
          expect(encoded?.code).toBe(ErrorCode.FrameHeaderInvalid);
        }
      }),
      { numRuns: 500 },
    );
  });
});
