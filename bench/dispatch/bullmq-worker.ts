/**
 * A BullMQ worker process for the baseline's multi-process mode: one Worker on the bench queue,
 * computing the same trivial task with the same kernel code as a Shardmesh worker. Prints one
 * JSON "ready" line once it is connected; stops on SIGTERM/SIGINT.
 *
 *   bun bench/dispatch/bullmq-worker.ts --port 6379 --queue bench --concurrency 8
 */
import { parseArgs } from 'node:util';
import { Worker } from 'bullmq';
import { createPreprocessor } from '../../worker/preprocess/index.ts';
import { type ComputedResult, computeTrivial, type TrivialTask } from './task.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    queue: { type: 'string', default: 'bench' },
    concurrency: { type: 'string', default: '8' },
  },
});
const preprocessor = await createPreprocessor();
const worker = new Worker<TrivialTask, ComputedResult>(
  values.queue,
  (job) => computeTrivial(job.data, preprocessor),
  {
    connection: { host: '127.0.0.1', port: Number(values.port) },
    concurrency: Number(values.concurrency),
  },
);
await worker.waitUntilReady();
console.log(JSON.stringify({ event: 'ready' }));
await new Promise<void>((resolve) => {
  process.once('SIGTERM', () => resolve());
  process.once('SIGINT', () => resolve());
});
await worker.close();
