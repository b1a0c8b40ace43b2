/** Messages between createProver (caller thread) and prover-thread.ts (the Worker). */
import type { Groth16Proof } from 'snarkjs';
import type { CircuitInput } from './inputs.ts';

/** Who proves: the native library when it loads ('auto'), only it ('native'), or snarkjs. */
export type ProverEngineChoice = 'auto' | 'native' | 'snarkjs';
export type ProverEngine = 'native' | 'snarkjs';

export type ToThread =
  | {
      type: 'load';
      circuit: string;
      version: number;
      wasm: Uint8Array;
      zkey: Uint8Array;
      singleThread: boolean;
      engine: ProverEngineChoice;
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
      engine: ProverEngine;
    }
  | { type: 'failed'; id: number | null; message: string }
  | { type: 'closed' };
