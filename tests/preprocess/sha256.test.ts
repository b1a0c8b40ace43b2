import { beforeAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  createJsPreprocessor,
  loadWasmPreprocessor,
  type Preprocessor,
} from '../../worker/preprocess/index.ts';

let wasm: Preprocessor;
let wasmSmallWindow: Preprocessor;
const js = createJsPreprocessor();

beforeAll(async () => {
  wasm = await loadWasmPreprocessor();
  // 100-byte windows: updates that straddle 64-byte blocks in every possible way.
  wasmSmallWindow = await loadWasmPreprocessor({}, { shaWindow: 100 });
});

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const nodeSha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('sha256', () => {
  test('FIPS 180-4 vectors', () => {
    const vectors: Array<[string, string]> = [
      ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
      [
        'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
        '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
      ],
    ];
    for (const [msg, digest] of vectors) {
      const bytes = new TextEncoder().encode(msg);
      for (const p of [js, wasm, wasmSmallWindow]) expect(hex(p.sha256(bytes))).toBe(digest);
    }
  });

  test('every length from 0 to 200 (all padding cases) matches node:crypto', () => {
    const data = Uint8Array.from({ length: 200 }, (_, i) => (i * 31 + 7) & 0xff);
    for (let len = 0; len <= 200; len++) {
      const bytes = data.subarray(0, len);
      const want = nodeSha(bytes);
      for (const p of [js, wasm, wasmSmallWindow]) expect(hex(p.sha256(bytes))).toBe(want);
    }
  });

  test('random inputs, including views at odd offsets, match node:crypto', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat({ max: 7 }), (data, skip) => {
        const view = data.subarray(Math.min(skip, data.length));
        const want = nodeSha(view);
        for (const p of [js, wasm, wasmSmallWindow]) expect(hex(p.sha256(view))).toBe(want);
      }),
      { numRuns: 150 },
    );
  });

  test('a 1 MiB + 13 B buffer (many windows) matches node:crypto', () => {
    const big = new Uint8Array(1024 * 1024 + 13);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    const want = nodeSha(big);
    for (const p of [js, wasm]) expect(hex(p.sha256(big))).toBe(want);
  });

  test('returns a fresh 32-byte array that does not alias wasm memory', () => {
    const a = wasm.sha256(new Uint8Array([1]));
    const b = wasm.sha256(new Uint8Array([2]));
    expect(a.length).toBe(32);
    expect(a.buffer).not.toBe(b.buffer);
    expect(hex(a)).toBe(nodeSha(new Uint8Array([1])));
  });
});
