/**
 * WASM vs pure-TS preprocessing throughput inside headless Chromium (V8), the runtime browser
 * workers use. Bundles bench/preprocess-page.ts, serves it on 127.0.0.1, runs Chromium on it
 * and prints the rows the page posts back.
 *
 *   bun bench/preprocess-browser.bench.ts [--runs 7] [--mb 16] [--chromium /usr/bin/chromium]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_WASM_URL } from '../worker/preprocess/index.ts';
import { type BenchRow, formatTable } from './preprocess-measure.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    mb: { type: 'string', default: '16' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
const runs = Math.max(5, Number(values.runs));
const mb = Math.max(4, Number(values.mb));
const TIMEOUT_MS = 300_000;

interface PageResult {
  ua?: string;
  rows?: BenchRow[];
  subtle?: number;
  error?: string;
}

const build = await Bun.build({
  entrypoints: [new URL('./preprocess-page.ts', import.meta.url).pathname],
  target: 'browser',
});
const bundle = build.outputs[0];
if (!build.success || bundle === undefined)
  throw new Error(`bundling the page failed: ${build.logs.join('\n')}`);
const script = await bundle.text();
const wasmBytes = await Bun.file(DEFAULT_WASM_URL).arrayBuffer();

const { promise: result, resolve } = Promise.withResolvers<PageResult>();
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  async fetch(req) {
    const path = new URL(req.url).pathname;
    if (path === '/') {
      return new Response('<!doctype html><script type="module" src="/page.js"></script>', {
        headers: { 'content-type': 'text/html' },
      });
    }
    if (path === '/page.js') return new Response(script, { headers: { 'content-type': 'text/javascript' } });
    if (path === '/shardmesh_preproc.wasm') {
      return new Response(wasmBytes, { headers: { 'content-type': 'application/wasm' } });
    }
    if (path === '/result' && req.method === 'POST') {
      resolve((await req.json()) as PageResult);
      return new Response('ok');
    }
    return new Response('not found', { status: 404 });
  },
});

const profile = mkdtempSync(join(tmpdir(), 'shardmesh-bench-'));
const chromium = Bun.spawn(
  [
    values.chromium,
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    `http://127.0.0.1:${server.port}/?runs=${runs}&mb=${mb}`,
  ],
  { stdout: 'ignore', stderr: 'ignore' },
);
const timer = setTimeout(() => resolve({ error: `no result after ${TIMEOUT_MS / 1000} s` }), TIMEOUT_MS);
try {
  const out = await result;
  if (out.error !== undefined || out.rows === undefined)
    throw new Error(`browser bench failed: ${out.error}`);
  const version = /Chrome\/[\d.]+/.exec(out.ua ?? '')?.[0] ?? out.ua;
  console.log(
    formatTable(`preprocess in headless ${version}: median of ${runs} runs (MB/s = 10^6 B/s)`, out.rows),
  );
  console.log(`reference sha256 ${mb} MiB: crypto.subtle.digest ${out.subtle?.toFixed(0)} MB/s (async)`);
} finally {
  clearTimeout(timer);
  chromium.kill();
  await chromium.exited;
  await server.stop(true);
  rmSync(profile, { recursive: true, force: true });
}
