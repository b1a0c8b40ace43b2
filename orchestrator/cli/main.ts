#!/usr/bin/env bun
/**
 * `shardmesh`: the command line. Long-running commands print one JSON "ready" line on stdout
 * once they serve (scripts and tests wait for it) and log to stderr; SIGINT/SIGTERM stop them
 * cleanly.
 */
import { Command, InvalidArgumentError } from 'commander';
import { HeadlessWorker } from '../../worker/headless/headless-worker.ts';
import { Orchestrator } from '../orchestrator.ts';
import { runDemo } from './demo.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

const int = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`'${value}' is not a non-negative integer`);
  return n;
};

/** Resolves when SIGINT or SIGTERM arrives. */
const untilSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

const program = new Command('shardmesh').description('Shardmesh: a verifiable compute mesh').version('0.1.0');

program
  .command('orchestrator')
  .description('run an orchestrator: REST API, SQLite task engine, libp2p task protocol')
  .option('--data-dir <dir>', 'database and node key directory (env SHARDMESH_DATA_DIR)')
  .option('--db <path>', 'SQLite database file (env SHARDMESH_DB)')
  .option('--http-port <port>', 'REST API port, 0 = any free port (env SHARDMESH_HTTP_PORT)', int)
  .option('--listen <multiaddr...>', 'libp2p listen addresses (env SHARDMESH_P2P_LISTEN)')
  .option('--lease-ms <ms>', 'lease length before a silent worker loses a task', int)
  .action(
    async (opts: {
      dataDir?: string;
      db?: string;
      httpPort?: number;
      listen?: string[];
      leaseMs?: number;
    }) => {
      const orchestrator = new Orchestrator({
        ...(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir }),
        ...(opts.db === undefined ? {} : { dbPath: opts.db }),
        ...(opts.httpPort === undefined ? {} : { httpPort: opts.httpPort }),
        ...(opts.listen === undefined ? {} : { p2pListen: opts.listen }),
        ...(opts.leaseMs === undefined ? {} : { leaseMs: opts.leaseMs }),
        log,
      });
      await orchestrator.start();
      console.log(
        JSON.stringify({ event: 'ready', http: orchestrator.httpUrl, multiaddrs: orchestrator.multiaddrs }),
      );
      await untilSignal();
      await orchestrator.stop();
    },
  );

program
  .command('worker')
  .description('run a headless worker that serves one orchestrator')
  .option('--orchestrator <multiaddr>', 'orchestrator address with /p2p/<id> (env SHARDMESH_ORCHESTRATOR)')
  .option('--concurrency <n>', 'tasks computed at once', int)
  .option('--preprocessor <impl>', 'wasm (default) or js')
  .action(async (opts: { orchestrator?: string; concurrency?: number; preprocessor?: string }) => {
    if (opts.preprocessor !== undefined && opts.preprocessor !== 'wasm' && opts.preprocessor !== 'js') {
      throw new InvalidArgumentError('--preprocessor must be wasm or js');
    }
    const worker = new HeadlessWorker({
      ...(opts.orchestrator === undefined ? {} : { orchestrator: opts.orchestrator }),
      ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
      ...(opts.preprocessor === undefined ? {} : { preprocessor: opts.preprocessor as 'wasm' | 'js' }),
      log,
    });
    await worker.start();
    console.log(JSON.stringify({ event: 'ready', workerId: worker.peerId }));
    await untilSignal();
    await worker.stop();
    log(`worker stopped: ${worker.stats.done} tasks done, ${worker.stats.failed} failed`);
  });

program
  .command('demo')
  .description('run an orchestrator and two workers on loopback, compute one job, print a summary')
  .option('--tasks <n>', 'tasks in the job', int, 36)
  .option('--size <n>', 'side of each square matmul', int, 32)
  .option('--workers <n>', 'headless workers', int, 2)
  .action(async (opts: { tasks: number; size: number; workers: number }) => {
    const redundancy = Math.min(2, opts.workers);
    const summary = await runDemo({
      tasks: opts.tasks,
      size: opts.size,
      workers: opts.workers,
      redundancy,
      quorum: redundancy,
      smoothAlpha: 0.25,
      out: (line) => console.log(line),
    });
    console.log(
      [
        '',
        'Shardmesh demo finished',
        `  tasks:       ${summary.tasks} (${opts.size}x${opts.size} f32 matmul)`,
        `  replicas:    ${summary.replicas} computed by ${opts.workers} workers (redundancy ${redundancy})`,
        `  agreements:  ${summary.agreements} tasks accepted by quorum`,
        `  checked:     ${summary.verifiedLocally}/${summary.tasks} digests recomputed locally and equal`,
        `  wall time:   ${(summary.wallMs / 1000).toFixed(2)} s`,
      ].join('\n'),
    );
    if (summary.verifiedLocally !== summary.tasks) process.exitCode = 1;
  });

program.parseAsync().catch((err: unknown) => {
  const code = (err as { code?: string }).code;
  log(
    `shardmesh: ${err instanceof Error ? err.message : String(err)}${code === undefined ? '' : ` (${code})`}`,
  );
  process.exit(1);
});
