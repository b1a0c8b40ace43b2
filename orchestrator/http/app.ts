/**
 * The REST API as a Hono app (tests call `app.request()` without a server). This skeleton has
 * submit, progress, results and health; the engine issue adds the rest of the surface.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ErrorCode, RequestError } from '../../protocol/errors.ts';
import type { OrchestratorConfig } from '../config.ts';
import type { TaskEngine } from '../engine/index.ts';
import { errorResponse, fromZodError } from './errors.ts';
import { JobSubmissionSchema } from './job-schema.ts';

export interface ApiContext {
  config: OrchestratorConfig;
  engine: TaskEngine;
  /** Called after a job is stored, so the dispatcher offers it at once. */
  onJobCreated: () => void;
  workerCount: () => number;
  log: (line: string) => void;
}

export function createApi(ctx: ApiContext): Hono {
  const app = new Hono();
  app.onError((err, c) => errorResponse(c, err, ctx.log));
  app.notFound((c) =>
    errorResponse(c, new RequestError(ErrorCode.NotFound, `no route ${c.req.method} ${c.req.path}`), ctx.log),
  );

  app.get('/healthz', (c) => c.json({ ok: true, workers: ctx.workerCount() }));

  app.post(
    '/v1/jobs',
    bodyLimit({
      maxSize: ctx.config.maxBodyBytes,
      onError: () => {
        throw new RequestError(
          ErrorCode.PayloadTooLarge,
          `request body exceeds ${ctx.config.maxBodyBytes} bytes`,
        );
      },
    }),
    async (c) => {
      const raw = await c.req.json().catch(() => {
        throw new RequestError(ErrorCode.BadRequest, 'body is not valid JSON', { field: '' });
      });
      const parsed = JobSubmissionSchema.safeParse(raw);
      if (!parsed.success) throw fromZodError(parsed.error);
      const job = parsed.data;
      if (job.tasks.length > ctx.config.maxTasksPerJob) {
        throw new RequestError(
          ErrorCode.PayloadTooLarge,
          `at most ${ctx.config.maxTasksPerJob} tasks per job`,
          {
            field: 'tasks',
          },
        );
      }
      const tasks = job.tasks.map((task, index) => {
        const payload = Uint8Array.from(Buffer.from(task.payload, 'base64'));
        if (payload.length > ctx.config.maxPayloadBytes) {
          throw new RequestError(
            ErrorCode.PayloadTooLarge,
            `payload over ${ctx.config.maxPayloadBytes} bytes`,
            {
              field: `tasks.${index}.payload`,
            },
          );
        }
        return { seed: task.seed, payload, params: task.params ?? {} };
      });
      const idempotencyKey = job.idempotencyKey ?? c.req.header('Idempotency-Key');
      const { tasks: _ignored, ...settings } = job;
      const summary = ctx.engine.createJob({
        ...settings,
        tasks,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      });
      ctx.onJobCreated();
      return c.json(summary, 201);
    },
  );

  app.get('/v1/jobs/:id', (c) => c.json(requireJob(ctx, c.req.param('id'))));

  app.get('/v1/jobs/:id/results', (c) => {
    const jobId = c.req.param('id');
    requireJob(ctx, jobId);
    const lines: string[] = [];
    for (const r of ctx.engine.results(jobId)) {
      lines.push(
        JSON.stringify({
          taskId: r.taskId,
          index: r.index,
          digest: r.digest,
          output: Buffer.from(r.output).toString('base64'),
        }),
      );
    }
    return c.body(lines.length === 0 ? '' : `${lines.join('\n')}\n`, 200, {
      'content-type': 'application/x-ndjson',
    });
  });

  return app;
}

function requireJob(ctx: ApiContext, jobId: string) {
  const job = ctx.engine.getJob(jobId);
  if (job === undefined) throw new RequestError(ErrorCode.NotFound, `no job ${jobId}`, { field: 'id' });
  return job;
}
