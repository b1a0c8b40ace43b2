/**
 * The verified-digest log, read-only and public (no API key): the same records are gossiped to
 * every mesh peer, so hiding them here would protect nothing, and anyone may audit them.
 *   GET /v1/log                           heads of every origin held
 *   GET /v1/log?origin=&from=&limit=      records of one origin from seq `from`
 *   GET /v1/log/verify[?origin=]          end-to-end check: chain, hashes, every signature
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { LogStore } from '../../mesh/store.ts';
import { verifyLog } from '../../mesh/verify-log.ts';
import type { ApiContext } from '../context.ts';
import { parseQuery } from '../validate.ts';

const Origin = z.string().min(1).max(128);
const ListQuery = z.object({
  origin: Origin.optional(),
  from: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
const VerifyQuery = z.object({ origin: Origin.optional() });

export function logRoutes(ctx: ApiContext): Hono {
  const app = new Hono();
  const store = new LogStore(ctx.engine.db);

  app.get('/', (c) => {
    const q = parseQuery(c, ListQuery);
    if (q.origin === undefined) return c.json({ heads: store.heads() });
    const records = store.range(q.origin, q.from ?? 1, q.limit ?? 100);
    return c.json({ origin: q.origin, records });
  });

  app.get('/verify', async (c) => {
    const q = parseQuery(c, VerifyQuery);
    const report = await verifyLog(store, {
      ...(q.origin === undefined ? {} : { origin: q.origin }),
      signal: c.req.raw.signal,
    });
    return c.json(report);
  });

  return app;
}
