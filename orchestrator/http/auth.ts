/**
 * Bearer-token authentication and per-key rate limiting for the researcher API. A missing,
 * malformed, unknown or revoked key all get the same 401, so the answer reveals nothing.
 */
import type { MiddlewareHandler } from 'hono';
import { ErrorCode, RequestError } from '../../protocol/errors.ts';
import type { ApiKeyStore } from '../auth/api-keys.ts';
import type { RateLimiter } from './rate-limit.ts';

export function requireApiKey(keys: ApiKeyStore, limiter: RateLimiter): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const keyId = token === '' ? undefined : keys.verify(token);
    if (keyId === undefined) {
      c.header('WWW-Authenticate', 'Bearer realm="shardmesh"');
      throw new RequestError(
        ErrorCode.Unauthorized,
        'a valid API key is required (Authorization: Bearer smk_...)',
      );
    }
    limiter.take(keyId);
    await next();
  };
}
