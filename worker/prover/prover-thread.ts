/**
 * The prover's Worker: holds each circuit's witness calculator (the wasm, compiled once) and
 * zkey bytes, and proves on request, so the caller's event loop never blocks for the ~1 s a
 * Groth16 proof costs. Artifacts arrive already hash-checked by createProver.
 */
import type { WitnessCalculator } from 'circom_runtime';
import { loadSnarkjs, terminateCurves, useSingleThreadCurve } from '../../circuits/lib/snarkjs-bun.ts';
import type { FromThread, ToThread } from './thread-protocol.ts';

declare const self: {
  onmessage: ((event: MessageEvent<ToThread>) => void) | null;
  postMessage(message: FromThread): void;
};

const loaded = new Map<string, { calculator: WitnessCalculator; zkey: Uint8Array }>();

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
      loaded.set(msg.circuit, { calculator, zkey: msg.zkey });
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
      const { proof, publicSignals } = await snarkjs.groth16.prove(circuit.zkey, witness);
      post({
        type: 'proved',
        id: msg.id,
        proof,
        publicSignals,
        witnessMs: t1 - t0,
        proveMs: performance.now() - t1,
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
