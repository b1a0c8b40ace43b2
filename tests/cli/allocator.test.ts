/**
 * The allocator settings of the long-running commands (orchestrator/cli/allocator.ts): the
 * re-exec plan, and a real `shardmesh orchestrator` process that ends up with them under the
 * pid it was started with, or keeps the operator's own value.
 */
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { allocatorReexec } from '../../orchestrator/cli/allocator.ts';
import { spawnCli } from '../../orchestrator/cli/spawn-cli.ts';
import { ALLOCATOR_ENV } from '../../orchestrator/config.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const proc = (env: Record<string, string | undefined>) => ({
  execPath: '/opt/bun',
  execArgv: ['--smol'],
  argv: ['/opt/bun', '/app/main.ts', 'orchestrator', '--http-port', '0'],
  env,
});

describe('allocatorReexec', () => {
  test('re-executes with the same flags, arguments and environment plus the settings', () => {
    const plan = allocatorReexec(proc({ HOME: '/root', GONE: undefined }));
    expect(plan).toEqual({
      file: '/opt/bun',
      args: ['/opt/bun', '--smol', '/app/main.ts', 'orchestrator', '--http-port', '0'],
      env: { HOME: '/root', ...ALLOCATOR_ENV },
    });
  });

  test("leaves a process alone once every setting is present, whatever the operator's value", () => {
    const set = Object.fromEntries(Object.keys(ALLOCATOR_ENV).map((k) => [k, '10']));
    expect(allocatorReexec(proc(set))).toBeUndefined();
  });
});

/** The environment of a running process, from /proc (Linux). */
const environOf = (pid: number): Record<string, string> =>
  Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

/** The environment a real orchestrator process runs with, given `env` on top of this one's. */
async function orchestratorEnv(env: Record<string, string | undefined>): Promise<Record<string, string>> {
  const dir = tempDir();
  const child = await spawnCli(
    ['orchestrator', '--data-dir', dir.path, '--http-port', '0', '--listen', '/ip4/127.0.0.1/tcp/0'],
    { env },
  );
  try {
    return environOf(child.proc.pid);
  } finally {
    expect(await child.stop()).toBe(0);
    dir.cleanup();
  }
}

describe('shardmesh orchestrator', () => {
  test('runs with the allocator settings under the pid it was started with', async () => {
    const unset = Object.fromEntries(Object.keys(ALLOCATOR_ENV).map((name) => [name, undefined]));
    const environ = await orchestratorEnv(unset);
    for (const [name, value] of Object.entries(ALLOCATOR_ENV)) expect(environ[name]).toBe(value);
  });

  test("keeps the operator's value", async () => {
    const environ = await orchestratorEnv({ MIMALLOC_PURGE_DELAY: '10' });
    expect(environ.MIMALLOC_PURGE_DELAY).toBe('10');
  });
});
