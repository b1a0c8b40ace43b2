/** `shardmesh demo`: the quick start's job (see ../demo.ts). */
import type { Command } from 'commander';
import { runDemo } from '../demo.ts';
import { int } from './serve.ts';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run an orchestrator and two workers on loopback, compute one job, print a summary')
    .option('--tasks <n>', 'tasks in the job', int, 36)
    .option('--size <n>', 'side of each square matmul', int, 32)
    .option('--workers <n>', 'headless workers', int, 2)
    .action(async (opts: { tasks: number; size: number; workers: number }) => {
      const redundancy = Math.min(2, opts.workers);
      const summary = await runDemo({
        ...opts,
        redundancy,
        quorum: redundancy,
        smoothAlpha: 0.25,
        out: (l) => console.log(l),
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
}
