/**
 * The browser worker page, served by the orchestrator: `/` (markup), `/worker/*` (bundles, CSS,
 * WASM), `GET /v1/worker-bootstrap` (the WebSocket multiaddrs the page's worker dials) and
 * `GET /v1/browser-peers` (pages reachable over WebRTC through this orchestrator's relay).
 *
 * Every response carries COOP `same-origin` + COEP `require-corp` (cross-origin isolation, the
 * condition for SharedArrayBuffer) and CORP `same-origin` (scripts and the worker's own fetches
 * must be allowed under require-corp), plus a strict CSP: same-origin scripts only, no eval
 * (TypeGPU falls back to its non-eval writers), WASM compilation allowed, WebSockets allowed.
 * The bundles are built once per process (worker/browser/build.ts), eagerly when mounted.
 */
import type { Context, Hono } from 'hono';
import { BOOTSTRAP_PATH, isWebSocketAddr, type WorkerBootstrap } from '../../worker/browser/bootstrap.ts';
import { type WorkerPageBundle, workerPageBundle } from '../../worker/browser/build.ts';
import { ASSET_PATHS, BROWSER_PEERS_PATH } from '../../worker/browser/messages.ts';
import { TASK_PROTOCOL } from '../config.ts';

export interface WorkerPageOptions {
  /** The orchestrator's libp2p multiaddrs; only the WebSocket ones are handed to pages. */
  multiaddrs: () => readonly string[];
  /**
   * Let pages served from a loopback/private host dial this orchestrator's `ws://` or private
   * addresses (local development). Pages on public hosts never get that relaxation, whatever
   * this says (worker/browser/dial-policy.ts). Default true.
   */
  allowLocal?: boolean;
  /** Per-task time limit browser workers apply. Default 60 s. */
  taskTimeoutMs?: number;
  /** Payloads at least this large go through OPFS to the CPU thread. Default 4 MiB. */
  opfsThresholdBytes?: number;
  /**
   * The WebRTC-over-circuit addresses of pages holding a relay reservation here
   * (orchestrator/p2p/relay-peers.ts), served at `GET /v1/browser-peers` so pages can find each
   * other. Absent: the route answers an empty list (pages keep working through the orchestrator).
   */
  browserPeers?: () => readonly string[];
  /** Build the bundles now rather than on the first request. Default true. */
  prebuild?: boolean;
  log?: (line: string) => void;
}

export const WORKER_PAGE_DEFAULTS = {
  allowLocal: true,
  taskTimeoutMs: 60_000,
  opfsThresholdBytes: 4 * 1024 * 1024,
  prebuild: true,
} as const;

const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self' ws: wss:",
  "style-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const WORKER_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function mountWorkerPage(app: Hono, opts: WorkerPageOptions): void {
  const settings = { ...WORKER_PAGE_DEFAULTS, ...opts };
  const log = opts.log ?? (() => {});
  const bundle = (): Promise<WorkerPageBundle> => workerPageBundle();
  if (settings.prebuild) {
    bundle().then(
      (b) => log(`worker page built in ${Math.round(b.buildMs)} ms`),
      (err: unknown) => log(`worker page build failed (retried on request): ${String(err)}`),
    );
  }

  const serve = async (c: Context, path: string): Promise<Response> => {
    const asset = (await bundle()).assets.get(path);
    if (asset === undefined) return c.notFound();
    return new Response(asset.body, {
      headers: { ...WORKER_PAGE_HEADERS, 'Content-Type': asset.contentType, 'Cache-Control': 'no-cache' },
    });
  };

  app.get('/', (c) => serve(c, '/'));
  // Browsers ask for it on every page load; an empty answer keeps the console clean.
  app.get('/favicon.ico', () => new Response(null, { status: 204, headers: WORKER_PAGE_HEADERS }));
  for (const path of Object.values(ASSET_PATHS)) app.get(path, (c) => serve(c, path));
  // Chunks of the split worker bundle (build.ts), named by content hash.
  app.get('/worker/:file{chunk-[a-z0-9]+\\.js}', (c) => serve(c, `/worker/${c.req.param('file')}`));

  app.get(BOOTSTRAP_PATH, (c) => {
    const body: WorkerBootstrap = {
      multiaddrs: opts.multiaddrs().filter(isWebSocketAddr),
      protocol: TASK_PROTOCOL,
      allowLocal: settings.allowLocal,
      taskTimeoutMs: settings.taskTimeoutMs,
      opfsThresholdBytes: settings.opfsThresholdBytes,
    };
    return c.json(body, 200, { ...WORKER_PAGE_HEADERS, 'Cache-Control': 'no-store' });
  });

  app.get(BROWSER_PEERS_PATH, (c) =>
    c.json({ peers: [...(opts.browserPeers?.() ?? [])] }, 200, {
      ...WORKER_PAGE_HEADERS,
      'Cache-Control': 'no-store',
    }),
  );
}
