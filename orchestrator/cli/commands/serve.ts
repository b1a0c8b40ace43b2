/**
 * `shardmesh orchestrator [start]` and `shardmesh worker`: the long-running processes. Each
 * prints one JSON "ready" line on stdout once it serves (scripts and tests wait for it), logs to
 * stderr, and stops cleanly on SIGINT/SIGTERM. Both first apply the allocator settings
 * (../allocator.ts), re-executing themselves once when the environment lacks them.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { HEADLESS_GPU_MODES, type HeadlessGpuMode } from '../../../worker/headless/gpu.ts';
import { HeadlessWorker } from '../../../worker/headless/headless-worker.ts';
import { Orchestrator } from '../../orchestrator.ts';
import { applyAllocatorSettings } from '../allocator.ts';
import { log } from '../output.ts';

export const int = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`'${value}' is not a non-negative integer`);
  return n;
};

const untilSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

/** Copies only the options the user gave, so config defaults and env vars apply to the rest. */
const given = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export function registerServeCommands(program: Command): void {
  program
    .command('orchestrator')
    .description('run an orchestrator: REST API, SQLite task engine, libp2p task protocol')
    .argument('[action]', 'start (the only action; may be omitted)', 'start')
    .option('--data-dir <dir>', 'database and node key directory (env SHARDMESH_DATA_DIR)')
    .option('--db <path>', 'SQLite database file (env SHARDMESH_DB)')
    .option('--http-port <port>', 'REST API port, 0 = any free port (env SHARDMESH_HTTP_PORT)', int)
    .option('--listen <multiaddr...>', 'libp2p listen addresses (env SHARDMESH_P2P_LISTEN)')
    .option('--lease-ms <ms>', 'lease length before a silent worker loses a task', int)
    .action(
      async (
        action: string,
        opts: { dataDir?: string; db?: string; httpPort?: number; listen?: string[]; leaseMs?: number },
      ) => {
        if (action !== 'start')
          throw new InvalidArgumentError(`unknown action '${action}' (expected: start)`);
        applyAllocatorSettings(log);
        const orchestrator = new Orchestrator({
          ...given({
            dataDir: opts.dataDir,
            dbPath: opts.db,
            httpPort: opts.httpPort,
            p2pListen: opts.listen,
            leaseMs: opts.leaseMs,
          }),
          log,
        });
        await orchestrator.start();
        const stopped = untilSignal(); // before "ready": a SIGTERM right after it must stop cleanly
        console.log(
          JSON.stringify({ event: 'ready', http: orchestrator.httpUrl, multiaddrs: orchestrator.multiaddrs }),
        );
        await stopped;
        await orchestrator.stop();
      },
    );

  program
    .command('worker')
    .description('run a headless worker that serves one or several orchestrators')
    .option(
      '--orchestrator <multiaddr...>',
      'orchestrator address(es) with /p2p/<id>, repeatable; the slots are shared (env SHARDMESH_ORCHESTRATOR, comma-separated)',
    )
    .option(
      '--discover',
      'also find orchestrators through Kad-DHT provider records (env SHARDMESH_DISCOVER=1)',
    )
    .option('--bootstrap <multiaddr...>', 'mesh peer(s) the DHT search starts from (env SHARDMESH_BOOTSTRAP)')
    .option('--concurrency <n>', 'tasks computed at once, shared by all orchestrators', int)
    .option(
      '--prefetch-per-slot <n>',
      'leases held ready per slot beyond those computing (default 1; 0 for long tasks; env SHARDMESH_PREFETCH_PER_SLOT)',
      int,
    )
    .option('--preprocessor <impl>', 'wasm (default) or js')
    .option(
      '--gpu <mode>',
      'auto (a hardware adapter for every kernel, a software one only for custom WGSL), any (any adapter for every kernel) or off (env SHARDMESH_GPU=off)',
    )
    .action(
      async (opts: {
        orchestrator?: string[];
        discover?: boolean;
        bootstrap?: string[];
        concurrency?: number;
        prefetchPerSlot?: number;
        preprocessor?: string;
        gpu?: string;
      }) => {
        if (opts.gpu !== undefined && !(HEADLESS_GPU_MODES as readonly string[]).includes(opts.gpu)) {
          throw new InvalidArgumentError(`--gpu must be one of ${HEADLESS_GPU_MODES.join(', ')}`);
        }
        if (opts.preprocessor !== undefined && opts.preprocessor !== 'wasm' && opts.preprocessor !== 'js') {
          throw new InvalidArgumentError('--preprocessor must be wasm or js');
        }
        applyAllocatorSettings(log);
        const worker = new HeadlessWorker({
          ...given({
            orchestrators: opts.orchestrator,
            discover: opts.discover,
            bootstrap: opts.bootstrap,
            concurrency: opts.concurrency,
            prefetchPerSlot: opts.prefetchPerSlot,
            preprocessor: opts.preprocessor as 'wasm' | 'js' | undefined,
            gpu: opts.gpu as HeadlessGpuMode | undefined,
          }),
          log,
        });
        await worker.start();
        const stopped = untilSignal();
        console.log(
          JSON.stringify({
            event: 'ready',
            workerId: worker.peerId,
            orchestrators: worker.orchestrators().map((o) => o.orchestrator),
          }),
        );
        await stopped;
        await worker.stop();
        log(`worker stopped: ${worker.stats.done} tasks done, ${worker.stats.failed} failed`);
      },
    );
}
