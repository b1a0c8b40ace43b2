/**
 * Shardmesh under test, two ways, both on the whole real path: REST submit (Bun.serve, API key)
 * -> SQLite file database (WAL, synchronous=NORMAL) -> task frames over libp2p (TCP, Noise,
 * Yamux) -> headless workers (CPU path on their compute threads) -> result frames -> quorum.
 * - in-process: one Orchestrator and the HeadlessWorkers in this process (as tests/helpers/mesh.ts);
 * - processes: `shardmesh orchestrator` and `shardmesh worker` as child processes (as the demo),
 *   which is how they really run.
 * A job counts as finished when its SSE stream (what `shardmesh submit --wait` follows) says done.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../orchestrator/cli/api-client.ts';
import { createApiKey } from '../../orchestrator/cli/commands/keys.ts';
import { type CliProcess, spawnCli } from '../../orchestrator/cli/spawn-cli.ts';
import { Orchestrator } from '../../orchestrator/orchestrator.ts';
import { HeadlessWorker } from '../../worker/headless/headless-worker.ts';
import { jobBody, type TrivialTask } from './task.ts';

export type MeshMode = 'in-process' | 'processes';

export interface BenchMesh {
  mode: MeshMode;
  api: ApiClient;
  stop: () => Promise<void>;
  /**
   * CPU time (user + system, ms) used so far by the orchestrator and by the workers (processes
   * mode only). Per task it is the figure that load from other processes on the machine does not
   * distort, unlike tasks/s.
   */
  cpuMs?: () => { orchestrator: number; workers: number };
}

/** utime + stime of a process from /proc (Linux), in ms; 0 where /proc is not there. */
function procCpuMs(pid: number): number {
  try {
    // Fields after the command name: state is field 3, utime 14 and stime 15 (1-based).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

export interface MeshOptions {
  workers: number;
  /** Tasks each worker computes at once. */
  concurrency: number;
  /** Leases a worker holds ready per slot beyond those computing (its credit is slots x (1 + this)). */
  prefetchPerSlot: number;
  signal?: AbortSignal;
}

export function startMesh(mode: MeshMode, opts: MeshOptions): Promise<BenchMesh> {
  return mode === 'in-process' ? startInProcess(opts) : startProcesses(opts);
}

async function startInProcess(opts: MeshOptions): Promise<BenchMesh> {
  const dataDir = mkdtempSync(join(tmpdir(), 'shardmesh-bench-'));
  // Defaults as `shardmesh orchestrator` has them, but any free ports.
  const orchestrator = new Orchestrator({ dataDir, httpPort: 0, p2pListen: ['/ip4/127.0.0.1/tcp/0'] });
  const workers: HeadlessWorker[] = [];
  const stop = async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await orchestrator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await orchestrator.start();
    for (let i = 0; i < opts.workers; i++) {
      const worker = new HeadlessWorker({
        orchestrator: orchestrator.multiaddrs[0],
        concurrency: opts.concurrency,
        prefetchPerSlot: opts.prefetchPerSlot,
        gpu: 'off',
      });
      workers.push(worker);
      await worker.start();
    }
    const api = new ApiClient(orchestrator.httpUrl, createApiKey(dataDir, 'bench').token);
    await waitForWorkers(api, opts.workers, opts.signal);
    return { mode: 'in-process', api, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startProcesses(opts: MeshOptions): Promise<BenchMesh> {
  const dataDir = mkdtempSync(join(tmpdir(), 'shardmesh-bench-'));
  const children: CliProcess[] = [];
  const signalOpt = opts.signal === undefined ? {} : { signal: opts.signal };
  const stop = async () => {
    await Promise.all(children.reverse().map((child) => child.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const orchestrator = await spawnCli(
      ['orchestrator', '--data-dir', dataDir, '--http-port', '0', '--listen', '/ip4/127.0.0.1/tcp/0'],
      signalOpt,
    );
    children.push(orchestrator);
    const multiaddr = (orchestrator.ready.multiaddrs as string[])[0] as string;
    const workerArgs = [
      'worker',
      '--orchestrator',
      multiaddr,
      '--concurrency',
      String(opts.concurrency),
      '--prefetch-per-slot',
      String(opts.prefetchPerSlot),
    ];
    const workers = await Promise.all(
      Array.from({ length: opts.workers }, () =>
        spawnCli(workerArgs, { ...signalOpt, env: { SHARDMESH_GPU: 'off' }, timeoutMs: 60_000 }),
      ),
    );
    children.push(...workers);
    const api = new ApiClient(orchestrator.ready.http as string, createApiKey(dataDir, 'bench').token);
    await waitForWorkers(api, opts.workers, opts.signal);
    const cpuMs = () => ({
      orchestrator: procCpuMs(orchestrator.proc.pid),
      workers: workers.reduce((sum, w) => sum + procCpuMs(w.proc.pid), 0),
    });
    return { mode: 'processes', api, stop, cpuMs };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Workers announce "ready" before their session is up: wait until all are connected. */
async function waitForWorkers(api: ApiClient, count: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await api.workers(signal)).connected < count) {
    if (Date.now() > deadline) throw new Error(`only some of ${count} workers connected within 30 s`);
    await Bun.sleep(50);
  }
}

export interface JobRun {
  ms: number;
  done: number;
  replicas: number;
  /** CPU ms the orchestrator and the workers spent during the job, when the mesh can tell. */
  cpu?: { orchestrator: number; workers: number };
}

/** Submits one job over REST and follows its SSE stream until done: the time between the two. */
export async function runJob(
  mesh: BenchMesh,
  tasks: TrivialTask[],
  redundancy: number,
  quorum: number,
  signal?: AbortSignal,
): Promise<JobRun> {
  const signalOpt = signal === undefined ? {} : { signal };
  const cpuBefore = mesh.cpuMs?.();
  const started = performance.now();
  const { jobId } = await mesh.api.submit(jobBody(tasks, redundancy, quorum), signalOpt);
  const job = await mesh.api.waitForJob(jobId, signalOpt);
  const ms = performance.now() - started;
  if (job.counts.done !== tasks.length) {
    throw new Error(`job ${jobId} ended with ${job.counts.done}/${tasks.length} tasks done`);
  }
  const cpuAfter = mesh.cpuMs?.();
  const cpu =
    cpuBefore === undefined || cpuAfter === undefined
      ? undefined
      : {
          orchestrator: cpuAfter.orchestrator - cpuBefore.orchestrator,
          workers: cpuAfter.workers - cpuBefore.workers,
        };
  return {
    ms,
    done: job.counts.done,
    replicas: job.replicas.submitted,
    ...(cpu === undefined ? {} : { cpu }),
  };
}
