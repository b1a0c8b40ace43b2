/**
 * One JSON shape for every HTTP error: `{ "error": { "code", "message", "details"? } }`, with a
 * status that follows from the stable code. Unknown errors become 500 INTERNAL and are logged,
 * never echoed.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorCode, isShardmeshError } from '../../protocol/errors.ts';

const STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.DigestMismatch]: 400,
  [ErrorCode.UnknownTaskKind]: 400,
  [ErrorCode.FrameHeaderInvalid]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.LeaseExpired]: 409,
  [ErrorCode.IllegalTransition]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.FramePayloadTooLarge]: 413,
  [ErrorCode.RateLimited]: 429,
};

export function errorResponse(c: Context, err: unknown, log: (line: string) => void): Response {
  if (isShardmeshError(err)) {
    const retryAfter = err.details?.retryAfterSec;
    if (typeof retryAfter === 'number') c.header('Retry-After', String(retryAfter));
    return c.json({ error: err.toJSON() }, STATUS[err.code] ?? 500);
  }
  log(
    `internal error on ${c.req.method} ${c.req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  return c.json({ error: { code: ErrorCode.Internal, message: 'internal error' } }, 500);
}
