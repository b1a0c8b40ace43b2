import { beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import {
  CANONICAL_NAN_BITS,
  createJsPreprocessor,
  loadWasmPreprocessor,
  type Preprocessor,
} from '../../worker/preprocess/index.ts';
import { alphaArb, bitsOf, f32Bits, f32FromBits, SPECIAL_F32_BITS } from './fixtures.ts';

let wasm: Preprocessor;
let wasmSmallWindow: Preprocessor;
const js = createJsPreprocessor();

beforeAll(async () => {
  wasm = await loadWasmPreprocessor();
  // A 7-element window forces the state to be carried across many windows.
  wasmSmallWindow = await loadWasmPreprocessor({}, { emaWindow: 7 });
});

/** Independent reference: rounds through a Float32Array slot instead of Math.fround. */
function emaReference(x: Float32Array, alpha: number): Uint32Array {
  const r = new Float32Array(1);
  const f = (v: number): number => {
    r[0] = v;
    return r[0] as number;
  };
  const a = f(alpha);
  const out = new Uint32Array(x.length);
  let y = 0;
  for (let i = 0; i < x.length; i++) {
    y = i === 0 ? (x[0] as number) : f(y + f(a * f((x[i] as number) - y)));
    out[i] = Number.isNaN(y)
      ? CANONICAL_NAN_BITS
      : (new Uint32Array(new Float32Array([y]).buffer)[0] as number);
  }
  return out;
}

describe('ema', () => {
  test('WASM and JS agree bit for bit on any f32 input (NaN, Infinity, -0, subnormals)', () => {
    fc.assert(
      fc.property(fc.array(f32Bits, { maxLength: 200 }), alphaArb, (bits, alpha) => {
        const x = f32FromBits(bits);
        const expected = emaReference(x, alpha);
        expect(bitsOf(js.ema(x, alpha))).toEqual(expected);
        expect(bitsOf(wasm.ema(x, alpha))).toEqual(expected);
        expect(bitsOf(wasmSmallWindow.ema(x, alpha))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  test('long ordinary series agree across window boundaries', () => {
    fc.assert(
      fc.property(
        fc.float32Array({ minLength: 1000, maxLength: 3000, noNaN: true, min: -1e6, max: 1e6 }),
        alphaArb,
        (x, alpha) => {
          const ref = bitsOf(js.ema(x, alpha));
          expect(bitsOf(wasm.ema(x, alpha))).toEqual(ref);
          expect(bitsOf(wasmSmallWindow.ema(x, alpha))).toEqual(ref);
        },
      ),
      { numRuns: 30 },
    );
  });

  test('y[0] = x[0] and each step is y + alpha * (x - y) in f32', () => {
    for (const p of [js, wasm]) {
      expect(Array.from(p.ema(new Float32Array([1, 3, 3, 7]), 0.5))).toEqual([1, 2, 2.5, 4.75]);
      expect(Array.from(p.ema(new Float32Array([4, 8, -2]), 0))).toEqual([4, 4, 4]);
      expect(Array.from(p.ema(new Float32Array([4, 8, -2]), 1))).toEqual([4, 8, -2]);
      expect(bitsOf(p.ema(new Float32Array([-0]), 0.3))[0]).toBe(0x8000_0000);
      expect(p.ema(new Float32Array(0), 0.3).length).toBe(0);
    }
  });

  test('every NaN output is the canonical 0x7FC00000, whatever the input payload or sign', () => {
    const x = f32FromBits([0xffc0_0000, 0x3f80_0000, 0x7fa5_a5a5, 0x7f80_0000]);
    for (const p of [js, wasm]) {
      const out = bitsOf(p.ema(x, 0.25));
      expect(Array.from(out)).toEqual([
        CANONICAL_NAN_BITS,
        CANONICAL_NAN_BITS,
        CANONICAL_NAN_BITS,
        CANONICAL_NAN_BITS,
      ]);
    }
    // alpha = 0 times an infinite difference is NaN too (no shortcut that skips the multiply).
    for (const p of [js, wasm]) {
      expect(Array.from(bitsOf(p.ema(f32FromBits([0x3f80_0000, 0x7f80_0000]), 0)))).toEqual([
        0x3f80_0000,
        CANONICAL_NAN_BITS,
      ]);
    }
  });

  test('writes into out, in place or into a separate buffer, with the same bits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...SPECIAL_F32_BITS), { minLength: 1, maxLength: 50 }),
        alphaArb,
        (b, a) => {
          const expected = bitsOf(js.ema(f32FromBits(b), a));
          for (const p of [js, wasm, wasmSmallWindow]) {
            const inPlace = f32FromBits(b);
            expect(p.ema(inPlace, a, inPlace)).toBe(inPlace);
            expect(bitsOf(inPlace)).toEqual(expected);
            // A view with a non-zero byteOffset inside a larger buffer.
            const big = new Float32Array(b.length + 3);
            const out = big.subarray(2, 2 + b.length);
            expect(p.ema(f32FromBits(b), a, out)).toBe(out);
            expect(bitsOf(out)).toEqual(expected);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  test('rejects a bad alpha or out buffer with PREPROCESS_FAILED, on both implementations', () => {
    const x = new Float32Array([1, 2, 3, 4]);
    const cases: Array<[number, Float32Array | undefined, string]> = [
      [Number.NaN, undefined, 'alpha'],
      [-0.01, undefined, 'alpha'],
      [1.01, undefined, 'alpha'],
      [Number.POSITIVE_INFINITY, undefined, 'alpha'],
      ['0.5' as unknown as number, undefined, 'alpha'],
      [0.5, new Float32Array(3), 'out'],
    ];
    // Partial overlap needs the same length: x[1..5) over x[0..4) of a 5-element buffer.
    const shared = new Float32Array(5);
    const partial: [Float32Array, Float32Array] = [shared.subarray(0, 4), shared.subarray(1, 5)];
    for (const p of [js, wasm]) {
      for (const [alpha, out, field] of cases) {
        let err: unknown;
        try {
          p.ema(x, alpha, out);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(WorkerTaskError);
        expect((err as WorkerTaskError).code).toBe(ErrorCode.PreprocessFailed);
        expect((err as WorkerTaskError).details?.field).toBe(field);
      }
      expect(() => p.ema(partial[0], 0.5, partial[1])).toThrow(WorkerTaskError);
    }
  });
});
