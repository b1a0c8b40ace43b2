/** `shardmesh demo` as a user runs it: real orchestrator and worker processes, clean exit. */
import { expect, test } from 'bun:test';
import { CLI_PATH } from '../../orchestrator/cli/spawn-cli.ts';

test('the demo command computes a job with two worker processes and exits cleanly', async () => {
  const proc = Bun.spawn([process.execPath, CLI_PATH, 'demo', '--tasks', '6', '--size', '8'], {
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) console.error(stderr);
  expect(code).toBe(0);
  expect(stdout).toContain('tasks:       6 (8x8 f32 matmul)');
  expect(stdout).toContain('replicas:    12 computed by 2 workers (redundancy 2)');
  expect(stdout).toContain('agreements:  6 tasks accepted by quorum');
  expect(stdout).toContain('checked:     6/6 digests recomputed locally and equal');
}, 60_000);
