/**
 * The prover's Worker: holds each circuit's witness calculator (the wasm, compiled once) and
 * zkey bytes, and proves on request, so the caller's event loop never blocks for the ~1 s a
 * Groth16 proof costs. Artifacts arrive already hash-checked by createProver.
 */
import type { WitnessCalculator } from 'circom_runtime';
import type { NativeProver } from '../../circuits/lib/native-prove.ts';
import { loadSnarkjs, terminateCurves, useSingleThreadCurve } from '../../circuits/lib/snarkjs-bun.ts';
import type { FromThread, ProverEngine, ProverEngineChoice, ToThread } from './thread-protocol.ts';

declare const self: {
  onmessage: ((event: MessageEvent<ToThread>) => void) | null;
  postMessage(message: FromThread): void;
};

const loaded = new Map<string, { calculator: WitnessCalculator; zkey: Uint8Array; native?: NativeProver }>();

/**
 * The native prover for `choice`, or undefined for snarkjs. Imported by a computed specifier: the
 * browser bundle of this file must not pull in bun:ffi or node:fs (a page never asks for it).
 */
async function nativeFor(choice: ProverEngineChoice): Promise<NativeProver | undefined> {
  if (choice === 'snarkjs') return undefined;
  const spec = ['..', '..', 'circuits', 'lib', 'native-prove.ts'].join('/');
  const { loadNativeProver } = (await import(
    new URL(spec, import.meta.url).href
  )) as typeof import('../../circuits/lib/native-prove.ts');
  const native = loadNativeProver();
  if ('prover' in native) return native.prover;
  if (choice === 'native') throw new Error(`the native prover is unavailable: ${native.reason}`);
  console.warn(`[prover] native prover unavailable (${native.reason}); proving with snarkjs`);
  return undefined;
}

function post(message: FromThread): void {
  self.postMessage(message);
}

async function handle(msg: ToThread): Promise<void> {
  switch (msg.type) {
    case 'load': {
      await loadSnarkjs();
      if (msg.singleThread) await useSingleThreadCurve();
      // Imported only now: circom_runtime loads ffjavascript, which must not load before
      // loadSnarkjs() has patched `web-worker` (in a Worker the polyfill even breaks on load).
      const { WitnessCalculatorBuilder } = await import('circom_runtime');
      const calculator = await WitnessCalculatorBuilder(msg.wasm);
      const native = await nativeFor(msg.engine);
      loaded.set(msg.circuit, { calculator, zkey: msg.zkey, ...(native === undefined ? {} : { native }) });
      post({ type: 'loaded', circuit: msg.circuit });
      return;
    }
    case 'prove': {
      const circuit = loaded.get(msg.circuit);
      if (circuit === undefined) throw new Error(`circuit ${msg.circuit} not loaded`);
      const snarkjs = await loadSnarkjs();
      const t0 = performance.now();
      // sanityCheck=1 makes the calculator check every constraint: a bad input fails here with a
      // message instead of yielding a proof that cannot verify.
      const witness = await circuit.calculator.calculateWTNSBin(msg.input, 1);
      const t1 = performance.now();
      const engine: ProverEngine = circuit.native === undefined ? 'snarkjs' : 'native';
      const { proof, publicSignals } =
        circuit.native === undefined
          ? await snarkjs.groth16.prove(circuit.zkey, witness)
          : circuit.native.prove(circuit.zkey, witness);
      post({
        type: 'proved',
        id: msg.id,
        proof,
        publicSignals,
        witnessMs: t1 - t0,
        proveMs: performance.now() - t1,
        engine,
      });
      return;
    }
    case 'close':
      await terminateCurves();
      post({ type: 'closed' });
      return;
  }
}

self.onmessage = (event) => {
  const msg = event.data;
  handle(msg).catch((err: unknown) => {
    post({
      type: 'failed',
      id: msg.type === 'prove' ? msg.id : null,
      message: String((err as Error)?.message ?? err),
    });
  });
};
