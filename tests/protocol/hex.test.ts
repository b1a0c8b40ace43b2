/**
 * sha256Hex: the synchronous path (Bun, inputs up to SYNC_DIGEST_MAX_BYTES) and the Web Crypto path
 * (larger inputs, pages) give the same digests as node:crypto, for plain, offset and shared views.
 */
import { expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { AbortError } from '../../protocol/errors.ts';
import { SYNC_DIGEST_MAX_BYTES, sha256Hex } from '../../protocol/hex.ts';

test('digests match node:crypto on both sides of the synchronous limit, for every kind of view', async () => {
  const sizes = [
    0,
    1,
    64,
    SYNC_DIGEST_MAX_BYTES - 1,
    SYNC_DIGEST_MAX_BYTES,
    SYNC_DIGEST_MAX_BYTES + 1,
    200_000,
  ];
  for (const n of sizes) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);
    const want = createHash('sha256').update(bytes).digest('hex');
    const shared = new Uint8Array(new SharedArrayBuffer(n));
    shared.set(bytes);
    const padded = new Uint8Array(n + 10);
    padded.set(bytes, 5);
    expect(await sha256Hex(bytes)).toBe(want);
    expect(await sha256Hex(shared)).toBe(want);
    expect(await sha256Hex(padded.subarray(5, 5 + n))).toBe(want);
  }
});

test('an aborted signal rejects with AbortError on either path', async () => {
  const signal = AbortSignal.abort();
  for (const n of [8, SYNC_DIGEST_MAX_BYTES + 1]) {
    await expect(sha256Hex(new Uint8Array(n), { signal })).rejects.toBeInstanceOf(AbortError);
  }
});
