import type { Context } from 'hono';
import { ServiceError } from '../services/errors.js';
import { MissingArgument } from '../services/social/common.js';
import { pyJson } from '../wire/python-json.js';
import { readCappedBody } from './body.js';
import { parseJson } from '../wire/bounded-json.js';

/** Spec 003's response codes (the original's misc/response.py ResponseCode). */
export const Code = { OK: 0, INVALID_ARGUMENT: 1, MISSING_ARGUMENT: 2, NOT_PERMITTED: 3, UNSUPPORTED_MEDIA_TYPE: 4, UNKNOWN: -1 } as const;
export type Code = (typeof Code)[keyof typeof Code];

export const LOGIN_URL = '/accounts/login/';

/** The envelope: always HTTP 200; `response` left out when there is none (the original's None). */
export function envelopeJson(code: Code, message = '', response?: unknown): string {
  const body: Record<string, unknown> = { error: code, error_msg: message };
  if (response !== undefined && response !== null) body.response = response;
  return pyJson(body);
}

export function envelope(code: Code, message = '', response?: unknown): Response {
  return new Response(envelopeJson(code, message, response), { status: 200, headers: { 'content-type': 'application/json' } });
}

export const ok = (response?: unknown) => envelope(Code.OK, '', response);

/**
 * A service refusal in the envelope: the kinds map onto the original's codes. The database away
 * is no refusal: the server's error page, as a 503 (the client may retry).
 */
export function serviceErrorEnvelope(err: ServiceError): Response {
  if (err instanceof MissingArgument) return envelope(Code.MISSING_ARGUMENT, err.message);
  switch (err.kind) {
    case 'invalid':
    case 'not_found':
    case 'too_large':
      return envelope(Code.INVALID_ARGUMENT, err.message);
    case 'forbidden':
    case 'rate_limited':
    case 'unauthenticated':
      return envelope(Code.NOT_PERMITTED, err.message);
    case 'conflict':
      // The original reported its IntegrityError (a taken event name) as an unknown error.
      return envelope(Code.UNKNOWN, err.message);
    case 'unavailable':
      return serverErrorPage(503);
  }
}

/** urllib.parse.quote(s, safe='/'), which Django's redirect_to_login applies to `next`. */
function pyQuote(s: string): string {
  return encodeURIComponent(s)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** @login_required: 302 to the login page with the full path as `next`, empty body. */
export function loginRedirect(c: Context): Response {
  const url = new URL(c.req.url);
  return new Response(null, {
    status: 302,
    headers: { location: `${LOGIN_URL}?next=${pyQuote(url.pathname + url.search)}`, 'content-type': 'text/html; charset=utf-8' },
  });
}

/** require_GET / require_POST: 405 with an empty body and the allowed method. */
export function notAllowed(allow: string): Response {
  return new Response(null, { status: 405, headers: { allow, 'content-type': 'text/html; charset=utf-8' } });
}

/** Django's 404 page (DEBUG off). */
export function notFoundPage(): Response {
  return new Response('<h1>Not Found</h1><p>The requested resource was not found on this server.</p>', {
    status: 404,
    headers: { 'content-type': 'text/html' },
  });
}

/** Django's 500 page (DEBUG off); its 503 in the same form. */
export function serverErrorPage(status: 500 | 503 = 500): Response {
  const title = status === 503 ? 'Service Unavailable' : 'Server Error';
  return new Response(`<h1>${title} (${status})</h1>`, { status, headers: { 'content-type': 'text/html' } });
}

// ---------------------------------------------------------------------------------------------
// Parameters: the query string for GET, the form, multipart or JSON body for POST.

export class BadBody extends Error {
  constructor(readonly response: Response) {
    super('bad body');
  }
}

/** One request's parameters; a repeated name gives its last value, as Django's QueryDict. */
export class Params {
  constructor(private readonly values: Map<string, unknown>) {}

  has(name: string): boolean {
    const v = this.values.get(name);
    return v !== undefined && v !== null;
  }

  isFile(name: string): boolean {
    return this.values.get(name) instanceof File;
  }

  /** The value as text: strings, and JSON numbers as their decimal form; anything else is refused. */
  text(name: string): string | undefined {
    const v = this.values.get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    throw new ServiceError('invalid', `Invalid value for ${name}`);
  }

  /** Like text(), but a JSON number stays a number (for the time casts). */
  textOrNumber(name: string): string | number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' && Number.isFinite(v) ? v : this.text(name);
  }

  file(name: string): File | undefined {
    const v = this.values.get(name);
    return v instanceof File ? v : undefined;
  }
}

const lastValues = (entries: Iterable<[string, unknown]>) => {
  const m = new Map<string, unknown>();
  for (const [k, v] of entries) m.set(k, v);
  return m;
};

export function queryParams(c: Context): Params {
  return new Params(lastValues(new URL(c.req.url).searchParams));
}

/**
 * A POST body as parameters: JSON object, urlencoded form or multipart form. An empty body has
 * none; anything else is code 4 `json content expected`, the original's unsupported media type.
 */
export async function bodyParams(c: Context, maxBytes: number, tooLargeMessage: string): Promise<Params> {
  const bytes = await readCappedBody(c.req.raw, maxBytes);
  if (bytes === null) throw new BadBody(envelope(Code.INVALID_ARGUMENT, tooLargeMessage));
  if (bytes.length === 0) return new Params(new Map());
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const unsupported = () => new BadBody(envelope(Code.UNSUPPORTED_MEDIA_TYPE, 'json content expected'));
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await new Response(bytes, { headers: { 'content-type': c.req.header('content-type')! } }).formData();
    } catch {
      throw new BadBody(envelope(Code.INVALID_ARGUMENT, 'Malformed multipart body'));
    }
    return new Params(lastValues(form.entries()));
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw unsupported();
  }
  if (type.startsWith('application/x-www-form-urlencoded')) return new Params(lastValues(new URLSearchParams(text)));
  if (/^application\/([a-z0-9.+-]*\+)?json\b/.test(type)) {
    let body: unknown;
    try {
      body = parseJson(text);
    } catch {
      throw unsupported();
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw unsupported();
    return new Params(new Map(Object.entries(body)));
  }
  throw unsupported();
}
