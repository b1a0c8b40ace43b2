/** What every route module receives. */
import type { ApiKeyStore } from '../auth/api-keys.ts';
import type { OrchestratorConfig } from '../config.ts';
import type { TaskEngine } from '../engine/index.ts';
import type { KeyVersions } from '../proofs/key-versions.ts';

export interface ApiContext {
  config: OrchestratorConfig;
  engine: TaskEngine;
  keys: ApiKeyStore;
  /** Called after a job is stored or tasks requeued, so the dispatcher offers work at once. */
  onWorkAdded: () => void;
  /** Workers connected right now. */
  workerCount: () => number;
  /** The orchestrator's libp2p addresses (the worker page bootstraps from the /ws ones). */
  multiaddrs: () => readonly string[];
  /** Browser pages holding a relay reservation, as WebRTC-through-relay addresses (/v1/browser-peers). */
  browserPeers?: () => readonly string[];
  log: (line: string) => void;
  /**
   * The verification-key versions the dispatcher verifies with (/v1/verification-keys changes
   * them); absent, that route makes its own over the engine's database.
   */
  keyVersions?: KeyVersions;
}
