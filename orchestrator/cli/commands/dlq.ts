/** `shardmesh dlq list|inspect|requeue|purge`: the dead-letter queue. */
import type { Command } from 'commander';
import { print, table, when } from '../output.ts';
import { type ClientOpts, clientFrom, withClientOptions } from './client-options.ts';

interface FilterOpts extends ClientOpts {
  job?: string;
  reason?: string;
}
const filter = (o: FilterOpts) => ({ jobId: o.job, reason: o.reason });
const withFilter = (cmd: Command) =>
  withClientOptions(
    cmd.option('--job <id>', 'only this job').option('--reason <reason>', 'no_quorum or max_attempts'),
  );

export function registerDlqCommands(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('dead-letter queue: tasks that ended without a verified result');

  withFilter(dlq.command('list').description('list dead letters')).action(async (opts: FilterOpts) => {
    const { deadLetters } = await clientFrom(opts).dlqList(filter(opts));
    print(deadLetters, opts, () =>
      table(
        deadLetters.map((d) => ({
          task: d.taskId,
          job: d.jobId,
          reason: d.reason,
          attempts: d.attempts,
          dead: when(d.deadAt),
        })),
        ['task', 'job', 'reason', 'attempts', 'dead'],
      ),
    );
  });

  withClientOptions(
    dlq.command('inspect').description('reason, attempts, errors, conflicting digests').argument('<taskId>'),
  ).action(async (taskId: string, opts: ClientOpts) => {
    const entry = await clientFrom(opts).dlqInspect(taskId);
    print(entry, opts, () => JSON.stringify(entry, null, 2));
  });

  withFilter(
    dlq.command('requeue').description('requeue one task, or all matching with no id').argument('[taskId]'),
  ).action(async (taskId: string | undefined, opts: FilterOpts) => {
    const res = await clientFrom(opts).dlqRequeue(taskId, filter(opts));
    print(res, opts, () => `requeued ${res.requeued}`);
  });

  withFilter(dlq.command('purge').description('forget matching dead letters (their tasks stay dead)')).action(
    async (opts: FilterOpts) => {
      const res = await clientFrom(opts).dlqPurge(filter(opts));
      print(res, opts, () => `purged ${res.purged}`);
    },
  );
}
