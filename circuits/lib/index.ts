/**
 * Shared proof-layer functions for both sides (worker prover, orchestrator verifier). Everything
 * here is pure and browser-safe; the Node/Bun-only parts are manifest-fs.ts (reading artifacts
 * from disk) and snarkjs-bun.ts (loading snarkjs with the Bun worker fix).
 */
export { type BatchListing, batchLeafDigest, batchNonce, batchRoot, padBatch } from './batch.ts';
export { commitOutput, digestFromHex, digestToHex, type OutputCommitment, resultDigestOf } from './digest.ts';
export { ProofError } from './errors.ts';
export {
  FIELD_MODULUS,
  fieldFromId,
  fieldToBytes32,
  type IdDomain,
  nonceToField,
  packBytes,
  seedToField,
  sha256Hex,
  taskIdToField,
  toFieldElement,
  workerIdToField,
} from './field.ts';
export {
  type ArtifactFile,
  checkArtifact,
  findEntry,
  type Manifest,
  type ManifestEntry,
  parseManifest,
  parseVerificationKey,
  type VerificationKey,
} from './manifest.ts';
export * from './params.ts';
export { getPoseidon, type PoseidonHash } from './poseidon.ts';
export {
  computePoseidonChain,
  encodePoseidonChainOutput,
  POSEIDON_CHAIN_OUTPUT_LEN,
  POSEIDON_CHAIN_TASK_KIND,
  poseidonChainFromFields,
} from './poseidon-chain.ts';
