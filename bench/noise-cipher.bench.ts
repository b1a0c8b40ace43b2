/**
 * Noise's transport cipher on Bun: ChaCha20-Poly1305 from OpenSSL through bun:ffi (what nodes
 * use, orchestrator/p2p/openssl-chacha.ts) against the AssemblyScript cipher noise ships (the
 * baseline, and the fallback), seal + open of one message per size, medians of RUNS runs.
 *   bun bench/noise-cipher.bench.ts [--runs 5] [--mb 20]
 */
import { parseArgs } from 'node:util';
import { asCrypto } from '@libp2p/noise/crypto';
import { loadOpenSslChaCha } from '../orchestrator/p2p/openssl-chacha.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, mb: { type: 'string', default: '20' } },
});
const RUNS = Number(values.runs);
const BYTES_PER_RUN = Number(values.mb) * 1e6;

const openssl = loadOpenSslChaCha();
if (openssl instanceof Error) throw openssl;
const ciphers = { assemblyscript: asCrypto, openssl } as const;
const key = crypto.getRandomValues(new Uint8Array(32));
const nonce = new Uint8Array(12);
const ad = new Uint8Array(0);

/** Microseconds to seal and open one message of `size` bytes. */
function roundTrip(cipher: (typeof ciphers)[keyof typeof ciphers], size: number): number {
  const plain = crypto.getRandomValues(new Uint8Array(size));
  const count = Math.max(200, Math.floor(BYTES_PER_RUN / Math.max(size, 64) / 4));
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const sealed = cipher.chaCha20Poly1305Encrypt(plain, nonce, ad, key).subarray();
    cipher.chaCha20Poly1305Decrypt(sealed, nonce, ad, key, sealed.subarray(0, size));
  }
  return ((performance.now() - start) * 1000) / count;
}

console.log(`noise chacha20-poly1305, seal + open, median of ${RUNS} runs`);
console.log('size (B)   assemblyscript us (MB/s)   openssl us (MB/s)   speedup');
for (const size of [64, 256, 1024, 4096, 16384, 65519]) {
  const us = { assemblyscript: [] as number[], openssl: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    for (const name of ['assemblyscript', 'openssl'] as const) us[name].push(roundTrip(ciphers[name], size));
  }
  const as = median(us.assemblyscript);
  const os = median(us.openssl);
  const rate = (t: number): string => ((size * 2) / t).toFixed(0);
  console.log(
    `${String(size).padStart(8)}   ${as.toFixed(2).padStart(10)} (${rate(as).padStart(5)})      ${os.toFixed(2).padStart(8)} (${rate(os).padStart(5)})   x${(as / os).toFixed(1)}`,
  );
}
