/** Jobs: submit, list, progress, live progress (SSE), results (NDJSON), cancel. */
import { Hono } from 'hono';
import { stream, streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { ErrorCode, RequestError } from '../../../protocol/errors.ts';
import type { TaskEngine } from '../../engine/index.ts';
import type { ApiContext } from '../context.ts';
import { JobSubmissionSchema } from '../schemas.ts';
import { notFound, parseJsonBody, parseQuery } from '../validate.ts';

const ListJobsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  state: z.enum(['active', 'completed', 'cancelled']).optional(),
});
const SSE_KEEPALIVE_MS = 5_000;
const ResultsQuery = z.object({ inline: z.enum(['true', 'false']).optional() });

export function jobRoutes(ctx: ApiContext): Hono {
  const app = new Hono();
  const { engine, config } = ctx;

  app.post('/', async (c) => {
    const job = await parseJsonBody(c, JobSubmissionSchema);
    if (job.tasks.length > config.maxTasksPerJob) {
      throw new RequestError(ErrorCode.PayloadTooLarge, `at most ${config.maxTasksPerJob} tasks per job`, {
        field: 'tasks',
      });
    }
    const tasks = job.tasks.map((task, index) => {
      const params = task.params ?? {};
      if (task.payloadSha256 !== undefined)
        return { seed: task.seed, payloadSha256: task.payloadSha256, params };
      const payload = new Uint8Array(Buffer.from(task.payload ?? '', 'base64'));
      if (payload.length > config.maxPayloadBytes) {
        throw new RequestError(ErrorCode.PayloadTooLarge, `payload over ${config.maxPayloadBytes} bytes`, {
          field: `tasks.${index}.payload`,
        });
      }
      return { seed: task.seed, payload, params };
    });
    const idempotencyKey = job.idempotencyKey ?? c.req.header('Idempotency-Key');
    const { tasks: _inline, ...settings } = job;
    const summary = engine.createJob({ ...settings, tasks, ...(idempotencyKey ? { idempotencyKey } : {}) });
    if (summary.created) ctx.onWorkAdded();
    return c.json(summary, summary.created ? 201 : 200);
  });

  app.get('/', (c) => {
    const { limit, state } = parseQuery(c, ListJobsQuery);
    return c.json({ jobs: engine.listJobs({ ...(limit ? { limit } : {}), ...(state ? { state } : {}) }) });
  });

  app.get('/:id', (c) => c.json(requireJob(engine, c.req.param('id'))));

  app.post('/:id/cancel', (c) => {
    requireJob(engine, c.req.param('id'));
    return c.json(engine.cancelJob(c.req.param('id')));
  });

  // NDJSON, streamed from the database cursor so a large job never sits in memory whole.
  app.get('/:id/results', (c) => {
    const jobId = c.req.param('id');
    requireJob(engine, jobId);
    const inline = parseQuery(c, ResultsQuery).inline === 'true';
    c.header('content-type', 'application/x-ndjson');
    return stream(c, async (out) => {
      for (const r of engine.results(jobId)) {
        const line = { taskId: r.taskId, index: r.index, digest: r.digest };
        const full = inline ? { ...line, output: Buffer.from(r.output).toString('base64') } : line;
        await out.write(`${JSON.stringify(full)}\n`);
      }
    });
  });

  // Server-Sent Events: `progress` when tasks change (at most one per config.sseProgressMs, the
  // last change always reported), then `done` when the job ends.
  app.get('/:id/events', (c) => {
    const jobId = c.req.param('id');
    requireJob(engine, jobId);
    return streamSSE(c, async (sse) => {
      let id = 0;
      let lastSent = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const send = (event: string) => {
        lastSent = Date.now();
        const data = JSON.stringify(engine.getJob(jobId));
        return sse.writeSSE({ event, data, id: String(id++) });
      };
      const changed = (d: { jobId: string }) => {
        if (d.jobId !== jobId || timer !== undefined) return;
        const wait = lastSent + config.sseProgressMs - Date.now();
        if (wait <= 0) void send('progress');
        else
          timer = setTimeout(() => {
            timer = undefined;
            void send('progress');
          }, wait);
      };
      let finish = () => {};
      const ended = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const offs = [
        engine.on('task:done', changed),
        engine.on('task:dead', changed),
        engine.on('task:requeued', changed),
        engine.on('job:done', (d) => d.jobId === jobId && finish()),
      ];
      sse.onAbort(() => finish());
      // A comment line every few seconds keeps idle proxies (and Bun's idle timeout) from closing us.
      const keepAlive = setInterval(
        () => void sse.write(': keep-alive\n\n').catch(() => finish()),
        SSE_KEEPALIVE_MS,
      );
      await send('progress');
      if (engine.getJob(jobId)?.state === 'active') await ended;
      clearInterval(keepAlive);
      clearTimeout(timer); // `done` carries the final counts
      for (const off of offs) off();
      if (!sse.aborted) await send('done');
    });
  });

  return app;
}

function requireJob(engine: TaskEngine, jobId: string) {
  const job = engine.getJob(jobId);
  if (job === undefined) throw notFound('job', jobId);
  return job;
}
