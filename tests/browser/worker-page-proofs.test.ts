/**
 * Proof-requiring jobs through the worker page, in real headless Chromium against a real
 * orchestrator on loopback (no other worker): the page's dedicated worker fetches each circuit's
 * keys from the orchestrator by hash over libp2p, checks them, caches them in OPFS, proves with
 * real Groth16 in a nested Web Worker, and the orchestrator verifies every proof before it
 * accepts the result. After a reload the page is the same worker (its key persisted in
 * IndexedDB) and proves with the keys from OPFS; a second tab gets a temporary id; result_batch
 * and poseidon_chain jobs work too (the latter on the CPU thread with its lazy Poseidon chunk).
 * Slow-ish (~30-80 s here, depending on load): ~10-20 MB of keys through pure-JS Noise, then
 * ~1-5 s per proof.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { BrowserContext, Page } from 'playwright-core';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { launchChromium, until as pollUntil, requireChromium } from '../helpers/chromium.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const haveChromium = requireChromium('worker page proof tests');

let mesh: TestMesh;
let browser: BrowserContext;
let page: Page;
const profile = tempDir();

beforeAll(async () => {
  if (!haveChromium) return;
  mesh = await startMesh({
    workers: 0,
    orchestrator: { p2pListen: ['/ip4/127.0.0.1/tcp/0/ws'] },
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

/** Real proofs on a shared 2-core machine: a minute by default. */
const until = (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) =>
  pollUntil(what, check, timeoutMs);

const state = () => page.locator('#status').getAttribute('data-state');
const logText = async () => (await page.locator('#log').textContent()) ?? '';
const browserWorkers = () =>
  engine()
    .listWorkers()
    .filter((w) => String(w.info.userAgent).startsWith('shardmesh-browser'));

function submitProofJob(
  tasks: number,
  seedBase: number,
  proof: 'result_binding' | 'result_batch' = 'result_binding',
): string {
  const body = buildDemoJob({ tasks, size: 4, redundancy: 1, quorum: 1, smoothAlpha: 0.5 });
  return engine().createJob({
    kind: body.kind,
    redundancy: 1,
    quorum: 1,
    proof,
    tasks: body.tasks.map((t, i) => ({
      seed: seedBase + i,
      params: t.params,
      payload: Uint8Array.from(Buffer.from(t.payload, 'base64')),
    })),
  }).jobId;
}

/** Per replica of the job: who computed it, its state, and whether a verified proof was recorded. */
function replicasOf(jobId: string): { workerId: string; state: string }[] {
  return engine()
    .db.query<{ workerId: string; state: string }, [string]>(
      'SELECT r.worker_id AS workerId, r.state FROM replicas r JOIN tasks t ON t.id = r.task_id WHERE t.job_id = ?',
    )
    .all(jobId);
}

const noncesUsed = () =>
  engine()
    .db.query<{ n: number }, []>("SELECT count(*) AS n FROM proof_replay_guard WHERE kind = 'nonce'")
    .get()?.n ?? 0;

async function optIn(): Promise<void> {
  await page.goto(`${mesh.orchestrator.httpUrl}/`);
  await page.locator('#cpu-limit').fill('100');
  await page.getByRole('button', { name: 'Start contributing' }).click();
  await until('the page to join', async () => (await state()) === 'working').catch(async (err: unknown) => {
    throw new Error(`${String(err)}; page log: ${await logText()}`);
  });
}

describe.skipIf(!haveChromium)('proof-requiring jobs through the worker page', () => {
  let firstId: string | undefined;

  test('results are proved in the page and verified by the orchestrator', async () => {
    await optIn();
    await until('the browser worker', () => browserWorkers().length === 1, 10_000);
    firstId = browserWorkers()[0]?.workerId;

    const jobId = submitProofJob(2, 10);
    await until('the proof job', () => engine().getJob(jobId)?.counts.done === 2, 90_000);
    const replicas = replicasOf(jobId);
    expect(replicas.map((r) => r.state)).toEqual(['accepted', 'accepted']);
    expect(replicas.map((r) => r.workerId)).toEqual([firstId as string, firstId as string]);
    // Accepted only after verification; each verified proof consumed its replica's nonce.
    expect(noncesUsed()).toBe(2);
    const log = await logText();
    expect(log).toMatch(/prover: result_binding v1 ready in \d+ ms \(keys from orchestrator\)/);
    const cached = await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      const dir = await root.getDirectoryHandle('shardmesh-artifacts');
      const names: string[] = [];
      for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
      return names;
    });
    expect(cached).toHaveLength(2); // witness wasm + zkey, named by their SHA-256
  }, 150_000);

  test('after a reload: the same worker id, and keys from OPFS', async () => {
    if (firstId === undefined) throw new Error('first test did not run');
    await optIn();
    await until('the browser to rejoin', () => browserWorkers().length >= 1, 10_000);
    const log = await logText();
    expect(log).toContain(`worker id ${firstId} (stored)`);

    const jobId = submitProofJob(1, 20);
    await until('the second proof job', () => engine().getJob(jobId)?.counts.done === 1, 60_000);
    expect(replicasOf(jobId)).toEqual([{ workerId: firstId, state: 'accepted' }]);
    expect(await logText()).toMatch(/prover: result_binding v1 ready in \d+ ms \(keys from cache\)/);
    expect(noncesUsed()).toBe(3);
  }, 90_000);

  test('a second tab does not claim the stored identity: it works under a temporary id', async () => {
    if (firstId === undefined) throw new Error('first test did not run');
    const second = await browser.newPage();
    try {
      await second.goto(`${mesh.orchestrator.httpUrl}/`);
      await second.getByRole('button', { name: 'Start contributing' }).click();
      const secondLog = () => second.locator('#log').textContent();
      await until(
        'the second tab to start',
        async () => /worker id \S+ \(/.test((await secondLog()) ?? ''),
        20_000,
      );
      const line = /worker id (\S+) \((\w+)\)/.exec((await secondLog()) ?? '');
      expect(line?.[2]).toBe('ephemeral');
      expect(line?.[1]).not.toBe(firstId);
    } finally {
      await second.close();
    }
    // Its session must be gone before the next job: a lease handed to a closing tab would only
    // come back when it expires (30 s), as an expired replica.
    await until('the closed tab to leave', () => mesh.orchestrator.connectedWorkers === 1, 20_000);
  }, 60_000);

  test('a result_batch job: the page proves several results with fewer batch proofs', async () => {
    const jobId = submitProofJob(3, 30, 'result_batch');
    await until('the batch job', () => engine().getJob(jobId)?.counts.done === 3, 90_000);
    expect(replicasOf(jobId).map((r) => r.state)).toEqual(['accepted', 'accepted', 'accepted']);
    const batchProofs =
      engine()
        .db.query<{ n: number }, []>(
          "SELECT count(*) AS n FROM proof_replay_guard WHERE circuit = 'result_batch' AND kind = 'proof'",
        )
        .get()?.n ?? 0;
    expect(batchProofs).toBeGreaterThanOrEqual(1);
    expect(batchProofs).toBeLessThan(3); // fewer proofs than results: the page batched them
    expect(await logText()).toMatch(/prover: result_batch v1 ready in \d+ ms \(keys from orchestrator\)/);
  }, 120_000);

  test('a poseidon-chain job on the CPU thread (lazy Poseidon chunk), proved in the page', async () => {
    // GPU off: every task runs on the CPU thread, whose Poseidon is a chunk loaded on first use.
    await page.getByLabel('Use the graphics card (WebGPU) when available').uncheck();
    await until(
      'the session to reopen',
      async () => (await logText()).match(/session open/g)?.length === 2,
      20_000,
    );
    const jobId = engine().createJob({
      kind: 'poseidon-chain',
      redundancy: 1,
      quorum: 1,
      proof: 'poseidon_chain',
      tasks: [40, 41].map((seed) => ({ seed, payload: new Uint8Array(0) })),
    }).jobId;
    await until('the chain job', () => engine().getJob(jobId)?.counts.done === 2, 90_000);
    expect(replicasOf(jobId).map((r) => r.state)).toEqual(['accepted', 'accepted']);
    const log = await logText();
    expect(log).toContain('done on cpu');
    expect(log).toMatch(/prover: poseidon_chain v1 ready in \d+ ms/);
  }, 120_000);
});
