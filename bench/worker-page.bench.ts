/**
 * Tasks per second through the browser worker page (headless Chromium, SwiftShader WebGPU) with
 * the GPU switch on and off, against a headless Bun worker on the same orchestrator as the
 * baseline. Every task travels the whole way: SQLite lease -> task frame over libp2p WebSockets
 * -> dedicated worker -> GPU or CPU thread -> SHA-256 -> result frame -> quorum (redundancy 1).
 *
 *   bun bench/worker-page.bench.ts [--tasks 60] [--size 64] [--runs 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Hono } from 'hono';
import { buildDemoJob } from '../orchestrator/cli/demo-job.ts';
import { mountWorkerPage } from '../orchestrator/http/worker-page.ts';
import { Orchestrator } from '../orchestrator/orchestrator.ts';
import { launchChromium } from '../tests/helpers/chromium.ts';
import { workerPageBundle } from '../worker/browser/build.ts';
import { HeadlessWorker } from '../worker/headless/headless-worker.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '60' },
    size: { type: 'string', default: '64' },
    runs: { type: 'string', default: '3' },
  },
});
const TASKS = Number(values.tasks);
const SIZE = Number(values.size);
const RUNS = Math.max(1, Number(values.runs));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('bench timed out');
    await Bun.sleep(10);
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'shardmesh-page-bench-'));
const orchestrator = new Orchestrator({
  dataDir,
  httpPort: 0,
  p2pListen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'],
  dispatchIntervalMs: 20,
});
await orchestrator.start();
const engine = orchestrator.engine;
if (engine === undefined) throw new Error('orchestrator did not start');
const buildStarted = performance.now();
const { buildMs } = await workerPageBundle();
console.log(
  `worker page bundles built in ${Math.round(buildMs)} ms (${Math.round(performance.now() - buildStarted)} ms wall)`,
);
const app = new Hono();
mountWorkerPage(app, { multiaddrs: () => orchestrator.multiaddrs });
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app.fetch });
const profile = mkdtempSync(join(tmpdir(), 'shardmesh-page-bench-profile-'));
const browser = await launchChromium(profile);

let seed = 0;
/** Seconds for one job of TASKS tasks at redundancy 1, from submission to the last acceptance. */
async function timeJob(): Promise<number> {
  const body = buildDemoJob({ tasks: TASKS, size: SIZE, redundancy: 1, quorum: 1, smoothAlpha: 0.5 });
  const started = performance.now();
  const { jobId } = engine!.createJob({
    kind: body.kind,
    redundancy: 1,
    quorum: 1,
    tasks: body.tasks.map((t) => ({
      seed: seed++,
      params: t.params,
      payload: Uint8Array.from(Buffer.from(t.payload, 'base64')),
    })),
  });
  await until(() => engine!.getJob(jobId)?.counts.done === TASKS);
  return (performance.now() - started) / 1000;
}

const rows: { name: string; tasksPerSec: number }[] = [];
async function measure(name: string): Promise<void> {
  await timeJob(); // warm-up: pipelines compiled, threads loaded
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) rates.push(TASKS / (await timeJob()));
  rows.push({ name, tasksPerSec: median(rates) });
}

try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`http://127.0.0.1:${server.port}/`);
  await page.locator('#cpu-limit').fill('100');
  await page.getByRole('button', { name: 'Start contributing' }).click();
  const state = () => page.locator('#status').getAttribute('data-state');
  await until(async () => (await state()) === 'working');
  // CPU limit 100%: the page runs one task slot per core (worker/browser/slots.ts).
  const opened = /session open: (\d+) task slot/.exec((await page.locator('#log').textContent()) ?? '');
  const slots = Number(opened?.[1] ?? 1);
  await measure('page, GPU on (WebGPU, SwiftShader)');
  await page.getByLabel('Use the graphics card (WebGPU) when available').uncheck();
  await Bun.sleep(500);
  await until(async () => (await state()) === 'working');
  await measure('page, GPU off (CPU thread)');
  await page.getByRole('button', { name: 'Pause' }).click();
  await until(async () => (await state()) === 'paused');

  // Same concurrency as the page's slots, so both sides may run as many tasks at once.
  const worker = new HeadlessWorker({
    orchestrator: orchestrator.multiaddrs[0],
    gpu: 'off',
    concurrency: slots,
  });
  await worker.start();
  await measure('headless Bun worker, CPU thread (baseline)');
  await worker.stop();

  const baseline = rows.at(-1)?.tasksPerSec ?? Number.NaN;
  console.log(
    `\n${TASKS} matmul-f32 tasks of ${SIZE}x${SIZE}, redundancy 1, ${slots} task slot(s) each, median of ${RUNS} runs`,
  );
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(44)} ${row.tasksPerSec.toFixed(1).padStart(7)} tasks/s  x${(row.tasksPerSec / baseline).toFixed(2)}`,
    );
  }
} finally {
  await browser.close();
  await server.stop(true);
  await orchestrator.stop();
  rmSync(profile, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}
