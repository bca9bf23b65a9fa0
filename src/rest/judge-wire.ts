import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ServiceError } from '../services/errors.js';
import { HTTP_STATUS_OF } from '../wire/http-status.js';
import { springErrorBody } from '../wire/spring.js';
import { logFault } from '../observe/request-context.js';
import { parseJson } from '../wire/bounded-json.js';

export const TOO_MANY_REQUESTS = 'Too many requests!';

/** Spring Boot's error body, the only error form spec 004 clients know. */
export function springError(c: Context, status: ContentfulStatusCode, message: string) {
  return c.json(springErrorBody(status, message, c.req.path), status);
}

export function judgeErrorResponse(c: Context, err: unknown) {
  // A login limit is the judge API's own rate limit answer.
  if (err instanceof ServiceError && err.kind === 'rate_limited') return springError(c, 429, TOO_MANY_REQUESTS);
  if (err instanceof ServiceError) return springError(c, HTTP_STATUS_OF[err.kind], err.message);
  logFault(c.req.raw, err);
  return springError(c, 500, 'Internal error');
}

class BadRequest extends ServiceError {
  constructor(message: string) {
    super('invalid', message);
  }
}

type FieldType = 'string' | 'int';

/**
 * Reads a JSON object body and checks each named field's type (absent is allowed: the services
 * report missing fields with the original's messages). Bad JSON or a mistyped field is a 400.
 */
export async function readJsonBody<T extends Record<string, FieldType>>(
  c: Context,
  fields: T,
): Promise<{ [K in keyof T]?: T[K] extends 'int' ? number : string }> {
  let body: unknown;
  try {
    body = parseJson(await c.req.text());
  } catch {
    throw new BadRequest('JSON parse error!');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('JSON parse error!');
  const out: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(fields)) {
    const v = (body as Record<string, unknown>)[name];
    if (v === undefined || v === null) continue;
    const ok = type === 'int' ? Number.isSafeInteger(v) : typeof v === 'string';
    if (!ok) throw new BadRequest(`Invalid value for field '${name}'!`);
    out[name] = v;
  }
  return out as { [K in keyof T]?: T[K] extends 'int' ? number : string };
}

export function intParam(c: Context, name: string, fallback: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d{1,9}$/.test(raw)) throw new BadRequest(`Invalid value for parameter '${name}'!`);
  return Number(raw);
}

/**
 * The site root's page. The original served the judge's web front end there (static/index.html);
 * its clients (the old workers) read only the status and the cookie, so a small page stands in.
 */
export const HOME_PAGE =
  '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>CARP Online Judge Platform</title></head>\n' +
  '<body><h1>Arena gateway</h1><p>The CARP judge API is under <code>/api</code>; every REST API is described at <a href="/docs">/docs</a>.</p></body>\n' +
  '</html>\n';

/** Spring Security's default headers on that answer: it carries a fresh token, so nothing may cache it. */
export const HOME_PAGE_HEADERS = {
  'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate',
  Pragma: 'no-cache',
  Expires: '0',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};
