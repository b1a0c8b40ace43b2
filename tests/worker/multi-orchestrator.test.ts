/**
 * One headless worker serving three real orchestrators (SQLite, engine, libp2p mesh, HTTP) on
 * loopback: every orchestrator's job completes, the worker's slots are split between them, one
 * orchestrator going away does not disturb the others, the digest logs converge; a worker that
 * knows one bootstrap address finds all three through Kad-DHT provider records; and the real
 * `shardmesh worker` process with two --orchestrator keeps serving one when the other is killed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ApiClient } from '../../orchestrator/cli/api-client.ts';
import { createApiKey } from '../../orchestrator/cli/commands/keys.ts';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { type CliProcess, spawnCli } from '../../orchestrator/cli/spawn-cli.ts';
import { Orchestrator } from '../../orchestrator/orchestrator.ts';
import { HeadlessWorker } from '../../worker/headless/headless-worker.ts';
import { splitSlots } from '../../worker/headless/sessions.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../mesh/peers.ts';

const dirs: Array<ReturnType<typeof tempDir>> = [];
const orchestrators: Orchestrator[] = [];
const clients: ApiClient[] = [];
const workers: HeadlessWorker[] = [];
const children: CliProcess[] = [];

const addr = (o: Orchestrator | undefined): string => o?.multiaddrs[0] ?? '';

beforeAll(async () => {
  for (let i = 0; i < 3; i++) {
    const dir = tempDir('shardmesh-multi-');
    dirs.push(dir);
    const o = new Orchestrator({
      dataDir: dir.path,
      httpPort: 0,
      p2pListen: ['/ip4/127.0.0.1/tcp/0'],
      p2pBootstrap: i === 0 ? [] : [addr(orchestrators[0])],
      dispatchIntervalMs: 50,
      mesh: { node: { mdns: false }, log: { batchMs: 20, syncIntervalMs: 500 } },
    });
    await o.start();
    orchestrators.push(o);
    clients.push(new ApiClient(o.httpUrl, createApiKey(dir.path, 'test').token));
  }
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop('SIGKILL')));
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all(orchestrators.map((o) => o.stop()));
  for (const d of dirs) d.cleanup();
});

async function runJobs(redundancy: number, tasks: number, on: readonly ApiClient[] = clients): Promise<void> {
  const body = buildDemoJob({ tasks, size: 4, redundancy, quorum: redundancy, smoothAlpha: 0.5 });
  const jobs = await Promise.all(on.map((c) => c.submit(body)));
  const done = await Promise.all(
    jobs.map(({ jobId }, i) => on[i]?.waitForJob(jobId, { signal: AbortSignal.timeout(20_000) })),
  );
  for (const job of done) expect(job?.counts).toMatchObject({ total: tasks, done: tasks, dead: 0 });
}

/** Every orchestrator holds every origin's chain up to that origin's own head. */
function logsConverged(): boolean {
  const heads = orchestrators.map((o) => o.mesh?.store.head(o.mesh.log.origin));
  return orchestrators.every((o) =>
    orchestrators.every(
      (origin, i) => o.mesh?.store.head(origin.mesh?.log.origin ?? '')?.hash === heads[i]?.hash,
    ),
  );
}

describe('splitSlots', () => {
  test('equal shares, remainder first, at least one each', () => {
    expect(splitSlots(4, 1)).toEqual([4]);
    expect(splitSlots(4, 3)).toEqual([2, 1, 1]);
    expect(splitSlots(6, 3)).toEqual([2, 2, 2]);
    expect(splitSlots(2, 3)).toEqual([1, 1, 1]);
    expect(splitSlots(3, 0)).toEqual([]);
  });
});

describe('one worker, three orchestrators', () => {
  test("every orchestrator's job completes through one worker and the logs converge", async () => {
    const worker = new HeadlessWorker({
      orchestrators: orchestrators.map(addr),
      concurrency: 4,
      gpu: 'off',
      computeThreads: false,
    });
    workers.push(worker);
    await worker.start();
    expect(worker.orchestrators().map((s) => s.share)).toEqual([2, 1, 1]);
    await until(() => worker.orchestrators().every((s) => s.connected), 'three sessions', 10_000);
    await runJobs(1, 6);
    // Each orchestrator saw exactly this one worker, under its peer id.
    for (const c of clients) {
      const { workers: seen } = await c.workers();
      expect(seen.map((w) => w.workerId)).toEqual([worker.peerId]);
    }
    await until(logsConverged, 'log convergence', 10_000);
    const origins = orchestrators.map((o) => o.mesh?.log.origin ?? '');
    for (const o of orchestrators)
      for (const origin of origins) expect(o.mesh?.store.head(origin)?.seq).toBe(6);
  }, 40_000);

  test('a worker given one bootstrap address discovers all three and serves them', async () => {
    const finder = new HeadlessWorker({
      discover: true,
      bootstrap: [addr(orchestrators[1])],
      discoverTimeoutMs: 3_000,
      discoverIntervalMs: 1_000,
      concurrency: 3,
      gpu: 'off',
      computeThreads: false,
    });
    workers.push(finder);
    await finder.start();
    await until(
      () => finder.orchestrators().filter((s) => s.connected).length === 3,
      'discovered sessions',
      25_000,
    );
    const ids = orchestrators.map((o) => addr(o).split('/p2p/')[1]).sort();
    expect(
      finder
        .orchestrators()
        .map((s) => s.orchestrator.split('/p2p/')[1])
        .sort(),
    ).toEqual(ids);
    // Redundancy 2 needs two distinct workers on every orchestrator: the first worker and the finder.
    await runJobs(2, 4);
    await until(logsConverged, 'log convergence', 10_000);
  }, 40_000);

  test('`shardmesh worker` with two --orchestrator: one orchestrator killed, the other session goes on', async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop())); // only the CLI worker takes work now
    const dir = tempDir('shardmesh-multi-cli-');
    dirs.push(dir);
    const doomed = await spawnCli(
      ['orchestrator', '--data-dir', dir.path, '--http-port', '0', '--listen', '/ip4/127.0.0.1/tcp/0'],
      { env: { SHARDMESH_BOOTSTRAP: addr(orchestrators[0]) } },
    );
    children.push(doomed);
    const doomedAddr = (doomed.ready.multiaddrs as string[])[0] ?? '';
    const cli = await spawnCli([
      'worker',
      '--orchestrator',
      addr(orchestrators[0]),
      '--orchestrator',
      doomedAddr,
      '--concurrency',
      '2',
      '--gpu',
      'off',
    ]);
    children.push(cli);
    expect(cli.ready.orchestrators).toEqual([addr(orchestrators[0]), doomedAddr]);
    await until(() => (cli.logs().match(/connected to/g) ?? []).length === 2, 'two CLI sessions', 15_000);
    await doomed.stop('SIGKILL');
    await until(() => cli.logs().includes('connection failed'), 'the lost session redialling', 15_000);
    await runJobs(1, 3, clients.slice(0, 1));
    // The surviving session was never closed or reopened.
    expect((cli.logs().match(/connected to/g) ?? []).length).toBe(2);
    expect(cli.logs()).not.toContain(`${addr(orchestrators[0])} closed the session`);
  }, 60_000);
});
