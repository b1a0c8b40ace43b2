/**
 * The BullMQ baseline: enqueue N jobs (one `addBulk`), four Workers process them with the same
 * kernel code and concurrency as the Shardmesh workers, and the run ends when all N are
 * completed (as seen by a QueueEvents listener, BullMQ's own way to wait on jobs). Jobs and their
 * return values stay in Redis after completion (BullMQ's default), as Shardmesh keeps its results.
 * Workers live in this process, or in child processes (./bullmq-worker.ts) like real deployments.
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Subprocess } from 'bun';
import { createPreprocessor } from '../../worker/preprocess/index.ts';
import type { MeshMode } from './shardmesh.ts';
import { type ComputedResult, computeTrivial, type TrivialTask } from './task.ts';

const QUEUE = 'bench';
const WORKER_SCRIPT = new URL('./bullmq-worker.ts', import.meta.url).pathname;

export interface BullBench {
  mode: MeshMode;
  run: (tasks: TrivialTask[], tag: string, signal?: AbortSignal) => Promise<number>;
  stop: () => Promise<void>;
}

export interface BullOptions {
  port: number;
  workers: number;
  concurrency: number;
}

export async function startBull(mode: MeshMode, opts: BullOptions): Promise<BullBench> {
  const connection = { host: '127.0.0.1', port: opts.port };
  const queue = new Queue<TrivialTask, ComputedResult>(QUEUE, { connection });
  const events = new QueueEvents(QUEUE, { connection });
  const stoppers: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    await Promise.all(stoppers.map((s) => s()));
    await events.close();
    await queue.close();
  };
  try {
    await events.waitUntilReady();
    if (mode === 'in-process') {
      const preprocessor = await createPreprocessor();
      for (let i = 0; i < opts.workers; i++) {
        const worker = new Worker<TrivialTask, ComputedResult>(
          QUEUE,
          (job) => computeTrivial(job.data, preprocessor),
          { connection, concurrency: opts.concurrency },
        );
        stoppers.push(() => worker.close());
        await worker.waitUntilReady();
      }
    } else {
      const args = ['--port', String(opts.port), '--queue', QUEUE, '--concurrency', String(opts.concurrency)];
      const children = await Promise.all(
        Array.from({ length: opts.workers }, () => spawnReady([process.execPath, WORKER_SCRIPT, ...args])),
      );
      for (const child of children) {
        stoppers.push(() => {
          child.kill('SIGTERM');
          return child.exited;
        });
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { mode, stop, run: (tasks, tag, signal) => runBatch(queue, events, tasks, tag, signal) };
}

/** Enqueues every task and resolves with the milliseconds until the last one completed. */
async function runBatch(
  queue: Queue<TrivialTask, ComputedResult>,
  events: QueueEvents,
  tasks: TrivialTask[],
  tag: string,
  signal?: AbortSignal,
): Promise<number> {
  const prefix = `${tag}-`;
  const expected = (await queue.getCompletedCount()) + tasks.length;
  let completed = 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const onCompleted = ({ jobId }: { jobId: string }) => {
    if (jobId.startsWith(prefix) && ++completed === tasks.length) finish();
  };
  events.on('completed', onCompleted);
  // The events stream is capped (~10k entries): if the listener ever fell behind the cap, the
  // completed count is the fallback that still ends the run.
  const poll = setInterval(() => {
    void queue.getCompletedCount().then(
      (n) => n >= expected && finish(),
      () => {},
    );
  }, 250);
  const onAbort = () => finish();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const started = performance.now();
    await queue.addBulk(tasks.map((data, i) => ({ name: 'matmul', data, opts: { jobId: `${prefix}${i}` } })));
    await finished;
    const ms = performance.now() - started;
    if (signal?.aborted) throw signal.reason;
    return ms;
  } finally {
    clearInterval(poll);
    signal?.removeEventListener('abort', onAbort);
    events.off('completed', onCompleted);
  }
}

/** Spawns a child that prints a JSON "ready" line when it serves. */
async function spawnReady(cmd: string[]): Promise<Subprocess<'ignore', 'pipe', 'inherit'>> {
  const proc = Bun.spawn(cmd, { stdin: 'ignore', stdout: 'pipe', stderr: 'inherit' });
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timeout = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  try {
    while (!text.includes('"ready"')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`${cmd.join(' ')} exited before it was ready: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(timeout);
    reader.releaseLock();
    void proc.stdout.pipeTo(new WritableStream()).catch(() => {});
  }
  return proc;
}
