/**
 * The worker page in real headless Chromium (Debian's /usr/bin/chromium, SwiftShader WebGPU)
 * against a real orchestrator on loopback and one real headless worker (CPU path): nothing runs
 * before opt-in; opted in, the page's dedicated worker joins over libp2p WebSockets and its
 * results reach quorum with the headless worker's (GPU in the browser, CPU reference in Bun:
 * same digests); pause stops new work from this browser; resume brings it back. Saves a
 * screenshot to tests/.artifacts/. Skipped with the reason when Chromium is missing, except
 * under CI=true, where that is a failure.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { taskSlots } from '../../worker/browser/slots.ts';
import { launchChromium, requireChromium, until } from '../helpers/chromium.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const ARTIFACTS = join(import.meta.dir, '..', '.artifacts');
const haveChromium = requireChromium('worker page tests');

let mesh: TestMesh;
let browser: BrowserContext;
let page: Page;
const profile = tempDir();

beforeAll(async () => {
  if (!haveChromium) return;
  mesh = await startMesh({
    workers: 1,
    // A low OPFS threshold so CPU-path payloads here (2 KiB) take the OPFS route to the CPU thread.
    orchestrator: {
      p2pListen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'],
      opfsThresholdBytes: 1024,
    },
    worker: { gpu: 'off' },
  });
  browser = await launchChromium(profile.path);
  page = browser.pages()[0] ?? (await browser.newPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await mesh?.stop();
  profile.cleanup();
});

const engine = () => {
  const e = mesh.orchestrator.engine;
  if (e === undefined) throw new Error('orchestrator not started');
  return e;
};

const state = () => page.locator('#status').getAttribute('data-state');
const tasksDone = async () => Number(await page.locator('#tasks-done').textContent());

function submit(tasks: number, seedBase: number): string {
  const body = buildDemoJob({ tasks, size: 16, redundancy: 2, quorum: 2, smoothAlpha: 0.5 });
  const job = engine().createJob({
    kind: body.kind,
    redundancy: 2,
    quorum: 2,
    tasks: body.tasks.map((t, i) => ({
      seed: seedBase + i,
      params: t.params,
      payload: Uint8Array.from(Buffer.from(t.payload, 'base64')),
    })),
  });
  return job.jobId;
}

/** Replicas of a job per worker, from the orchestrator's database. */
function replicasOf(jobId: string): { workerId: string; state: string }[] {
  return engine()
    .db.query<{ workerId: string; state: string }, [string]>(
      `SELECT r.worker_id AS workerId, r.state FROM replicas r JOIN tasks t ON t.id = r.task_id WHERE t.job_id = ?`,
    )
    .all(jobId);
}

const browserWorkerId = (): string | undefined =>
  engine()
    .listWorkers()
    .find((w) => String(w.info.userAgent).startsWith('shardmesh-browser'))?.workerId;

const browserCapabilities = () =>
  engine()
    .listWorkers()
    .find((w) => w.workerId === browserWorkerId())?.info.capabilities as
    | { adapter: unknown; maxConcurrent: number }
    | undefined;

describe.skipIf(!haveChromium)('the worker page in headless Chromium', () => {
  test('opt-in, quorum with a headless worker, pause, resume', async () => {
    await page.goto(`${mesh.orchestrator.httpUrl}/`); // served by the orchestrator itself
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    // Before opt-in: no worker, no bootstrap, no WASM, no session with the orchestrator.
    await Bun.sleep(300);
    const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    expect(fetched.filter((url) => /worker\.js|cpu-thread|bootstrap|\.wasm/.test(url))).toEqual([]);
    expect(page.workers()).toHaveLength(0);
    expect(await state()).toBe('idle');
    expect(browserWorkerId()).toBeUndefined();

    await page.locator('#cpu-limit').fill('100');
    await page.getByRole('button', { name: 'Start contributing' }).click();
    await until(
      'the page to join',
      async () => (await state()) === 'working' && browserWorkerId() !== undefined,
    );

    // CPU limit 100%: one task slot per core, announced in the hello.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(browserCapabilities()?.maxConcurrent).toBe(taskSlots(1, cores));
    expect(await page.locator('#log').textContent()).toMatch(/session open: \d+ task slots?/);

    // The page's optional WebRTC link holds a relay reservation: the orchestrator lists it for
    // other pages (the page-to-page connection itself: tests/browser/peer-link.test.ts).
    await until('the peer link', async () =>
      ((await page.locator('#log').textContent()) ?? '').includes('peer link: reachable'),
    );
    const listed = (await (await fetch(`${mesh.orchestrator.httpUrl}/v1/browser-peers`)).json()) as {
      peers: string[];
    };
    expect(listed.peers).toHaveLength(1);
    expect(listed.peers[0]).toMatch(/\/p2p-circuit\/webrtc\/p2p\/\w+$/);

    // Redundancy 2, quorum 2: every task needs the browser AND the headless worker to agree.
    const first = submit(6, 100);
    await until('job 1', () => engine().getJob(first)?.counts.done === 6);
    const browserId = browserWorkerId();
    const mine = replicasOf(first).filter((r) => r.workerId === browserId);
    expect(mine.map((r) => r.state)).toEqual(Array(6).fill('accepted'));
    await until('the counter', async () => (await tasksDone()) === 6, 5_000);
    const log = await page.locator('#log').textContent();
    expect(log).toContain('done on gpu'); // SwiftShader WebGPU in the dedicated worker

    // Pause: the session drains and closes; a job submitted now gets nothing from this browser.
    await page.getByRole('button', { name: 'Pause' }).click();
    await until('pause', async () => (await state()) === 'paused');
    expect(await page.getByRole('button', { name: 'Resume' }).getAttribute('aria-pressed')).toBe('true');
    const second = submit(3, 200);
    await Bun.sleep(1_500);
    expect(replicasOf(second).filter((r) => r.workerId === browserId)).toEqual([]);
    expect(engine().getJob(second)?.counts.done).toBe(0); // quorum 2 needs a second worker
    expect(await tasksDone()).toBe(6);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'worker-page-paused.png'), fullPage: true });

    // Resume: a new session, and the waiting job completes.
    await page.getByRole('button', { name: 'Resume' }).click();
    await until('job 2 after resume', () => engine().getJob(second)?.counts.done === 3);
    await until('the counter', async () => (await tasksDone()) === 9, 5_000);

    // GPU switch off: the session reopens with a hello without adapter; tasks run on the CPU
    // thread, their payloads staged in OPFS.
    await page.getByLabel('Use the graphics card (WebGPU) when available').uncheck();
    await until('a hello without adapter', () => browserCapabilities()?.adapter === null);
    const third = submit(2, 300);
    await until('job 3 on the CPU path', () => engine().getJob(third)?.counts.done === 2);
    expect(await page.locator('#log').textContent()).toContain('done on cpu');
    const staged = await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      return root.getDirectoryHandle('shardmesh-staging').then(
        () => true,
        () => false,
      );
    });
    expect(staged).toBe(true);
    await until('the counter', async () => (await tasksDone()) === 11, 5_000);

    // CPU limit 50%: fewer slots (on a multi-core machine) means a new session announcing them.
    const halfSlots = taskSlots(0.5, cores);
    if (halfSlots !== taskSlots(1, cores)) {
      await page.locator('#cpu-limit').fill('50');
      await until('a hello with fewer slots', () => browserCapabilities()?.maxConcurrent === halfSlots);
      expect(await page.locator('#log').textContent()).toContain(`session open: ${halfSlots} task slot`);
    }

    await page.locator('details summary').click();
    await page.screenshot({ path: join(ARTIFACTS, 'worker-page.png'), fullPage: true });
  }, 60_000);
});
