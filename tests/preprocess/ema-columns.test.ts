/**
 * emaColumns (EMA down each column of a row-major matrix; WASM SIMD, four columns per op) is
 * bit-identical to the JS fallback and to an independent reference (each column extracted and
 * smoothed with `ema`), for any f32 bits, any column count (1-37: the 16-column unrolled loop,
 * single vectors and scalar remainders 0-3), across window boundaries, in place; bad columns fail typed on both implementations.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import {
  createJsPreprocessor,
  loadWasmPreprocessor,
  type Preprocessor,
} from '../../worker/preprocess/index.ts';
import { alphaArb, bitsOf, f32Bits, f32FromBits } from './fixtures.ts';

let wasm: Preprocessor;
let wasmSmallWindow: Preprocessor;
const js = createJsPreprocessor();

beforeAll(async () => {
  wasm = await loadWasmPreprocessor();
  // 7 values per window: often a single row, so the previous row is carried across windows.
  wasmSmallWindow = await loadWasmPreprocessor({}, { emaWindow: 7 });
});

/** Reference built on `ema` (itself pinned to an independent reference in ema.test.ts). */
function columnsReference(x: Float32Array, columns: number, alpha: number): Uint32Array {
  const rows = x.length / columns;
  const out = new Uint32Array(x.length);
  for (let c = 0; c < columns; c++) {
    const col = new Float32Array(rows);
    for (let r = 0; r < rows; r++) col[r] = x[r * columns + c] as number;
    // Copy through the bits: a NaN payload must survive the extraction.
    const colBits = new Uint32Array(col.buffer);
    const xBits = new Uint32Array(x.buffer, x.byteOffset, x.length);
    for (let r = 0; r < rows; r++) colBits[r] = xBits[r * columns + c] as number;
    const smoothed = bitsOf(js.ema(col, alpha));
    for (let r = 0; r < rows; r++) out[r * columns + c] = smoothed[r] as number;
  }
  return out;
}

const matrixArb = fc
  .tuple(fc.integer({ min: 1, max: 37 }), fc.integer({ min: 0, max: 12 }))
  .chain(([columns, rows]) =>
    fc.tuple(
      fc.constant(columns),
      fc.array(f32Bits, { minLength: rows * columns, maxLength: rows * columns }),
    ),
  );

describe('emaColumns', () => {
  test('WASM (SIMD) and JS agree bit for bit with a per-column reference on any f32 input', () => {
    fc.assert(
      fc.property(matrixArb, alphaArb, ([columns, bits], alpha) => {
        const x = f32FromBits(bits);
        const expected = columnsReference(x, columns, alpha);
        expect(bitsOf(js.emaColumns(x, columns, alpha))).toEqual(expected);
        expect(bitsOf(wasm.emaColumns(x, columns, alpha))).toEqual(expected);
        expect(bitsOf(wasmSmallWindow.emaColumns(x, columns, alpha))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  test('tall matrices agree across many windows, in place too; one column equals ema', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 37 }),
        fc.float32Array({ minLength: 2000, maxLength: 4000, noNaN: true, min: -1e6, max: 1e6 }),
        alphaArb,
        (columns, raw, alpha) => {
          const x = raw.subarray(0, raw.length - (raw.length % columns));
          const expected = bitsOf(js.emaColumns(x, columns, alpha));
          expect(bitsOf(wasm.emaColumns(x, columns, alpha))).toEqual(expected);
          const inPlace = x.slice();
          wasmSmallWindow.emaColumns(inPlace, columns, alpha, inPlace);
          expect(bitsOf(inPlace)).toEqual(expected);
          if (columns === 1) expect(expected).toEqual(bitsOf(js.ema(x, alpha)));
        },
      ),
      { numRuns: 40 },
    );
  });

  test('columns that do not divide the length, or are not positive integers, fail typed on both', () => {
    const x = new Float32Array(10);
    for (const p of [js, wasm]) {
      for (const columns of [3, 0, -1, 1.5, Number.NaN]) {
        let err: unknown;
        try {
          p.emaColumns(x, columns, 0.5);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(WorkerTaskError);
        expect((err as WorkerTaskError).code).toBe(ErrorCode.PreprocessFailed);
        expect((err as WorkerTaskError).details).toMatchObject({ field: 'columns' });
      }
    }
  });

  test('nothing stays allocated in wasm memory after calls, failed ones included', async () => {
    const w = await loadWasmPreprocessor();
    w.emaColumns(new Float32Array(4096), 16, 0.5);
    expect(() => w.emaColumns(new Float32Array(10), 3, 0.5)).toThrow();
    expect(w.liveBytes()).toBe(0);
  });
});
