/** postMessage shapes between the page (page.ts) and its dedicated worker (worker-entry.ts). */

export interface StartWorkerMessage {
  type: 'start';
  /** The control block (control-block.ts): shared, never copied. */
  control: SharedArrayBuffer;
  bootstrapUrl: string;
  cpuThreadUrl: string;
  /** The Groth16 prover thread, started on the first proof-requiring task. */
  proverThreadUrl: string;
  wasmUrl: string;
}

export type FromWorker =
  | { type: 'log'; line: string }
  /** The worker cannot go on (no orchestrator address, bundle error); the page shows it. */
  | { type: 'fatal'; message: string };

/** Where the orchestrator serves the bundles (orchestrator/http/worker-page.ts). */
export const ASSET_PATHS = {
  page: '/worker/page.js',
  css: '/worker/page.css',
  worker: '/worker/worker.js',
  cpuThread: '/worker/cpu-thread.js',
  proverThread: '/worker/prover-thread.js',
  wasm: '/worker/shardmesh_preproc.wasm',
  /** The optional page-to-page WebRTC link (./peer-link.ts), imported by the page after Start. */
  peerLink: '/worker/peer-link.js',
} as const;

/** Where the orchestrator lists the pages reachable over WebRTC (orchestrator/p2p/relay-peers.ts). */
export const BROWSER_PEERS_PATH = '/v1/browser-peers';
