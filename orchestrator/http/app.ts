/**
 * The REST API as a Hono app (tests call `app.request()` without a server): public operational
 * routes, then the researcher API under /v1 behind API keys and a per-key rate limit.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ErrorCode, RequestError } from '../../protocol/errors.ts';
import { requireApiKey } from './auth.ts';
import type { ApiContext } from './context.ts';
import { errorResponse } from './errors.ts';
import { RateLimiter } from './rate-limit.ts';
import { blobRoutes } from './routes/blobs.ts';
import { dlqRoutes } from './routes/dlq.ts';
import { jobRoutes } from './routes/jobs.ts';
import { logRoutes } from './routes/log.ts';
import { systemRoutes } from './routes/system.ts';
import { verificationKeyRoutes } from './routes/verification-keys.ts';
import { workerRoutes } from './routes/workers.ts';
import { mountWorkerPage } from './worker-page.ts';

export type { ApiContext } from './context.ts';

export function createApi(ctx: ApiContext): Hono {
  const app = new Hono();
  app.onError((err, c) => errorResponse(c, err, ctx.log));
  app.notFound((c) =>
    errorResponse(c, new RequestError(ErrorCode.NotFound, `no route ${c.req.method} ${c.req.path}`), ctx.log),
  );

  app.route('/', systemRoutes(ctx));
  mountWorkerPage(app, {
    multiaddrs: ctx.multiaddrs,
    ...(ctx.browserPeers === undefined ? {} : { browserPeers: ctx.browserPeers }),
    log: ctx.log,
    opfsThresholdBytes: ctx.config.opfsThresholdBytes,
  });
  app.route('/v1/log', logRoutes(ctx)); // public: the log is gossiped to every peer anyway

  // The researcher API: every route behind an API key, a per-key rate limit and a body limit.
  // Guarded per prefix (not /v1/*) so public /v1 routes such as the worker bootstrap stay open.
  const limiter = new RateLimiter(ctx.config.rateLimitPerSec, ctx.config.rateLimitBurst);
  const guard = [
    requireApiKey(ctx.keys, limiter),
    bodyLimit({
      maxSize: ctx.config.maxBodyBytes,
      onError: () => {
        throw new RequestError(
          ErrorCode.PayloadTooLarge,
          `request body exceeds ${ctx.config.maxBodyBytes} bytes`,
        );
      },
    }),
  ];
  const researcher = {
    '/v1/jobs': jobRoutes(ctx),
    '/v1/blobs': blobRoutes(ctx),
    '/v1/dlq': dlqRoutes(ctx),
    '/v1/workers': workerRoutes(ctx),
    '/v1/verification-keys': verificationKeyRoutes(ctx),
  };
  for (const [prefix, routes] of Object.entries(researcher)) {
    app.use(`${prefix}/*`, ...guard); // in Hono this also matches the bare prefix
    app.route(prefix, routes);
  }
  return app;
}
