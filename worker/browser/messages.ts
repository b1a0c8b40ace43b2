/** postMessage shapes between the page (page.ts) and its dedicated worker (worker-entry.ts). */

export interface StartWorkerMessage {
  type: 'start';
  /** The control block (control-block.ts): shared, never copied. */
  control: SharedArrayBuffer;
  bootstrapUrl: string;
  cpuThreadUrl: string;
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
  wasm: '/worker/shardmesh_preproc.wasm',
} as const;
