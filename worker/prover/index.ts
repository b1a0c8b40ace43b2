/** Public surface of the worker-side prover. */
export type { BatchRequest, BoundIdentity, PoseidonChainRequest, ResultBindingRequest } from './inputs.ts';
export { createProver, type ProofBundle, type Prover, type ProverOptions } from './prover.ts';
