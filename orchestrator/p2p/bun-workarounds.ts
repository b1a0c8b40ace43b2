/**
 * Workarounds for js-libp2p on Bun, kept in one module so each can be dropped when Bun catches up.
 * Each has a test in tests/p2p/bun-workarounds.test.ts that fails if the workaround stops working.
 *
 * 1. Noise cipher: Bun's node:crypto lacks chacha20-poly1305, and @libp2p/noise's default crypto
 *    uses node:crypto for frames >= 1200 B, so large messages kill the connection with
 *    `Unknown cipher`. We keep the default crypto but take chaCha20Poly1305 from the pure
 *    AssemblyScript implementation that noise ships (`asCrypto`).
 */
import type { ICryptoInterface } from '@libp2p/noise';
import { noise } from '@libp2p/noise';
import { asCrypto, defaultCrypto } from '@libp2p/noise/crypto';

/** True when running on Bun (the workarounds are harmless on Node, but only needed here). */
export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

/** Noise crypto whose ChaCha20-Poly1305 does not depend on node:crypto's cipher list. */
export const bunSafeNoiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt: asCrypto.chaCha20Poly1305Encrypt,
  chaCha20Poly1305Decrypt: asCrypto.chaCha20Poly1305Decrypt,
};

/** The Noise connection encrypter every Shardmesh node uses. */
export function shardmeshNoise(): ReturnType<typeof noise> {
  return noise(isBun ? { crypto: bunSafeNoiseCrypto } : {});
}
