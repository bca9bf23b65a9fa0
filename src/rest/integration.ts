import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { secretsEqual } from '../identity/encoding.js';
import type { IntegrationUser } from '../services/contests/integration.js';
import { ServiceError } from '../services/errors.js';
import { readCappedBody } from './body.js';
import { HTTP_STATUS_OF } from '../wire/http-status.js';
import type { Services } from '../services/index.js';
import { CREATE_PARTICIPATION, CREATE_SESSION, CREATE_USER, schemaViolation } from './integration-schema.js';
import { type PyDict, PyJsonError, pyJsonLoads, tornadoJsonEncode, type PyOut, type PyValue } from './py2.js';
import { logFault } from '../observe/request-context.js';

/**
 * Spec 000, the contest integration API, at the gateway's root, answering as the original
 * (Tornado 4.5 + Tornado-JSON 1.3.4 on Python 2): JSend bodies written by Python 2's json.dumps
 * (`{"status": "success", "data": {...}}`, `{"status": "fail", "data": "<message>"}`,
 * `{"status": "error", "message": "<reason>", "code": N}`), `application/json; charset=UTF-8`.
 * Order of checks, as the original: the method (405), the API key (403, before anything else
 * the client sent), then the body (400), then the request itself (404, 409).
 */

const CONTENT_TYPE = 'application/json; charset=UTF-8';
/** [undef] The original took bodies up to Tornado's 100 MB; a create_user body is a few hundred bytes. */
const INTEGRATION_BODY_LIMIT = 64 * 1024;
const MALFORMED = 'Input is malformed; could not decode JSON object.';

const REASON: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const send = (c: Context, status: ContentfulStatusCode, body: PyOut) => c.body(tornadoJsonEncode(body), status, { 'content-type': CONTENT_TYPE });
const success = (c: Context, data: PyOut) => send(c, 200, { status: 'success', data });
const fail = (c: Context, status: ContentfulStatusCode, message: string) => send(c, status, { status: 'fail', data: message });
/** Tornado-JSON's answer to anything but an APIError: the HTTP reason, no details (debug off). */
const error = (c: Context, status: ContentfulStatusCode) =>
  send(c, status, { status: 'error', message: REASON[status] ?? 'Unknown', code: BigInt(status) });

/** A failure the original reported with an APIError: a JSend fail with this status. */
class Fail extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
  ) {
    super(message);
  }
}

/** get_user's body, keys in the order Python 2's dict gave them. */
function userJson(u: IntegrationUser): PyOut {
  const out: Record<string, PyOut> = {
    username: u.username,
    first_name: u.firstName,
    last_name: u.lastName,
    user_id: BigInt(u.userId),
  };
  if (u.contest) {
    out.contest = {
      tasks: u.contest.tasks.map((t) => ({ score: t.score, task_id: BigInt(t.taskId) })),
      contest_id: BigInt(u.contest.contestId),
      score: u.contest.score,
    };
  }
  out.timezone = u.timezone;
  out.preferred_languages = u.preferredLanguages;
  out.email = u.email;
  return out;
}

// Tornado's get_argument: the last value, control characters blanked, Python's strip().
const CONTROL = /[\x00-\x08\x0e-\x1f]/g;
const PY_SPACE = '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u180e\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');

function queryArgument(c: Context, name: string): string | undefined {
  const values = new URL(c.req.url).searchParams.getAll(name);
  const last = values[values.length - 1];
  return last === undefined ? undefined : last.replace(CONTROL, ' ').replace(PY_STRIP, '');
}

/** A JSON integer (or a float with no fraction, as Draft 7 allows) as a JS number; ids past 2^53 never exist. */
function idOf(v: PyValue | undefined): number | undefined {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : NaN;
  if (typeof v === 'number') return v;
  return undefined;
}
const text = (v: PyValue | undefined) => (typeof v === 'string' ? v : undefined);

/** Tornado-JSON's input handling: an empty body is `{}`, then UTF-8, json.loads and the schema. */
async function readInput(c: Context, schema: PyDict): Promise<PyDict> {
  const bytes = await readCappedBody(c.req.raw, INTEGRATION_BODY_LIMIT);
  if (bytes === null) throw new Fail(413, '');
  let value: PyValue;
  try {
    const decoded = bytes.byteLength === 0 ? '{}' : new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    value = pyJsonLoads(decoded);
  } catch (err) {
    if (err instanceof PyJsonError || err instanceof TypeError) throw new Fail(400, MALFORMED);
    throw err;
  }
  const violation = schemaViolation(value, schema);
  if (violation !== null) throw new Fail(400, violation);
  return value as PyDict;
}

export function integrationRouter(services: Services) {
  const api = services.contests.integration;
  const keys = services.deps.config.INTEGRATION_API_KEY;
  const app = new Hono();

  /** Every configured key is compared (rotation), each in constant time; no keys configured: closed. */
  async function keyAccepted(c: Context): Promise<boolean> {
    const sent = c.req.header('x-integration-api-key');
    if (sent === undefined) return false;
    let ok = false;
    for (const key of keys) ok = (await secretsEqual(sent, key)) || ok;
    return ok;
  }

  type Handler = (c: Context) => Promise<PyOut>;
  const route = (method: 'GET' | 'POST', path: string, handler: Handler) => {
    app.all(path, async (c) => {
      // Tornado answered an unimplemented method (HEAD and OPTIONS too) before the key was looked at.
      if (c.req.method !== method) {
        c.header('Allow', method);
        return error(c, 405);
      }
      try {
        if (!(await keyAccepted(c))) return fail(c, 403, 'Invalid API key.');
        return success(c, await handler(c));
      } catch (err) {
        if (err instanceof Fail) return err.status === 413 ? error(c, 413) : fail(c, err.status, err.message);
        // The database away is Tornado's answer to an error that is not the client's, as a 503.
        if (err instanceof ServiceError) return err.kind === 'unavailable' ? error(c, 503) : fail(c, HTTP_STATUS_OF[err.kind], err.message);
        logFault(c.req.raw, err);
        return error(c, 500);
      }
    });
  };

  route('GET', '/get_user', async (c) => {
    const username = queryArgument(c, 'username');
    if (username === undefined) throw new Fail(400, 'Query argument "username" required.');
    const contestArg = queryArgument(c, 'contest_id');
    let contestId: number | undefined;
    if (contestArg !== undefined) {
      // [undef] The original failed with a 500 on a non-number; here it is the client's error.
      if (!/^[+-]?\d+$/.test(contestArg)) throw new Fail(400, 'Query argument "contest_id" must be an integer.');
      contestId = Number(contestArg);
    }
    return userJson(await api.getUser(username, contestId));
  });

  route('POST', '/create_user', async (c) => {
    const body = await readInput(c, CREATE_USER);
    const contestId = idOf(body.get('contest_id'));
    const created = await api.createUser({
      username: text(body.get('username'))!,
      password: text(body.get('password'))!,
      firstName: text(body.get('first_name')),
      lastName: text(body.get('last_name')),
      email: text(body.get('email')),
      timezone: text(body.get('timezone')),
      preferredLanguages: text(body.get('preferred_languages')),
      contestId,
    });
    const out: Record<string, PyOut> = { user_id: BigInt(created.userId) };
    if (created.participationId !== undefined) out.participation_id = BigInt(created.participationId);
    return out;
  });

  route('POST', '/create_participation', async (c) => {
    const body = await readInput(c, CREATE_PARTICIPATION);
    const { participationId } = await api.createParticipation(text(body.get('username'))!, idOf(body.get('contest_id'))!);
    return { participation_id: BigInt(participationId) };
  });

  route('POST', '/create_session', async (c) => {
    const body = await readInput(c, CREATE_SESSION);
    const { sessionId } = await api.createSession(text(body.get('username'))!, idOf(body.get('contest_id')) ?? null);
    return { session_id: sessionId };
  });

  return app;
}
