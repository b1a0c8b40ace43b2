/**
 * `shardmesh vkeys list|add|retire` against a real orchestrator process: versions retired and
 * re-added while it runs, with the REST error codes on stderr.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { CLI_PATH, type CliProcess, spawnCli } from '../../orchestrator/cli/spawn-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = tempDir();
let orchestrator: CliProcess;
let env: Record<string, string>;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, CLI_PATH, ...args], {
    env: { ...process.env, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  orchestrator = await spawnCli([
    'orchestrator',
    'start',
    '--data-dir',
    dir.path,
    '--http-port',
    '0',
    '--listen',
    '/ip4/127.0.0.1/tcp/0',
  ]);
  env = { SHARDMESH_URL: orchestrator.ready.http as string };
  const created = await cli('keys', 'create', 'admin', '--data-dir', dir.path, '--json');
  env.SHARDMESH_API_KEY = (JSON.parse(created.stdout) as { token: string }).token;
}, 30_000);
afterAll(async () => {
  await orchestrator.stop();
  dir.cleanup();
});

const active = async () =>
  (
    JSON.parse((await cli('vkeys', 'list', '--json')).stdout) as { versions: Array<{ circuit: string }> }
  ).versions
    .map((v) => v.circuit)
    .sort();

describe('shardmesh vkeys', () => {
  test('list, retire, add while the orchestrator runs', async () => {
    expect(await active()).toEqual(['poseidon_chain', 'result_batch', 'result_binding']);
    const human = await cli('vkeys', 'list');
    expect(human.stdout).toContain('development keys');

    const retired = await cli('vkeys', 'retire', 'result_batch', '1');
    expect(retired).toMatchObject({ code: 0, stdout: expect.stringContaining('result_batch v1 retired') });
    expect(await active()).toEqual(['poseidon_chain', 'result_binding']);

    const twice = await cli('vkeys', 'retire', 'result_batch', '1');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('(NOT_FOUND)');

    const added = await cli('vkeys', 'add', 'result_batch', '1');
    expect(added).toMatchObject({ code: 0, stdout: expect.stringContaining('result_batch v1 active') });
    expect(await active()).toEqual(['poseidon_chain', 'result_batch', 'result_binding']);
  }, 60_000);

  test('unknown circuits and versions are refused with their codes', async () => {
    const circuit = await cli('vkeys', 'add', 'sha256', '1');
    expect(circuit.code).toBe(1);
    expect(circuit.stderr).toContain('(BAD_REQUEST)');
    const version = await cli('vkeys', 'add', 'result_binding', '7');
    expect(version.stderr).toContain('(NOT_FOUND)');
  }, 30_000);
});
