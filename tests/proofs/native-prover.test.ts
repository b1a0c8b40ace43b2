/**
 * The native Groth16 prover (native-bn254/, through bun:ffi): its proofs of every committed
 * circuit verify with snarkjs and the committed keys, they are randomized, and bad input gives a
 * typed PROVER_FAILED with the native status, never a crash. Under CI the library must be there
 * (CI installs Debian's cargo and scripts/setup.sh builds it); elsewhere these tests skip with the
 * reason when it cannot be built.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WitnessCalculator } from 'circom_runtime';
import { DEFAULT_ARTIFACTS_DIR } from '../../circuits/lib/manifest-fs.ts';
import { loadNativeProver, NATIVE_LIBRARY, type NativeProver } from '../../circuits/lib/native-prove.ts';
import { type CircuitId, PUBLIC_SIGNALS } from '../../circuits/lib/params.ts';
import { loadSnarkjs } from '../../circuits/lib/snarkjs-bun.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { createProver } from '../../worker/prover/index.ts';
import { batchInput, poseidonChainInput, resultBindingInput } from '../../worker/prover/inputs.ts';

const root = new URL('../../', import.meta.url).pathname;
const who = { workerId: 'worker-n', nonce: 'nonce-n' };

// Built here when missing and cargo is installed (a checkout that skipped setup).
if (!existsSync(NATIVE_LIBRARY) && existsSync('/usr/bin/cargo')) {
  Bun.spawnSync(['bash', 'native-bn254/build.sh'], { cwd: root });
}
const native = loadNativeProver();
const skip = 'reason' in native ? native.reason : undefined;
if (skip !== undefined) console.warn(`[native prover] SKIPPED: ${skip}`);

const inputs = {
  result_binding: async () =>
    (await resultBindingInput({ taskId: 't1', seed: 7, output: new Uint8Array(300).fill(5), ...who })).input,
  poseidon_chain: async () => (await poseidonChainInput({ taskId: 't2', seed: 9, ...who })).input,
  result_batch: async () =>
    (
      await batchInput({
        items: Array.from({ length: 5 }, (_, i) => ({ taskId: `t${i}`, output: new Uint8Array([i, 1, 2]) })),
        ...who,
      })
    ).input,
} satisfies Record<CircuitId, () => Promise<Record<string, bigint | bigint[]>>>;

interface Circuit {
  zkey: Uint8Array;
  vkey: unknown;
  wtns: Uint8Array;
  /** The public signals the input names, in the circuit's order. */
  expected: string[];
}
const circuits = new Map<CircuitId, Circuit>();
let prover: NativeProver;

beforeAll(async () => {
  if (skip !== undefined) return;
  prover = (native as { prover: NativeProver }).prover;
  await loadSnarkjs(); // before circom_runtime: it loads ffjavascript, which needs the Bun patch first
  const { WitnessCalculatorBuilder } = await import('circom_runtime');
  for (const id of Object.keys(inputs) as CircuitId[]) {
    const dir = join(DEFAULT_ARTIFACTS_DIR, id, 'v1');
    const calc: WitnessCalculator = await WitnessCalculatorBuilder(readFileSync(join(dir, 'circuit.wasm')));
    const input = await inputs[id]();
    circuits.set(id, {
      zkey: new Uint8Array(readFileSync(join(dir, 'circuit.zkey'))),
      vkey: JSON.parse(readFileSync(join(dir, 'vkey.json'), 'utf8')),
      wtns: await calc.calculateWTNSBin(input, 1),
      expected: PUBLIC_SIGNALS[id].map((name) => String((input as Record<string, unknown>)[name])),
    });
  }
}, 60_000);

const nativeCode = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    const e = err as { code?: string; details?: { nativeCode?: number } };
    return { code: e.code, nativeCode: e.details?.nativeCode };
  }
  return 'no error';
};

describe('native Groth16 prover', () => {
  test.if(process.env.CI === 'true')('the native library is built under CI', () => {
    expect(skip).toBeUndefined();
  });

  test.skipIf(skip !== undefined)(
    'proofs of every committed circuit verify with snarkjs; public signals are the witness',
    async () => {
      const snarkjs = await loadSnarkjs();
      for (const [id, c] of circuits) {
        const { proof, publicSignals } = prover.prove(c.zkey, c.wtns);
        expect(publicSignals, id).toEqual(c.expected);
        expect(await snarkjs.groth16.verify(c.vkey as never, publicSignals, proof)).toBe(true);
      }
    },
    60_000,
  );

  test.skipIf(skip !== undefined)(
    'proofs are randomized; a changed public signal does not verify',
    async () => {
      const snarkjs = await loadSnarkjs();
      const c = circuits.get('result_batch') as Circuit;
      const a = prover.prove(c.zkey, c.wtns);
      const b = prover.prove(c.zkey, c.wtns);
      expect(a.proof.pi_a).not.toEqual(b.proof.pi_a);
      expect(await snarkjs.groth16.verify(c.vkey as never, b.publicSignals, b.proof)).toBe(true);
      const forged = [...a.publicSignals];
      forged[1] = (BigInt(forged[1] as string) + 1n).toString();
      expect(await snarkjs.groth16.verify(c.vkey as never, forged, a.proof)).toBe(false);
    },
  );

  test.skipIf(skip !== undefined)('bad input is PROVER_FAILED with the native status, not a crash', () => {
    const batch = circuits.get('result_batch') as Circuit;
    const binding = circuits.get('result_binding') as Circuit;
    const failed = ErrorCode.ProverFailed;
    expect(nativeCode(() => prover.prove(batch.wtns, batch.wtns))).toEqual({ code: failed, nativeCode: -1 });
    expect(nativeCode(() => prover.prove(batch.zkey.subarray(0, 5000), batch.wtns))).toEqual({
      code: failed,
      nativeCode: -2,
    });
    expect(nativeCode(() => prover.prove(batch.zkey, binding.wtns))).toEqual({
      code: failed,
      nativeCode: -7,
    });
    expect(nativeCode(() => prover.prove(batch.zkey, batch.wtns.subarray(0, 100)))).toMatchObject({
      code: failed,
    });
    expect(nativeCode(() => prover.prove(batch.zkey, new Uint8Array(0)))).toEqual({
      code: failed,
      nativeCode: -2,
    });
  });

  test.skipIf(skip !== undefined)(
    "createProver uses it by default and says so; engine 'snarkjs' does not",
    async () => {
      const verify = async (engine: 'auto' | 'snarkjs') => {
        const p = await createProver({ circuits: ['result_batch'], engine });
        try {
          const items = [{ taskId: 'x', output: new Uint8Array([1]) }];
          return (await p.proveBatch({ items, ...who })).timings.engine;
        } finally {
          await p.close();
        }
      };
      expect(await verify('auto')).toBe('native');
      expect(await verify('snarkjs')).toBe('snarkjs');
    },
    60_000,
  );
});
