// Minimal types for the untyped JS packages the proof layer uses (only what we call).

declare module 'circomlibjs' {
  interface PoseidonField {
    toObject(value: Uint8Array): bigint;
  }
  interface PoseidonFn {
    (inputs: readonly bigint[]): Uint8Array;
    F: PoseidonField;
  }
  export function buildPoseidon(): Promise<PoseidonFn>;
}

declare module 'circom_runtime' {
  interface WitnessCalculator {
    calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: number | boolean): Promise<Uint8Array>;
  }
  export function WitnessCalculatorBuilder(
    code: Uint8Array,
    options?: Record<string, unknown>,
  ): Promise<WitnessCalculator>;
}

declare module 'snarkjs' {
  export interface Groth16Proof {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }
  export interface Logger {
    debug(msg: string): void;
    info(msg: string): void;
    warn(msg: string): void;
    error(msg: string): void;
  }
  type FileRef = string | Uint8Array | { type: 'mem'; data?: Uint8Array };
  export const groth16: {
    prove(
      zkey: FileRef,
      witness: FileRef,
      logger?: Logger,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(
      vkey: unknown,
      publicSignals: readonly string[],
      proof: Groth16Proof,
      logger?: Logger,
    ): Promise<boolean>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, out: FileRef, logger?: Logger): Promise<unknown>;
    contribute(old: FileRef, out: FileRef, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    beacon(
      old: FileRef,
      out: FileRef,
      name: string,
      beaconHash: string,
      iterExp: number,
      logger?: Logger,
    ): Promise<unknown>;
    preparePhase2(old: FileRef, out: FileRef, logger?: Logger): Promise<unknown>;
  };
  export const zKey: {
    newZKey(r1cs: FileRef, ptau: FileRef, out: FileRef, logger?: Logger): Promise<unknown>;
    contribute(old: FileRef, out: FileRef, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    beacon(
      old: FileRef,
      out: FileRef,
      name: string,
      beaconHash: string,
      iterExp: number,
      logger?: Logger,
    ): Promise<unknown>;
    exportVerificationKey(zkey: FileRef, logger?: Logger): Promise<Record<string, unknown>>;
  };
  export const r1cs: {
    info(
      r1cs: FileRef,
      logger?: Logger,
    ): Promise<{ nConstraints: number; nPubInputs: number; nOutputs: number; nVars: number }>;
  };
  export const curves: {
    getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<unknown>;
  };
}

// The npm polyfill snarkjs-bun.ts replaces under Bun (only its default export matters).
declare module 'web-worker' {
  const WorkerConstructor: unknown;
  export default WorkerConstructor;
}
