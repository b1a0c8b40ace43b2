/**
 * Hex encoding and SHA-256 over Web Crypto, so the same code runs in Bun, pages and Web Workers.
 */

import { AbortError, throwIfAborted } from './errors.ts';

const HEX_DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A lowercase hex SHA-256 digest: exactly 64 characters of [0-9a-f]. */
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX_DIGITS[b];
  return out;
}

export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX_PATTERN.test(value);
}

/** Bun's synchronous SHA-256, where it exists (absent in pages and Web Workers). */
const bunSha256 = (globalThis as { Bun?: { SHA256?: { hash(data: Uint8Array, encoding: 'hex'): string } } })
  .Bun?.SHA256;

/**
 * Up to this size a digest is computed synchronously where Bun offers it: a Web Crypto call costs
 * ~25 us of CPU (promise, thread hop) against ~1.3 us for a 64 B frame, and the frame codec hashes
 * every payload. Larger inputs keep Web Crypto, so a 32 MiB digest does not block the event loop.
 */
export const SYNC_DIGEST_MAX_BYTES = 64 * 1024;

/**
 * Lowercase hex SHA-256 of `bytes`. Web Crypto cannot be cancelled, so an abort rejects at once
 * with AbortError and the digest in flight is discarded.
 */
export async function sha256Hex(bytes: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<string> {
  const { signal } = opts;
  throwIfAborted(signal);
  if (bunSha256 !== undefined && bytes.byteLength <= SYNC_DIGEST_MAX_BYTES) {
    return bunSha256.hash(ownedBuffer(bytes), 'hex');
  }
  const digest = await raceAbort(crypto.subtle.digest('SHA-256', ownedBuffer(bytes)), signal);
  return toHex(new Uint8Array(digest));
}

/** Web Crypto rejects views on a SharedArrayBuffer (workers use them): copy those only. */
function ownedBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        // The signal may have fired between completion and this callback: abort wins.
        if (signal.aborted) reject(new AbortError());
        else resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
