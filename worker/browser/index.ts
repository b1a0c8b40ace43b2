/**
 * Public surface of the browser worker. Bundled entry points: page.ts (the page),
 * worker-entry.ts (its dedicated worker), ../runtime/cpu-thread.ts (the CPU thread) and
 * ../prover/prover-thread.ts (the Groth16 prover thread);
 * build.ts bundles them (Bun only), orchestrator/http/worker-page.ts serves them.
 */

export {
  type ArtifactStore,
  type ArtifactStoreOptions,
  artifactStore,
  checkArtifactDigest,
  type FetchArtifact,
} from './artifact-store.ts';
export {
  BOOTSTRAP_PATH,
  fetchBootstrap,
  isWebSocketAddr,
  parseBootstrap,
  type WorkerBootstrap,
} from './bootstrap.ts';
export { type BrowserHostOptions, runBrowserHost } from './browser-host.ts';
export { createBrowserNode } from './browser-node.ts';
export {
  type BuildWorkerPageOptions,
  buildWorkerPage,
  type WorkerPageAsset,
  type WorkerPageBundle,
  workerPageBundle,
} from './build.ts';
export { ControlBlock, type ControlDefaults, Slot, STATE_NAMES, WorkerState } from './control-block.ts';
export { type DialPolicyOptions, isLocalHost, mayDial, workerPageGater } from './dial-policy.ts';
export { loadWorkerIdentity, type WorkerIdentity, type WorkerIdentityOptions } from './identity.ts';
export { ASSET_PATHS, type FromWorker, type StartWorkerMessage } from './messages.ts';
export { type BrowserProverOptions, type CircuitLoaded, createBrowserProver } from './prover.ts';
export {
  type BrowserProverSource,
  type BrowserProverSourceOptions,
  browserProverSource,
} from './prover-source.ts';
export { SlotExecutors, taskSlots } from './slots.ts';
