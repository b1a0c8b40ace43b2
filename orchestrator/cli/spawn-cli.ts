/**
 * Starts `shardmesh <command>` as a child process and waits for its JSON "ready" line on stdout.
 * Used by the demo and by end-to-end tests, which run the real processes rather than in-process
 * stand-ins.
 */
import type { Subprocess } from 'bun';
import { definedEnv } from './env.ts';

export const CLI_PATH = new URL('./main.ts', import.meta.url).pathname;

export interface ReadyLine {
  event: 'ready';
  [key: string]: unknown;
}

export interface CliProcess {
  proc: Subprocess<'ignore', 'pipe', 'pipe'>;
  ready: ReadyLine;
  /** stderr so far (logs), for error messages. */
  logs: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number>;
}

/** `env` is added to this process's environment; a variable set to undefined is left out. */
export async function spawnCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<CliProcess> {
  const proc = Bun.spawn([process.execPath, CLI_PATH, ...args], {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    env: definedEnv({ ...process.env, ...opts.env }),
  });
  let stderr = '';
  void (async () => {
    for await (const chunk of proc.stderr) stderr += new TextDecoder().decode(chunk);
  })();
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    proc.kill(signal);
    return proc.exited;
  };
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
  const signal = opts.signal === undefined ? timeout : AbortSignal.any([timeout, opts.signal]);
  try {
    const ready = await readReadyLine(proc.stdout, signal);
    return { proc, ready, logs: () => stderr, stop };
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`shardmesh ${args[0]} did not become ready: ${String(err)}\n${stderr}`);
  }
}

async function readReadyLine(stdout: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<ReadyLine> {
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  try {
    for (;;) {
      const { value, done } = await Promise.race([reader.read(), aborted]);
      if (done) throw new Error('process exited before it was ready');
      text += decoder.decode(value, { stream: true });
      for (const line of text.split('\n')) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as { event?: string };
        if (parsed.event === 'ready') return parsed as ReadyLine;
      }
    }
  } finally {
    reader.releaseLock();
    // Keep draining stdout so the child never blocks on a full pipe.
    void stdout.pipeTo(new WritableStream()).catch(() => {});
  }
}
