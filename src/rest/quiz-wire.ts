import type { Context } from 'hono';
import type { AuthorizeInput, QuizUser } from '../services/quiz/index.js';
import { INVALID_PARAMETERS } from '../services/quiz/index.js';
import { pyJsonCompact } from '../wire/python-json.js';
import { parseJson } from '../wire/bounded-json.js';

// The quiz service's wire format (spec 002, LEGACY-NOTES part A): always HTTP 200, the real
// code in `status`, compact JSON (pyJsonCompact), keys in the original's order.

const JSON_TYPE = 'application/json; charset=utf-8';

export function wire(c: Context, body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return c.body(pyJsonCompact(body), 200, { 'content-type': JSON_TYPE, ...headers });
}

export function wireError(c: Context, status: number, description: string, headers: Record<string, string> = {}): Response {
  return wire(c, { status, description }, headers);
}

/** A refusal decided while reading the request, before any service is called. */
export class QuizWireError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
  }
}

/**
 * The user object in the original's key order (CPython 2.7 dict order), per user type; never a
 * password hash. The admin as the spec's commit (a6247a0) sent it: `{"type":"admin","id":"-1"}`,
 * its id as text, no name, no surname (its own test_authAdmin asserts exactly that).
 */
export function wireUser(u: QuizUser): Record<string, unknown> {
  switch (u.type) {
    case 'school':
      return { type: 'school', id: u.id, name: u.name };
    case 'admin':
      return { type: 'admin', id: String(u.id) };
    default:
      return { surname: u.surname ?? '', name: u.name, id: u.id, type: u.type, school_id: u.schoolId };
  }
}

/** Werkzeug 0.8's 404 page, which the original did not wrap in JSON. */
export const NOT_FOUND_HTML =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n' +
  '<title>404 Not Found</title>\n' +
  '<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on the server.</p><p>If you entered the URL manually please check your spelling and try again.</p>\n';

const NOT_A_JSON = 'Not a JSON.';
const WS = new Set([' ', '\t', '\n', '\r']);

function skipWs(t: string, i: number): number {
  while (i < t.length && WS.has(t[i]!)) i++;
  return i;
}

function stringEnd(t: string, i: number): number {
  for (let j = i + 1; j < t.length; j++) {
    if (t[j] === '\\') j++;
    else if (t[j] === '"') return j + 1;
  }
  return t.length;
}

function valueEnd(t: string, i: number): number {
  const c = t[i];
  if (c === '"') return stringEnd(t, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const d = t[j];
      if (d === '"') j = stringEnd(t, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        if (--depth === 0) return j + 1;
      }
    }
    return t.length;
  }
  let j = i;
  while (j < t.length && t[j] !== ',' && t[j] !== '}' && t[j] !== ']' && !WS.has(t[j]!)) j++;
  return j;
}

/**
 * The source text of a top-level member of a JSON object text (the last one of that name, as
 * JSON.parse keeps it). Only called on text JSON.parse accepted, so the scan can be simple;
 * it keeps number literals exact where a JS number would round them.
 */
function rawMember(text: string, key: string): string | undefined {
  let i = skipWs(text, 0);
  if (text[i] !== '{') return undefined;
  i++;
  let found: string | undefined;
  for (;;) {
    i = skipWs(text, i);
    if (i >= text.length || text[i] === '}') return found;
    if (text[i] === ',') {
      i++;
      continue;
    }
    const keyEnd = stringEnd(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWs(text, skipWs(text, keyEnd) + 1); // past the colon
    const end = valueEnd(text, i);
    if (name === key) found = text.slice(i, end);
    i = end;
  }
}

/** A JSON number as the original's `'%s' % nonce` printed an integer: its exact decimal digits. */
function decimalText(literal: string): string {
  if (/^-?(0|[1-9]\d*)$/.test(literal)) return BigInt(literal).toString();
  return String(Number(literal)); // a fraction or exponent can never be a 32-hex nonce
}

/** The fields the original read first (`data["nonce"]`, ...): one missing is `Invalid parameters.`; `quiz_type` it read after the credentials. */
const REQUIRED = ['nonce', 'login', 'appid', 'digest'] as const;

/**
 * POST /authorize's body, read as the original did: `Not a JSON.` when the Content-Type lacks
 * `application/json` or the body does not parse; `Invalid parameters.` when nonce, login, appid
 * or digest is missing (here also when the body is not an object, where the original crashed).
 * A field of another JSON type is no refusal here, as it was none there: it reaches the quiz
 * service as null, which checks it in the original's order (AuthorizeInput).
 */
export async function readAuthorizeBody(c: Context): Promise<AuthorizeInput> {
  const type = c.req.header('content-type');
  if (!type?.includes('application/json')) throw new QuizWireError(400, NOT_A_JSON);
  let text: string;
  let data: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(await c.req.arrayBuffer());
    data = parseJson(text);
  } catch {
    throw new QuizWireError(400, NOT_A_JSON);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new QuizWireError(400, INVALID_PARAMETERS);
  const body = data as Record<string, unknown>;
  for (const name of REQUIRED) if (!Object.hasOwn(body, name)) throw new QuizWireError(400, INVALID_PARAMETERS);
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const nonce = typeof body.nonce === 'number' ? decimalText(rawMember(text, 'nonce') ?? String(body.nonce)) : str(body.nonce);
  return { nonce, login: str(body.login), appid: str(body.appid), digest: str(body.digest), quizType: str(body.quiz_type) };
}
