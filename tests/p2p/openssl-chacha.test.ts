/**
 * The OpenSSL ChaCha20-Poly1305 that Noise uses on Bun (orchestrator/p2p/openssl-chacha.ts):
 * the RFC 8439 vector, byte-identical output to noise's own AssemblyScript cipher, in-place
 * decryption as noise does it, and refusal of anything that does not authenticate.
 */
import { describe, expect, test } from 'bun:test';
import { asCrypto } from '@libp2p/noise/crypto';
import { noiseCipherEngine } from '../../orchestrator/p2p/bun-workarounds.ts';
import { loadOpenSslChaCha } from '../../orchestrator/p2p/openssl-chacha.ts';

const loaded = loadOpenSslChaCha();
if (loaded instanceof Error) throw loaded;
const cipher = loaded;
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const random = (n: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
};

describe('OpenSSL chacha20-poly1305 for Noise', () => {
  test('is what Noise uses on this machine', () => {
    expect(noiseCipherEngine).toBe('openssl');
  });

  test('RFC 8439 section 2.8.2 test vector', () => {
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = hex('070000004041424344454647');
    const ad = hex('50515253c0c1c2c3c4c5c6c7');
    const plain = new TextEncoder().encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const sealed = cipher.chaCha20Poly1305Encrypt(plain, nonce, ad, key).subarray();
    expect(Buffer.from(sealed.subarray(plain.length)).toString('hex')).toBe(
      '1ae10b594f09e26a7e902ecbd0600691',
    );
    expect(Buffer.from(sealed.subarray(0, 16)).toString('hex')).toBe('d31a8d34648e60db7b86afbc53ef7ec2');
    expect(same(cipher.chaCha20Poly1305Decrypt(sealed, nonce, ad, key).subarray(), plain)).toBe(true);
  });

  test('seals exactly as the AssemblyScript cipher, and opens what it seals', () => {
    const key = random(32);
    for (const ad of [new Uint8Array(0), random(32)]) {
      for (const size of [0, 1, 63, 64, 65, 1199, 1200, 4096, 65519]) {
        const nonce = random(12);
        const plain = random(size);
        const ours = cipher.chaCha20Poly1305Encrypt(plain, nonce, ad, key).subarray();
        const theirs = asCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, key).subarray();
        expect(ours.length).toBe(size + 16);
        expect(same(ours, theirs)).toBe(true);
        expect(same(cipher.chaCha20Poly1305Decrypt(theirs, nonce, ad, key).subarray(), plain)).toBe(true);
      }
    }
  });

  test('decrypts in place into the ciphertext bytes, as noise passes dst', () => {
    const key = random(32);
    const nonce = random(12);
    const plain = random(3000);
    const sealed = cipher.chaCha20Poly1305Encrypt(plain, nonce, new Uint8Array(0), key).subarray().slice();
    const dst = sealed.subarray(0, plain.length);
    const opened = cipher.chaCha20Poly1305Decrypt(sealed, nonce, new Uint8Array(0), key, dst).subarray();
    expect(opened.buffer).toBe(sealed.buffer);
    expect(same(opened, plain)).toBe(true);
  });

  test('refuses a flipped bit, a wrong key, nonce or associated data, and a short message', () => {
    const key = random(32);
    const nonce = random(12);
    const ad = random(8);
    const sealed = cipher.chaCha20Poly1305Encrypt(random(100), nonce, ad, key).subarray();
    const open =
      (bytes: Uint8Array, k = key, n = nonce, a = ad) =>
      () =>
        cipher.chaCha20Poly1305Decrypt(bytes.slice(), n, a, k);
    expect(open(sealed)).not.toThrow();
    for (const at of [0, 50, 99, 100, 115]) {
      const forged = sealed.slice();
      forged[at] = (forged[at] ?? 0) ^ 1;
      expect(open(forged)).toThrow('Invalid chacha20poly1305 decryption');
    }
    expect(open(sealed, random(32))).toThrow('Invalid chacha20poly1305 decryption');
    expect(open(sealed, key, random(12))).toThrow('Invalid chacha20poly1305 decryption');
    expect(open(sealed, key, nonce, random(8))).toThrow('Invalid chacha20poly1305 decryption');
    expect(open(sealed.subarray(0, 15))).toThrow('Invalid chacha20poly1305 decryption');
  });

  test('a library that is not there is reported, not thrown', () => {
    const result = loadOpenSslChaCha('libcrypto-that-does-not-exist.so.0');
    expect(result).toBeInstanceOf(Error);
  });
});
