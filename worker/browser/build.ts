/**
 * Bundles the worker page for browsers with Bun.build: the page script, the dedicated worker
 * (libp2p, task loop, TypeGPU kernels) and the CPU thread, plus the committed WASM preprocessor
 * and the static markup. Built once per process on first use and kept in memory; a failed build
 * is not cached, so the next request tries again.
 */
import { DEFAULT_WASM_URL } from '../preprocess/index.ts';
import { ASSET_PATHS } from './messages.ts';
import { WORKER_PAGE_CSS, WORKER_PAGE_HTML } from './page-html.ts';

export interface WorkerPageAsset {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
}

export interface WorkerPageBundle {
  /** By URL path: '/', ASSET_PATHS.*. */
  readonly assets: ReadonlyMap<string, WorkerPageAsset>;
  readonly buildMs: number;
}

export interface BuildWorkerPageOptions {
  /** Default true: smaller bundles, same behaviour. */
  minify?: boolean;
}

/** `split`: dynamic imports become chunks served next to the entry (`/worker/chunk-<hash>.js`). */
const ENTRIES = [
  { path: ASSET_PATHS.page, source: './page.ts', split: false },
  // Split: circomlibjs (Poseidon, ~3 MB) is imported lazily (circuits/lib/poseidon.ts), so it is a
  // chunk fetched by the first batch-proof or poseidon-chain task, after buffer-global.ts ran.
  { path: ASSET_PATHS.worker, source: './worker-entry.ts', split: true },
  { path: ASSET_PATHS.cpuThread, source: './cpu-thread-entry.ts', split: true },
  // snarkjs + circom_runtime (~2 MB): fetched only when a proof-requiring task arrives.
  { path: ASSET_PATHS.proverThread, source: '../prover/prover-thread.ts', split: false },
  // The page's WebRTC peer link, an ES module the page imports (it needs a window: RTCPeerConnection).
  { path: ASSET_PATHS.peerLink, source: './peer-link.ts', split: false },
] as const;

const JS = 'text/javascript; charset=utf-8';

export async function buildWorkerPage(opts: BuildWorkerPageOptions = {}): Promise<WorkerPageBundle> {
  const started = performance.now();
  const assets = new Map<string, WorkerPageAsset>();
  // One build per entry. A split build turns dynamic imports into chunks fetched on first use:
  // the CPU thread's Poseidon (circomlibjs, ~3 MB, only for poseidon-chain tasks). Chunk names
  // are content hashes, so two builds that emit the same chunk emit the same name and bytes.
  const builds = await Promise.all(
    ENTRIES.map(async (entry) => {
      const result = await Bun.build({
        entrypoints: [new URL(entry.source, import.meta.url).pathname],
        target: 'browser',
        format: 'esm',
        minify: opts.minify ?? true,
        splitting: entry.split,
      });
      const output = result.outputs.find((o) => o.kind === 'entry-point');
      if (!result.success || output === undefined) {
        throw new Error(`bundling ${entry.source} failed: ${result.logs.map(String).join('\n')}`);
      }
      const files: { path: string; body: Uint8Array<ArrayBuffer> }[] = [
        { path: entry.path, body: new Uint8Array(await output.arrayBuffer()) },
      ];
      for (const chunk of result.outputs.filter((o) => o.kind === 'chunk')) {
        // Imported as './chunk-<hash>.js' relative to the entry, which lives under /worker/.
        const name = chunk.path.split('/').pop() as string;
        files.push({ path: `/worker/${name}`, body: new Uint8Array(await chunk.arrayBuffer()) });
      }
      return files;
    }),
  );
  for (const { path, body } of builds.flat()) assets.set(path, { body, contentType: JS });
  const encode = (text: string) => new TextEncoder().encode(text);
  assets.set('/', { body: encode(WORKER_PAGE_HTML), contentType: 'text/html; charset=utf-8' });
  assets.set(ASSET_PATHS.css, { body: encode(WORKER_PAGE_CSS), contentType: 'text/css; charset=utf-8' });
  const wasm = new Uint8Array(await Bun.file(DEFAULT_WASM_URL).arrayBuffer());
  assets.set(ASSET_PATHS.wasm, { body: wasm, contentType: 'application/wasm' });
  return { assets, buildMs: performance.now() - started };
}

let cached: Promise<WorkerPageBundle> | undefined;

/** The process-wide bundle: built on the first call, shared by every later one. */
export function workerPageBundle(opts: BuildWorkerPageOptions = {}): Promise<WorkerPageBundle> {
  cached ??= buildWorkerPage(opts).catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}
