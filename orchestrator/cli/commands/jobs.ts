/** `shardmesh submit|jobs|job|results|cancel|workers`: the researcher's side of the REST API. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, RequestError } from '../../../protocol/errors.ts';
import type { ApiClient } from '../api-client.ts';
import { progressLine } from '../api-client.ts';
import { print, progressPrinter, table, when } from '../output.ts';
import { type ClientOpts, clientFrom, withClientOptions } from './client-options.ts';
import { int } from './serve.ts';

/** Inline payloads above this go up as blobs first, keeping the job body small. */
const INLINE_LIMIT_BYTES = 256 * 1024;

interface TaskSpec {
  seed: number;
  payload?: string;
  payloadSha256?: string;
  params?: Record<string, unknown>;
}

async function moveLargePayloadsToBlobs(client: ApiClient, job: { tasks?: TaskSpec[] }): Promise<number> {
  let moved = 0;
  for (const task of job.tasks ?? []) {
    if (task.payload === undefined || task.payload.length * 0.75 <= INLINE_LIMIT_BYTES) continue;
    task.payloadSha256 = await client.putBlob(new Uint8Array(Buffer.from(task.payload, 'base64')));
    delete task.payload;
    moved++;
  }
  return moved;
}

export function registerJobCommands(program: Command): void {
  withClientOptions(
    program
      .command('submit')
      .description('submit a job from a JSON file (see examples/job.json)')
      .argument('<file>', 'job JSON: { kind, tasks: [{ seed, payload(base64) }], redundancy?, quorum?, ... }')
      .option('--wait', 'follow progress until the job ends, then print a summary')
      .option('--idempotency-key <key>', 'resubmitting with the same key returns the same job')
      .option(
        '--timeout <seconds>',
        'with --wait: give up waiting after this long (the job keeps running)',
        int,
      ),
  ).action(
    async (
      file: string,
      opts: ClientOpts & { wait?: boolean; idempotencyKey?: string; timeout?: number },
    ) => {
      const client = clientFrom(opts);
      const job = (await Bun.file(file).json()) as { tasks?: TaskSpec[] };
      const moved = await moveLargePayloadsToBlobs(client, job);
      const started = performance.now();
      const summary = await client.submit(
        job,
        opts.idempotencyKey === undefined ? {} : { idempotencyKey: opts.idempotencyKey },
      );
      if (!opts.wait) {
        print(
          summary,
          opts,
          () =>
            `${summary.created ? 'submitted' : 'already submitted'} ${summary.jobId} (${summary.counts.total} tasks${moved ? `, ${moved} payloads as blobs` : ''})`,
        );
        return;
      }
      const bar = progressPrinter();
      const signal = opts.timeout === undefined ? undefined : AbortSignal.timeout(opts.timeout * 1000);
      const final = await client
        .waitForJob(summary.jobId, {
          ...(signal ? { signal } : {}),
          onProgress: (p) => bar.update(progressLine(p)),
        })
        .catch((err: unknown) => {
          if (signal?.aborted !== true) throw err;
          throw new RequestError(
            ErrorCode.Aborted,
            `stopped waiting after ${opts.timeout} s; job ${summary.jobId} goes on`,
          );
        });
      bar.end();
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      print(final, opts, () =>
        [
          `job ${final.jobId}: ${final.state}`,
          `  tasks:    ${final.counts.done} done, ${final.counts.dead} dead of ${final.counts.total}`,
          `  replicas: ${final.replicas.submitted} submitted, ${final.replicas.accepted} accepted, ${final.replicas.rejected} rejected, ${final.replicas.expired} expired, ${final.replicas.failed} failed`,
          `  time:     ${seconds} s`,
        ].join('\n'),
      );
      if (final.counts.dead > 0) process.exitCode = 3;
    },
  );

  withClientOptions(
    program.command('jobs').description('list jobs').option('--limit <n>', 'at most n', '50'),
  ).action(async (opts: ClientOpts & { limit: string }) => {
    const { jobs } = await clientFrom(opts).jobs({ limit: opts.limit });
    print(jobs, opts, () =>
      table(
        jobs.map((j) => ({
          job: j.jobId,
          kind: j.kind,
          state: j.state,
          done: `${j.counts.done}/${j.counts.total}`,
          dead: j.counts.dead,
          created: when(j.createdAt),
        })),
        ['job', 'kind', 'state', 'done', 'dead', 'created'],
      ),
    );
  });

  withClientOptions(program.command('job').description('one job’s progress').argument('<id>')).action(
    async (id: string, opts: ClientOpts) => {
      const job = await clientFrom(opts).job(id);
      print(
        job,
        opts,
        () => `${progressLine(job)}\nstate ${job.state}, redundancy ${job.redundancy}, quorum ${job.quorum}`,
      );
    },
  );

  withClientOptions(
    program
      .command('results')
      .description('accepted results (digests; outputs with --out)')
      .argument('<id>')
      .option('--out <dir>', 'write each output to <dir>/<index>.bin'),
  ).action(async (id: string, opts: ClientOpts & { out?: string }) => {
    const client = clientFrom(opts);
    const results = await client.results(id, { inline: opts.out !== undefined });
    if (opts.out !== undefined) {
      mkdirSync(opts.out, { recursive: true });
      for (const r of results)
        writeFileSync(join(opts.out, `${r.index}.bin`), Buffer.from(r.output ?? '', 'base64'));
    }
    const rows = results.map(({ output: _o, ...r }) => r);
    print(
      rows,
      opts,
      () =>
        table(rows, ['index', 'taskId', 'digest']) +
        (opts.out ? `\nwrote ${rows.length} outputs to ${opts.out}` : ''),
    );
  });

  withClientOptions(program.command('cancel').description('cancel a job').argument('<id>')).action(
    async (id: string, opts: ClientOpts) => {
      const job = await clientFrom(opts).cancel(id);
      print(job, opts, () => `cancelled ${job.jobId}: ${job.counts.done} done, ${job.counts.dead} dead`);
    },
  );

  withClientOptions(program.command('workers').description('known workers')).action(
    async (opts: ClientOpts) => {
      const res = await clientFrom(opts).workers();
      print(
        res,
        opts,
        () =>
          `${res.connected} connected\n${table(
            res.workers.map((w) => ({ worker: w.workerId, live: w.live, seen: when(w.lastSeen) })),
            ['worker', 'live', 'seen'],
          )}`,
      );
    },
  );
}
