/**
 * The Rust/WASM Poseidon (wasm-poseidon/, circuits/lib/poseidon-wasm.ts) against circomlibjs,
 * the reference the circuits agree with: fixed vectors, random inputs (zeros, p - 1, values at
 * and above the modulus, negatives), every width Shardmesh hashes, and the digests built on it.
 * The rebuild check takes ~10-20 s when Debian's toolchain is installed (skipped otherwise,
 * failing under CI=true, like tests/preprocess/build.test.ts).
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { batchRoot } from '../../circuits/lib/batch.ts';
import { commitOutput } from '../../circuits/lib/digest.ts';
import { ProofError } from '../../circuits/lib/errors.ts';
import { packBytes } from '../../circuits/lib/field.ts';
import {
  BATCH_SIZE,
  LIMBS_PER_CHUNK,
  RESULT_BINDING_CHUNKS,
  RESULT_BINDING_LIMBS,
} from '../../circuits/lib/params.ts';
import { buildCircomlibPoseidon, getPoseidonImpl, type PoseidonHash } from '../../circuits/lib/poseidon.ts';
import { BN254_R, loadPoseidonWasm, POSEIDON_WASM_WIDTHS } from '../../circuits/lib/poseidon-wasm.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { wasmBuildTests } from '../helpers/wasm-build.ts';

const root = new URL('../../', import.meta.url).pathname;
const P = BN254_R;

let ref: PoseidonHash;
let wasm: PoseidonHash;

beforeAll(async () => {
  ref = await buildCircomlibPoseidon();
  wasm = await loadPoseidonWasm();
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ProofError ? err.code : 'not a ProofError';
  }
  return undefined;
}

describe('poseidon wasm vs circomlibjs', () => {
  test('getPoseidon uses the WASM build', async () => {
    expect((await getPoseidonImpl()).impl).toBe('wasm');
  });

  test("circomlib's published vectors", () => {
    // From circomlib's own tests (poseidon.js), independent of either implementation here.
    expect(wasm([1n])).toBe(18586133768512220936620570745912940619677854269274689475585506675881198879027n);
    expect(wasm([1n, 2n])).toBe(0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189an);
  });

  test('fixed edge vectors at every built width', () => {
    for (const n of POSEIDON_WASM_WIDTHS) {
      const cases: bigint[][] = [
        new Array<bigint>(n).fill(0n),
        new Array<bigint>(n).fill(P - 1n),
        Array.from({ length: n }, (_, i) => BigInt(i + 1)),
        Array.from({ length: n }, (_, i) => (i % 2 === 0 ? P : P + 1n)),
        Array.from({ length: n }, (_, i) => (1n << 256n) - 1n - BigInt(i)),
        Array.from({ length: n }, (_, i) => -BigInt(i + 1)),
      ];
      for (const inputs of cases) expect(wasm(inputs)).toBe(ref(inputs));
    }
  });

  test('random inputs, including values at and above the modulus', () => {
    const element = fc.oneof(
      fc.bigInt({ min: 0n, max: P - 1n }),
      fc.constantFrom(0n, 1n, P - 1n, P, P + 1n, 2n * P - 1n),
      fc.bigInt({ min: P, max: (1n << 256n) - 1n }),
      fc.bigInt({ min: -P, max: -1n }),
    );
    const inputs = fc
      .constantFrom(...POSEIDON_WASM_WIDTHS)
      .chain((n) => fc.array(element, { minLength: n, maxLength: n }));
    fc.assert(
      fc.property(inputs, (xs) => {
        expect(wasm(xs)).toBe(ref(xs));
      }),
      { numRuns: 150 },
    );
  });

  test('widths without compiled constants are refused with a typed error', () => {
    expect(codeOf(() => wasm([]))).toBe(ErrorCode.ProofBadInput);
    expect(codeOf(() => wasm([1n, 2n, 3n]))).toBe(ErrorCode.ProofBadInput);
    expect(codeOf(() => wasm(new Array<bigint>(17).fill(1n)))).toBe(ErrorCode.ProofBadInput);
    // A refusal leaves the instance usable.
    expect(wasm([1n, 2n])).toBe(ref([1n, 2n]));
  });

  test('a module that does not instantiate is refused with a typed error', async () => {
    const err = await loadPoseidonWasm({ bytes: new Uint8Array([0, 97, 115, 109, 9, 9]) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProofError);
    expect((err as ProofError).code).toBe(ErrorCode.ProofBadInput);
  });

  test('an aborted load rejects', async () => {
    await expect(loadPoseidonWasm({ signal: AbortSignal.abort() })).rejects.toThrow();
  });

  test('a Bun Worker loads the WASM build and agrees', async () => {
    const worker = new Worker(new URL('./poseidon-wasm-worker.ts', import.meta.url).href);
    const sets = [[1n], [3n, 4n], Array.from({ length: 16 }, (_, i) => P - BigInt(i))];
    const reply = await new Promise<{ impl: string; hashes: string[] }>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(e);
      worker.postMessage(sets.map((s) => s.map(String)));
    });
    worker.terminate();
    expect(reply.impl).toBe('wasm');
    expect(reply.hashes).toEqual(sets.map((s) => ref(s).toString()));
  });
});

describe('digests built on it are unchanged', () => {
  test('commitOutput equals the circomlibjs sponge', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (output) => {
        const got = await commitOutput(output);
        if (output.length > 2790) return; // the long mode differs only in the payload (own tests)
        const limbs = packBytes(output, RESULT_BINDING_LIMBS);
        let h = BigInt(output.length);
        for (let c = 0; c < RESULT_BINDING_CHUNKS; c++) {
          h = ref([h, ...limbs.slice(c * LIMBS_PER_CHUNK, (c + 1) * LIMBS_PER_CHUNK)]);
        }
        expect(got.inner).toBe(h);
        expect(got.digest).toBe(ref([h]));
      }),
      { numRuns: 15 },
    );
  });

  test('batchRoot equals the circomlibjs tree', async () => {
    const leaves = Array.from({ length: 21 }, (_, i) => P - BigInt(i));
    const padded = [...leaves, ...new Array<bigint>(BATCH_SIZE - leaves.length).fill(0n)];
    const nodes = Array.from({ length: 16 }, (_, n) =>
      n < BATCH_SIZE / 16 ? ref(padded.slice(n * 16, n * 16 + 16)) : 0n,
    );
    expect(await batchRoot(leaves)).toBe(ref(nodes));
  });
});

describe('poseidon wasm build', () => {
  test('src/constants.rs is what gen-constants.ts derives from circomlibjs', () => {
    const result = Bun.spawnSync([process.execPath, 'wasm-poseidon/gen-constants.ts', '--check'], {
      cwd: root,
    });
    expect(`${result.stdout.toString()}${result.stderr.toString()}`).toContain('ok:');
    expect(result.exitCode).toBe(0);
  });

  wasmBuildTests('wasm-poseidon', 'the committed .wasm and its embedding', 180_000);
});
