/** Messages between createProver (caller thread) and prover-thread.ts (the Worker). */
import type { Groth16Proof } from 'snarkjs';
import type { CircuitInput } from './inputs.ts';

export type ToThread =
  | {
      type: 'load';
      circuit: string;
      version: number;
      wasm: Uint8Array;
      zkey: Uint8Array;
      singleThread: boolean;
    }
  | { type: 'prove'; id: number; circuit: string; input: CircuitInput }
  | { type: 'close' };

export type FromThread =
  | { type: 'loaded'; circuit: string }
  | {
      type: 'proved';
      id: number;
      proof: Groth16Proof;
      publicSignals: string[];
      witnessMs: number;
      proveMs: number;
    }
  | { type: 'failed'; id: number | null; message: string }
  | { type: 'closed' };
