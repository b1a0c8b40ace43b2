/** The `shardmesh` CLI as a researcher uses it, against a real orchestrator process. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCli } from '../../orchestrator/cli/spawn-cli.ts';
import { type CliOrchestrator, startCliOrchestrator } from '../helpers/cli-orchestrator.ts';

let orchestrator: CliOrchestrator;
let dir: { path: string };
let env: Record<string, string>;
const cli = (...args: string[]) => orchestrator.cli(...args);

beforeAll(async () => {
  orchestrator = await startCliOrchestrator();
  dir = { path: orchestrator.dataDir };
  env = orchestrator.env;
});
afterAll(() => orchestrator.stop());

describe('shardmesh CLI', () => {
  test('keys create prints a token once; requests without it are refused with a code', async () => {
    const created = await cli('keys', 'create', 'alice', '--data-dir', dir.path, '--json');
    expect(created.code).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const refused = await cli('jobs');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('(UNAUTHORIZED)');
    env.SHARDMESH_API_KEY = token;
    const list = await cli('keys', 'list', '--data-dir', dir.path);
    expect(list.stdout).toContain('alice');
    expect(list.stdout).not.toContain(token);
  });

  test('submit, jobs --json, job, cancel while no worker serves', async () => {
    const submitted = await cli('submit', 'examples/job.json', '--json');
    expect(submitted.code).toBe(0);
    const { jobId } = JSON.parse(submitted.stdout) as { jobId: string };
    const jobs = JSON.parse((await cli('jobs', '--json')).stdout) as Array<{ jobId: string }>;
    expect(jobs.map((j) => j.jobId)).toContain(jobId);
    expect((await cli('job', jobId)).stdout).toContain('0/3 done');
    expect((await cli('cancel', jobId)).stdout).toContain(`cancelled ${jobId}`);
    const bad = await cli('job', 'job_missing');
    expect(bad.stderr).toContain('(NOT_FOUND)');
  });

  test('submit --wait follows progress to the end; results --out writes outputs; dlq is empty', async () => {
    const worker = await spawnCli([
      'worker',
      '--orchestrator',
      (orchestrator.process.ready.multiaddrs as string[])[0]!,
    ]);
    try {
      const body = JSON.parse(readFileSync('examples/job.json', 'utf8'));
      const file = join(dir.path, 'r1.json');
      await Bun.write(file, JSON.stringify({ ...body, redundancy: 1, quorum: 1 }));
      const waited = await cli('submit', file, '--wait', '--timeout', '20');
      if (waited.code !== 0) console.error(waited.stderr, worker.logs(), orchestrator.process.logs());
      expect(waited.code).toBe(0);
      expect(waited.stdout).toContain('3 done, 0 dead of 3');
      const jobId = /job (job_\S+):/.exec(waited.stdout)?.[1] ?? '';
      const out = join(dir.path, 'out');
      const results = await cli('results', jobId, '--out', out);
      expect(results.stdout).toContain('wrote 3 outputs');
      expect(existsSync(join(out, '2.bin'))).toBe(true);
      expect(readFileSync(join(out, '0.bin')).length).toBe(4 * 4 * 4);
      expect(JSON.parse((await cli('dlq', 'list', '--json')).stdout)).toEqual([]);
    } finally {
      await worker.stop();
    }
  }, 60_000);
});
