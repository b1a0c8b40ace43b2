import { beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import {
  createJsPreprocessor,
  loadWasmPreprocessor,
  MAX_CHUNKS,
  MAX_PAYLOAD_LEN,
  type Preprocessor,
} from '../../worker/preprocess/index.ts';

let wasm: Preprocessor;
let wasmSmallWindow: Preprocessor;
const js = createJsPreprocessor();

beforeAll(async () => {
  wasm = await loadWasmPreprocessor();
  wasmSmallWindow = await loadWasmPreprocessor({}, { boundsWindow: 3 });
});

function expectPreprocessError(fn: () => unknown, field: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(WorkerTaskError);
  expect((err as WorkerTaskError).code).toBe(ErrorCode.PreprocessFailed);
  expect((err as WorkerTaskError).details?.field).toBe(field);
}

/** Checks the chunk laws in one pass; returns a description of the first broken one. */
function firstViolation(bounds: Uint32Array, len: number, size: number): string | undefined {
  const count = bounds.length / 2;
  let next = 0;
  for (let i = 0; i < count; i++) {
    const offset = bounds[2 * i] as number;
    const length = bounds[2 * i + 1] as number;
    if (offset !== next) return `chunk ${i} starts at ${offset}, expected ${next}`;
    if (length === 0 || length > size) return `chunk ${i} has length ${length}`;
    if (i < count - 1 && length !== size) return `chunk ${i} is short but not last`;
    next = offset + length;
  }
  return next === len ? undefined : `chunks cover ${next} bytes of ${len}`;
}

describe('chunking', () => {
  test('chunks cover the payload exactly, in order, without overlap; only the last is short', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: 50_000 }), (len, size) => {
        const bounds = js.chunkBounds(len, size);
        expect(wasm.chunkBounds(len, size)).toEqual(bounds);
        expect(wasmSmallWindow.chunkBounds(len, size)).toEqual(bounds);
        const count = bounds.length / 2;
        expect(count).toBe(js.chunkCount(len, size));
        expect(firstViolation(bounds, len, size)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  test('counts agree with exact integer ceil(len / size) up to 2^32 - 1', () => {
    const edge = fc.constantFrom(0, 1, 2, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, MAX_PAYLOAD_LEN);
    const u32 = fc.oneof(edge, fc.integer({ min: 0, max: MAX_PAYLOAD_LEN }));
    fc.assert(
      fc.property(u32, u32, (len, rawSize) => {
        const size = Math.max(1, rawSize);
        const exact = Number((BigInt(len) + BigInt(size) - 1n) / BigInt(size));
        expect(js.chunkCount(len, size)).toBe(exact);
        expect(wasm.chunkCount(len, size)).toBe(exact);
      }),
      { numRuns: 500 },
    );
    // Exact multiples stay exact; quotients a hair above an integer still round up.
    for (const [len, size, count] of [
      [MAX_PAYLOAD_LEN, 0xffff, 0x1_0001], // 0xffffffff = 0xffff * 0x10001
      [0xffff * 0x1_0000 + 1, 0xffff, 0x1_0001],
      [MAX_PAYLOAD_LEN, MAX_PAYLOAD_LEN - 1, 2],
      [0xffff_fff0 + 1, 0xffff_fff0, 2],
    ] as const) {
      expect(js.chunkCount(len, size)).toBe(count);
      expect(wasm.chunkCount(len, size)).toBe(count);
    }
  });

  test('chunk(i) is the view of bound i, and the chunks concatenate to the payload', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 1, max: 300 }), (payload, size) => {
        for (const p of [js, wasm]) {
          const parts: number[] = [];
          const count = p.chunkCount(payload.length, size);
          for (let i = 0; i < count; i++) {
            const c = p.chunk(payload, size, i);
            expect(c.buffer).toBe(payload.buffer);
            expect(c.byteOffset).toBe(payload.byteOffset + i * size);
            parts.push(...c);
          }
          expect(Uint8Array.from(parts)).toEqual(payload);
        }
      }),
      { numRuns: 100 },
    );
  });

  test('an empty payload has no chunks; bounds near 2^32 stay exact', () => {
    for (const p of [js, wasm]) {
      expect(p.chunkCount(0, 7)).toBe(0);
      expect(p.chunkBounds(0, 7).length).toBe(0);
      const b = p.chunkBounds(MAX_PAYLOAD_LEN, 0x8000_0000);
      expect(Array.from(b)).toEqual([0, 0x8000_0000, 0x8000_0000, 0x7fff_ffff]);
    }
  });

  test('invalid sizes, lengths and indices fail with PREPROCESS_FAILED on both implementations', () => {
    for (const p of [js, wasm]) {
      for (const size of [0, -1, 1.5, Number.NaN, MAX_PAYLOAD_LEN + 1]) {
        expectPreprocessError(() => p.chunkCount(10, size), 'chunkSize');
        expectPreprocessError(() => p.chunkBounds(10, size), 'chunkSize');
        expectPreprocessError(() => p.chunk(new Uint8Array(10), size, 0), 'chunkSize');
      }
      for (const len of [-1, 2.5, Number.NaN, MAX_PAYLOAD_LEN + 1]) {
        expectPreprocessError(() => p.chunkCount(len, 4), 'len');
      }
      for (const index of [-1, 3, 0.5]) {
        expectPreprocessError(() => p.chunk(new Uint8Array(10), 4, index), 'index');
      }
      expectPreprocessError(() => p.chunk(new Uint8Array(0), 4, 0), 'index');
      expectPreprocessError(() => p.chunkBounds(MAX_CHUNKS + 1, 1), 'chunkSize');
    }
  });
});
