/**
 * A real `shardmesh orchestrator start` process in a temporary data dir, and `cli(...)`, which runs
 * the CLI against it as a researcher would (SHARDMESH_URL set; `env` may add SHARDMESH_API_KEY).
 */
import { CLI_PATH, type CliProcess, spawnCli } from '../../orchestrator/cli/spawn-cli.ts';
import { tempDir } from './temp-dir.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOrchestrator {
  readonly dataDir: string;
  readonly process: CliProcess;
  /** Extra environment for every `cli` call (the API key once created). */
  readonly env: Record<string, string>;
  cli(...args: string[]): Promise<CliRun>;
  stop(): Promise<void>;
}

export async function startCliOrchestrator(): Promise<CliOrchestrator> {
  const dir = tempDir();
  const proc = await spawnCli([
    'orchestrator',
    'start',
    '--data-dir',
    dir.path,
    '--http-port',
    '0',
    '--listen',
    '/ip4/127.0.0.1/tcp/0',
  ]);
  const env: Record<string, string> = { SHARDMESH_URL: proc.ready.http as string };
  return {
    dataDir: dir.path,
    process: proc,
    env,
    async cli(...args) {
      const child = Bun.spawn([process.execPath, CLI_PATH, ...args], {
        env: { ...process.env, ...env },
        stdout: 'pipe',
        stderr: 'pipe',
      });
      const [stdout, stderr, code] = await Promise.all([
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
        child.exited,
      ]);
      return { code, stdout, stderr };
    },
    async stop() {
      await proc.stop();
      dir.cleanup();
    },
  };
}
