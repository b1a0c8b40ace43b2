/**
 * A private redis-server for the BullMQ baseline: a free loopback port, a temporary directory,
 * and the durability we compare against: no RDB snapshots, an append-only file written on every
 * command and fsynced once a second (`--appendonly yes --appendfsync everysec`). Like SQLite's
 * WAL with synchronous=NORMAL, that survives a kill -9 of the server and may lose the last
 * moment of writes on an OS crash or power loss.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subprocess } from 'bun';

export interface RedisServer {
  port: number;
  stop: () => Promise<void>;
}

/** Path of redis-server, or undefined when it is not installed. */
export function findRedisServer(): string | undefined {
  return Bun.which('redis-server') ?? undefined;
}

export async function startRedis(binary: string, opts: { signal?: AbortSignal } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'shardmesh-bench-redis-'));
  const proc: Subprocess<'ignore', 'pipe', 'pipe'> = Bun.spawn(
    [
      binary,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--daemonize',
      'no',
    ],
    { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' },
  );
  const stop = async () => {
    proc.kill('SIGTERM');
    const exited = await Promise.race([proc.exited, Bun.sleep(5_000).then(() => undefined)]);
    if (exited === undefined) {
      proc.kill('SIGKILL');
      await proc.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForLog(proc.stdout, 'Ready to accept connections', opts.signal);
    return { port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForLog(stdout: ReadableStream<Uint8Array>, needle: string, signal?: AbortSignal) {
  const timeout = AbortSignal.timeout(10_000);
  const abort = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const aborted = new Promise<never>((_, reject) => {
    abort.addEventListener('abort', () => reject(new Error(`redis-server not ready: ${text}`)), {
      once: true,
    });
  });
  try {
    while (!text.includes(needle)) {
      const { value, done } = await Promise.race([reader.read(), aborted]);
      if (done) throw new Error(`redis-server exited: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
    void stdout.pipeTo(new WritableStream()).catch(() => {});
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
