/** Workers the orchestrator has seen, with their reported capabilities and live leases. */
import { Hono } from 'hono';
import type { ApiContext } from '../context.ts';

export function workerRoutes(ctx: ApiContext): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json({ connected: ctx.workerCount(), workers: ctx.engine.listWorkers() }));
  return app;
}
