/**
 * Parent side of one peer-host child process: spawns `bun peer-host.ts`, sends one JSON-line
 * command at a time and resolves with the child's next reply line.
 */
import { join } from 'node:path';
import { ALLOCATOR_ENV } from '../../orchestrator/config.ts';
import type { HostCommand, HostReply } from './protocol.ts';

const HOST_SCRIPT = join(import.meta.dir, 'peer-host.ts');
// Extra Bun flags for the hosts, e.g. MESH_BENCH_BUN_FLAGS="--cpu-prof-md --cpu-prof-dir=/tmp/prof".
const BUN_FLAGS = (process.env.MESH_BENCH_BUN_FLAGS ?? '').split(' ').filter((f) => f !== '');

export class PeerHost {
  readonly names: readonly string[];
  readonly ready: Promise<Extract<HostReply, { type: 'ready' }>>;
  readonly #proc: ReturnType<typeof Bun.spawn<'pipe', 'pipe', 'inherit'>>;
  readonly #waiting: Array<(reply: HostReply) => void> = [];
  readonly #queued: HostReply[] = [];

  private constructor(dir: string, names: readonly string[], flags: readonly string[]) {
    this.names = names;
    this.#proc = Bun.spawn(
      [process.execPath, ...BUN_FLAGS, HOST_SCRIPT, '--dir', dir, '--names', names.join(','), ...flags],
      {
        stdin: 'pipe',
        stdout: 'pipe',
        stderr: 'inherit',
        // The allocator settings `shardmesh orchestrator` runs with (orchestrator/cli/allocator.ts);
        // a value in the environment wins, e.g. MIMALLOC_PURGE_DELAY=10 for mimalloc's default.
        env: { ...ALLOCATOR_ENV, ...process.env },
      },
    );
    void this.#read();
    this.ready = this.#next().then((r) => {
      if (r.type !== 'ready') throw new Error(`peer host sent ${r.type} before ready`);
      return r;
    });
  }

  static spawn(dir: string, names: readonly string[], flags: readonly string[] = []): PeerHost {
    return new PeerHost(dir, names, flags);
  }

  /** Sends a command and resolves with its reply (the host answers commands in order). */
  async call(cmd: HostCommand): Promise<HostReply> {
    const reply = this.#next();
    this.#proc.stdin.write(`${JSON.stringify(cmd)}\n`);
    await this.#proc.stdin.flush();
    return reply;
  }

  async stop(): Promise<void> {
    if (this.#proc.exitCode === null) {
      await Promise.race([this.call({ type: 'stop' }), this.#proc.exited]).catch(() => {});
      // A host that did not stop within 5 s is killed: the bench must end.
      const timer = setTimeout(() => this.#proc.kill(), 5_000);
      await this.#proc.exited;
      clearTimeout(timer);
    }
  }

  #next(): Promise<HostReply> {
    const queued = this.#queued.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of this.#proc.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        const reply = JSON.parse(line) as HostReply;
        const waiter = this.#waiting.shift();
        if (waiter !== undefined) waiter(reply);
        else this.#queued.push(reply);
      }
    }
  }
}
