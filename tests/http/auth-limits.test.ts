/** API keys (401 for anything but a valid, unrevoked key) and the per-key rate limit (429). */
import { describe, expect, test } from 'bun:test';
import { RateLimiter } from '../../orchestrator/http/rate-limit.ts';
import { expectError, testApi } from './helpers.ts';

describe('API keys', () => {
  test('no key, a malformed key, an unknown key and a revoked key all get the same 401', async () => {
    const api = testApi();
    const { id, token } = api.keys.create('soon revoked');
    expect((await api.request('/v1/jobs', { token })).status).toBe(200);
    api.keys.revoke(id);
    for (const bad of [null, 'nonsense', `smk_aaaaaaaaaaaa_${'A'.repeat(43)}`, token]) {
      const res = await api.request('/v1/jobs', { token: bad });
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      await expectError(res, 401, 'UNAUTHORIZED');
    }
  });

  test('keys are stored hashed: the token never appears in the database', () => {
    const api = testApi();
    const { id, token } = api.keys.create('x');
    // The secret part: everything after `smk_<id>_` (base64url, so it may itself contain '_').
    const secret = token.slice(`smk_${id}_`.length);
    expect(secret.length).toBeGreaterThanOrEqual(43);
    const dump = api.engine.db
      .query<{ t: string }, []>('SELECT group_concat(token_sha256 || label || id) AS t FROM api_keys')
      .get();
    expect(dump?.t).not.toContain(secret);
    expect(api.keys.list().map((k) => k.label)).toEqual(['test', 'x']);
  });

  test('revoking an unknown key is a typed 404-class error', () => {
    expect(() => testApi().keys.revoke('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  test('public routes need no key; every researcher route does', async () => {
    const api = testApi();
    for (const path of ['/healthz', '/metrics', '/openapi.json']) {
      expect((await api.request(path, { token: null })).status).toBe(200);
    }
    for (const path of [
      '/v1/jobs',
      '/v1/dlq',
      '/v1/workers',
      `/v1/blobs/${'0'.repeat(64)}`,
      '/v1/jobs/x/events',
    ]) {
      expect((await api.request(path, { token: null })).status).toBe(401);
    }
  });
});

describe('rate limit', () => {
  test('a burst beyond the bucket gets 429 with Retry-After; another key is unaffected', async () => {
    const api = testApi({ rateLimitPerSec: 1, rateLimitBurst: 3 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.request('/v1/jobs')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await api.request('/v1/jobs');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expectError(limited, 429, 'RATE_LIMITED');
    const other = api.keys.create('other').token;
    expect((await api.request('/v1/jobs', { token: other })).status).toBe(200);
  });

  test('the bucket refills at the sustained rate', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 2, () => now);
    limiter.take('k');
    limiter.take('k');
    expect(() => limiter.take('k')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    now += 100; // 10/s -> one token per 100 ms
    expect(() => limiter.take('k')).not.toThrow();
  });
});
