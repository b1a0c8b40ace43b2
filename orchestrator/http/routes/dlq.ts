/** The dead-letter queue: list, inspect, requeue one or all, purge. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { notFound, parseQuery } from '../validate.ts';

const Filter = z.object({
  jobId: z.string().min(1).max(128).optional(),
  reason: z.enum(['no_quorum', 'max_attempts']).optional(),
});
const ListQuery = Filter.extend({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});
const PurgeQuery = Filter.extend({ before: z.coerce.number().int().min(0).optional() });

/** Drops undefined fields (the engine's options are exact). */
const defined = <T extends object>(obj: T) =>
  Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };

export function dlqRoutes(ctx: ApiContext): Hono {
  const app = new Hono();
  const { dlq } = ctx.engine;

  app.get('/', (c) => c.json({ deadLetters: dlq.list(defined(parseQuery(c, ListQuery))) }));

  app.get('/:taskId', (c) => {
    const entry = dlq.inspect(c.req.param('taskId'));
    if (entry === undefined) throw notFound('dead letter', c.req.param('taskId'));
    return c.json(entry);
  });

  app.post('/:taskId/requeue', (c) => {
    dlq.requeue(c.req.param('taskId'));
    ctx.onWorkAdded();
    return c.json({ requeued: 1 });
  });

  app.post('/requeue', (c) => {
    const requeued = dlq.requeueAll(defined(parseQuery(c, Filter)));
    if (requeued > 0) ctx.onWorkAdded();
    return c.json({ requeued });
  });

  app.delete('/', (c) => c.json({ purged: dlq.purge(defined(parseQuery(c, PurgeQuery))) }));

  return app;
}
