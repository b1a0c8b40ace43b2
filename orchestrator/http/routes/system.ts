/** Unauthenticated operational endpoints: health, Prometheus metrics, the OpenAPI document. */
import { Hono } from 'hono';
import type { ApiContext } from '../context.ts';
import { renderMetrics } from '../metrics.ts';
import { buildOpenApi } from '../openapi.ts';

export function systemRoutes(ctx: ApiContext): Hono {
  const app = new Hono();
  const openapi = JSON.stringify(buildOpenApi());
  app.get('/healthz', (c) => {
    ctx.engine.db.query('SELECT 1').get(); // the database answers, or this throws -> 500
    return c.json({ ok: true, workers: ctx.workerCount() });
  });
  app.get('/metrics', (c) =>
    c.text(renderMetrics(ctx.engine.db, ctx.workerCount()), 200, {
      'content-type': 'text/plain; version=0.0.4',
    }),
  );
  app.get('/openapi.json', (c) => c.body(openapi, 200, { 'content-type': 'application/json' }));
  return app;
}
