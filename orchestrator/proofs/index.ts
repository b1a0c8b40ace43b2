/** Public surface of the orchestrator-side proof verification. */
export type {
  BatchExpected,
  ExpectedByCircuit,
  PoseidonChainExpected,
  ResultBindingExpected,
} from './expected.ts';
export { checkProofShape, proofFingerprint } from './proof-shape.ts';
export { ProofReplayGuard, type ReplayGuardOptions, type ReplayRecord } from './replay-guard.ts';
export {
  createVerifier,
  type Verifier,
  type VerifierOptions,
  type VerifyOk,
  type VerifyRequest,
} from './verifier.ts';
