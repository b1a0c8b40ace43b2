/**
 * Workarounds for js-libp2p on Bun, kept in one module so each can be dropped when Bun catches up.
 * Each has a test in tests/p2p/bun-workarounds.test.ts that fails if the workaround stops working.
 *
 * 1. Noise cipher: Bun's node:crypto lacks chacha20-poly1305, and @libp2p/noise's default crypto
 *    uses node:crypto for frames >= 1200 B, so large messages kill the connection with
 *    `Unknown cipher`. We keep the default crypto but take chaCha20Poly1305 from the system's
 *    OpenSSL through bun:ffi (openssl-chacha.ts), or, where that library cannot be loaded, from
 *    the pure AssemblyScript implementation that noise ships (`asCrypto`, 10-17x slower on
 *    frames of a few KiB).
 * 2. http.Server.close(): on Bun, closing a server that never listened emits no 'close' event
 *    (Node emits one). @libp2p/websockets creates such a server (sockets are handed to it by its
 *    own net.Server) and awaits its 'close' in stop(), so `libp2p.stop()` hangs forever. The
 *    patch emits 'close' for exactly that case: a server that is not listening.
 */
import http from 'node:http';
import type { ICryptoInterface } from '@libp2p/noise';
import { noise } from '@libp2p/noise';
import { asCrypto, defaultCrypto } from '@libp2p/noise/crypto';
import { LIBCRYPTO, loadOpenSslChaCha } from './openssl-chacha.ts';

/** True when running on Bun (the workarounds are harmless on Node, but only needed here). */
export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

/** The fastest ChaCha20-Poly1305 this runtime has that does not need node:crypto's cipher. */
function noiseCipher(): Pick<ICryptoInterface, 'chaCha20Poly1305Encrypt' | 'chaCha20Poly1305Decrypt'> {
  if (!isBun) return asCrypto;
  const openssl = loadOpenSslChaCha();
  if (!(openssl instanceof Error)) return openssl;
  console.warn(`noise: ${LIBCRYPTO} not usable (${openssl.message}); using the slower AssemblyScript cipher`);
  return asCrypto;
}

const cipher = noiseCipher();

/** Which ChaCha20-Poly1305 Noise uses in this process. */
export const noiseCipherEngine: 'openssl' | 'assemblyscript' =
  cipher === asCrypto ? 'assemblyscript' : 'openssl';

/** Noise crypto whose ChaCha20-Poly1305 does not depend on node:crypto's cipher list. */
export const bunSafeNoiseCrypto: ICryptoInterface = { ...defaultCrypto, ...cipher };

/** The Noise connection encrypter every Shardmesh node uses. */
export function shardmeshNoise(): ReturnType<typeof noise> {
  return noise(isBun ? { crypto: bunSafeNoiseCrypto } : {});
}

type CloseFn = typeof http.Server.prototype.close;
let unpatchedClose: CloseFn | undefined;

/** Bun's own http.Server.prototype.close (before the patch), for the test that it is still needed. */
export function originalHttpServerClose(): CloseFn {
  return unpatchedClose ?? http.Server.prototype.close;
}

/** Makes close() of a never-listening http(s).Server emit 'close' on Bun. Idempotent; no-op on Node. */
export function installHttpServerCloseWorkaround(): void {
  if (!isBun || unpatchedClose !== undefined) return;
  const original = http.Server.prototype.close;
  unpatchedClose = original;
  // https.Server inherits this method, so one patch covers both.
  http.Server.prototype.close = function close(this: http.Server, callback?: (err?: Error) => void) {
    const wasListening = this.listening;
    const result = original.call(this, callback);
    if (!wasListening) queueMicrotask(() => this.emit('close'));
    return result;
  } as CloseFn;
}
