/**
 * The worker page routes through Hono's app.request (no server): isolation headers on every
 * response, the bundles, and the bootstrap that hands out only WebSocket addresses.
 */
import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { TASK_PROTOCOL } from '../../orchestrator/config.ts';
import { mountWorkerPage, WORKER_PAGE_HEADERS } from '../../orchestrator/http/worker-page.ts';
import { parseBootstrap } from '../../worker/browser/bootstrap.ts';
import { ASSET_PATHS } from '../../worker/browser/messages.ts';

const PEER = '12D3KooWLDbZEjUGgYM9QC5SLBGh2XCBGyoyh7ndfkTd347Qv6dL';
const app = new Hono();
mountWorkerPage(app, {
  multiaddrs: () => [`/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`, `/ip4/127.0.0.1/tcp/4002/ws/p2p/${PEER}`],
  prebuild: false,
});

describe('worker page routes', () => {
  test('every response is cross-origin isolated (COOP/COEP) and same-origin only (CORP)', async () => {
    for (const path of ['/', ...Object.values(ASSET_PATHS), '/v1/worker-bootstrap']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
      expect(res.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
      expect(res.headers.get('Cross-Origin-Resource-Policy')).toBe('same-origin');
      expect(res.headers.get('Content-Security-Policy')).toBe(
        WORKER_PAGE_HEADERS['Content-Security-Policy']!,
      );
    }
  }, 30_000);

  test('the page asks for consent and loads only its own script; bundles are JavaScript', async () => {
    const html = await (await app.request('/')).text();
    expect(html).toContain('Start contributing');
    expect(html).toContain(`src="${ASSET_PATHS.page}"`);
    for (const path of [ASSET_PATHS.page, ASSET_PATHS.worker, ASSET_PATHS.cpuThread]) {
      const res = await app.request(path);
      expect(res.headers.get('Content-Type')).toStartWith('text/javascript');
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    expect((await app.request(ASSET_PATHS.wasm)).headers.get('Content-Type')).toBe('application/wasm');
  });

  test('every chunk a split bundle imports is served, isolated; unknown chunks are 404', async () => {
    const referenced = new Set<string>();
    for (const path of [ASSET_PATHS.worker, ASSET_PATHS.cpuThread]) {
      const js = await (await app.request(path)).text();
      for (const m of js.matchAll(/chunk-[a-z0-9]+\.js/g)) referenced.add(`/worker/${m[0]}`);
    }
    expect(referenced.size).toBeGreaterThan(0); // the CPU thread's Poseidon is a lazy chunk
    for (const path of referenced) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toStartWith('text/javascript');
      expect(res.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    }
    expect((await app.request('/worker/chunk-00000000.js')).status).toBe(404);
    expect((await app.request('/worker/../package.json')).status).toBe(404);
  });

  test('the bootstrap lists only WebSocket multiaddrs', async () => {
    const bootstrap = parseBootstrap(await (await app.request('/v1/worker-bootstrap')).json());
    expect(bootstrap.multiaddrs).toEqual([`/ip4/127.0.0.1/tcp/4002/ws/p2p/${PEER}`]);
    expect(bootstrap.protocol).toBe(TASK_PROTOCOL);
    expect(bootstrap.allowLocal).toBe(true);
  });

  test('a malformed bootstrap is refused with BAD_REQUEST', () => {
    expect(() => parseBootstrap({ multiaddrs: 'x' })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });
});
