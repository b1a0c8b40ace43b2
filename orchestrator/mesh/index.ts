/** The libp2p mesh: verified-digest log, its gossip and catch-up, discovery. Public surface. */

export { acceptedTaskInput } from './accepted-task.ts';
export {
  DEFLATE_FORMAT,
  decodeBatch,
  type EncodeBatchOptions,
  encodeBatch,
  MAX_BATCH_RECORDS,
} from './batch.ts';
export { DigestLog, signRecordSync } from './digest-log.ts';
export { type DiscoverOptions, discoverOrchestrators, ORCHESTRATOR_CID } from './discovery.ts';
export { LogError } from './errors.ts';
export { type IngestOutcome, LogIngest } from './ingest.ts';
export { OrchestratorMesh, type OrchestratorMeshOptions } from './orchestrator-mesh.ts';
export {
  checkProofRefAtOrigin,
  checkProofRefShape,
  formatProofRef,
  type ProofRef,
  type ProofRefEntry,
  parseProofRef,
  proofRefFor,
  saveProofRef,
  type VerifiedProof,
} from './proof-refs.ts';
export {
  canonicalBody,
  GENESIS_HASH,
  hashMatches,
  type LogRecord,
  LogRecordSchema,
  RECORD_VERSION,
  type RecordInput,
  recordHash,
  signatureValid,
} from './record.ts';
export { parseLogRecord } from './record-parse.ts';
export { LOG_TOPIC, LogReplicator, type ReplicatorOptions } from './replicator.ts';
export { DHT_PROTOCOL, MDNS_SERVICE_TAG, type MeshNodeOptions } from './services.ts';
export { LogStore, type OriginHead } from './store.ts';
export { fetchHeads, fetchRange, SYNC_PROTOCOL, serveSync } from './sync.ts';
export { type ChainAnchor, type ProofCheck, verifyRun } from './verify.ts';
export { type LogVerifyReport, type OriginReport, verifyLog } from './verify-log.ts';
