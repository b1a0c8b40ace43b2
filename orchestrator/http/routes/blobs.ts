/** Content-addressed blobs: large task inputs go up first, outputs come down by digest. */
import { Hono } from 'hono';
import { ErrorCode, RequestError } from '../../../protocol/errors.ts';
import type { ApiContext } from '../context.ts';
import { notFound } from '../validate.ts';

const SHA256 = /^[0-9a-f]{64}$/;

export function blobRoutes(ctx: ApiContext): Hono {
  const app = new Hono();

  app.put('/:sha256', async (c) => {
    const sha256 = requireSha(c.req.param('sha256'));
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > ctx.config.maxPayloadBytes) {
      throw new RequestError(ErrorCode.PayloadTooLarge, `blob over ${ctx.config.maxPayloadBytes} bytes`);
    }
    const existed = ctx.engine.hasBlob(sha256);
    ctx.engine.putBlob(bytes, sha256); // refuses bytes whose hash is not the name
    return c.json({ sha256, size: bytes.length }, existed ? 200 : 201);
  });

  app.get('/:sha256', (c) => {
    const sha256 = requireSha(c.req.param('sha256'));
    const bytes = ctx.engine.getBlob(sha256);
    if (bytes === undefined) throw notFound('blob', sha256);
    return c.body(new Uint8Array(bytes), 200, { 'content-type': 'application/octet-stream' });
  });

  app.on('HEAD', '/:sha256', (c) =>
    c.body(null, ctx.engine.hasBlob(requireSha(c.req.param('sha256'))) ? 200 : 404),
  );

  return app;
}

function requireSha(value: string): string {
  if (!SHA256.test(value)) {
    throw new RequestError(ErrorCode.BadRequest, 'blob name must be its lowercase hex SHA-256', {
      field: 'sha256',
    });
  }
  return value;
}
