/**
 * The orchestrator process is SIGKILLed at random points during a job, many times, and restarted
 * on the same data directory. The job must complete with every task accepted exactly once, by a
 * quorum of distinct workers, with the right answer: SQLite is the only state there is.
 */
import { Database } from 'bun:sqlite';
import { afterAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import { ApiClient } from '../../orchestrator/cli/api-client.ts';
import { createApiKey } from '../../orchestrator/cli/commands/keys.ts';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { type CliProcess, spawnCli } from '../../orchestrator/cli/spawn-cli.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import { matmulCpu } from '../../shaders/matmul/cpu.ts';
import { decodeMatmulPayload, matmulOutputBytes } from '../../shaders/matmul/payload.ts';
import { createJsPreprocessor } from '../../worker/preprocess/index.ts';
import { freePort } from '../helpers/free-port.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const KILLS = 8;
const dir = tempDir();
const children: CliProcess[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop('SIGKILL')));
  dir.cleanup();
});

test(`a job survives ${KILLS} SIGKILLs of the orchestrator`, async () => {
  const httpPort = freePort();
  const p2pPort = freePort();
  const args = ['orchestrator', '--data-dir', dir.path, '--http-port', String(httpPort)];
  const start = async () => {
    const child = await spawnCli([
      ...args,
      '--listen',
      `/ip4/127.0.0.1/tcp/${p2pPort}`,
      '--lease-ms',
      '1500',
    ]);
    children.push(child);
    return child;
  };
  let orchestrator = await start();
  const api = new ApiClient(orchestrator.ready.http as string, createApiKey(dir.path, 'crash').token);
  const multiaddr = (orchestrator.ready.multiaddrs as string[])[0]!;
  for (let i = 0; i < 2; i++) children.push(await spawnCli(['worker', '--orchestrator', multiaddr]));

  const body = buildDemoJob({ tasks: 40, size: 24, redundancy: 2, quorum: 2, smoothAlpha: 0.25 });
  const { jobId } = await api.submit(body, { idempotencyKey: 'crash-job' });

  let kills = 0;
  while (kills < KILLS) {
    await Bun.sleep(100 + Math.floor(Math.random() * 500));
    await orchestrator.stop('SIGKILL');
    kills++;
    orchestrator = await start();
  }
  // Resubmitting after the crashes returns the same job: the idempotency key survived too.
  expect((await api.submit(body, { idempotencyKey: 'crash-job' })).jobId).toBe(jobId);

  const job = await api.waitForJob(jobId, { signal: AbortSignal.timeout(60_000) });
  expect(job.counts).toMatchObject({ total: 40, done: 40, dead: 0 });

  const results = await api.results(jobId, { inline: true });
  expect(new Set(results.map((r) => r.index)).size).toBe(40);
  const js = createJsPreprocessor();
  for (const r of results) {
    const input = decodeMatmulPayload(new Uint8Array(Buffer.from(body.tasks[r.index]!.payload, 'base64')));
    const expected = matmulOutputBytes(matmulCpu(js.ema(input.a, 0.25), input.b, input.m, input.k, input.n));
    expect(r.digest).toBe(await sha256Hex(expected));
  }

  // Exactly a quorum of distinct workers accepted per task; nothing accepted twice.
  const db = new Database(join(dir.path, 'shardmesh.db'), { readonly: true });
  const accepted = db
    .query<{ n: number; workers: number }, []>(
      `SELECT count(*) AS n, count(DISTINCT worker_id) AS workers FROM replicas WHERE state = 'accepted' GROUP BY task_id`,
    )
    .all();
  db.close();
  expect(accepted).toHaveLength(40);
  for (const row of accepted) expect(row).toEqual({ n: 2, workers: 2 });
}, 120_000);
