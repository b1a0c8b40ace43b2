/** Request parsing helpers that turn every validation failure into one typed 400. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { ErrorCode, RequestError } from '../../protocol/errors.ts';

/** The first zod issue as a RequestError naming the offending field (`tasks.3.seed`). */
export function fromZodError(error: z.ZodError): RequestError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  return new RequestError(ErrorCode.BadRequest, `${field || 'body'}: ${issue?.message ?? 'invalid'}`, {
    field,
  });
}

export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const raw: unknown = await c.req.json().catch(() => {
    throw new RequestError(ErrorCode.BadRequest, 'body is not valid JSON', { field: '' });
  });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

export function notFound(what: string, id: string): RequestError {
  return new RequestError(ErrorCode.NotFound, `no ${what} ${id}`, { field: 'id' });
}
