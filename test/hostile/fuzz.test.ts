// Property-based fuzzing of every operation of /openapi.json (fast-check, fixed seed): malformed
// paths, queries and bodies of every shape, without credentials and as ROOT. No answer is a 5xx,
// and a refused request (4xx, or an API's error envelope) changes no stored row.
import fc from 'fast-check';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../helpers/doors.js';
import { ROOT_PASSWORD, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { judgeLogin } from '../helpers/http.js';
import { socialLogin } from '../social-api/support.js';

const SEED = 20261201;
const RUNS = 12;
/** Rows a refused request may change by design: failed logins are counted, a quiz nonce is spent by any attempt. */
const BY_DESIGN = new Set(['login_failures', 'quiz_nonces', 'migrations']);
/** As ROOT these end or change the credentials the rest of the run uses. */
const KEEPS_CREDENTIALS = new Set(['get /api/logout', 'post /accounts/logout/', 'post /accounts/logout', 'post /api/user/change/password']);

let gw: TestGateway;
let db: ReturnType<typeof createClient>;
let tables: string[];
let rootHeaders: Record<string, string>;
let ops: { method: string; path: string; tag: string; op: any }[];

beforeAll(async () => {
  gw = await startTestGateway({ QUIZ_APP_IDS: 'app-1', INTEGRATION_API_KEY: 'key-1', LOGIN_MAX_FAILURES: '0', LOGIN_MAX_FAILURES_PER_ADDRESS: '0' });
  db = createClient({ url: gw.dbUrl });
  tables = (await db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).rows
    .map((r) => String(r.name))
    .filter((t) => !BY_DESIGN.has(t));
  const judge = await judgeLogin(gw.url, 'root', ROOT_PASSWORD);
  const social = await socialLogin(gw, 'root', ROOT_PASSWORD);
  const token = (await gql(gw.url, 'mutation($p: String!) { login(username: "root", password: $p) { token } }', { p: ROOT_PASSWORD })).data.login
    .token;
  rootHeaders = {
    cookie: `JSESSIONID=${judge.cookies.get('JSESSIONID')}; sessionid=${social.cookies.get('sessionid')}`,
    authorization: `Bearer ${token}`,
    'x-integration-api-key': 'key-1',
  };
  const doc = await (await fetch(`${gw.url}/openapi.json`)).json();
  ops = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method, path, tag: String(op.tags?.[0] ?? ''), op })),
  );
});
afterAll(async () => {
  db?.close();
  await gw?.stop();
});

async function rows(): Promise<string> {
  const out: Record<string, unknown[]> = {};
  // Sorted here: some tables have no rowid to order by.
  for (const t of tables) out[t] = (await db.execute(`SELECT * FROM "${t}"`)).rows.map((r) => JSON.stringify({ ...r })).sort();
  return JSON.stringify(out);
}

/** Whether the answer refuses the request: an HTTP error or a redirect, or the API's own error envelope. */
function refused(status: number, text: string): boolean {
  if (status >= 300) return true;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  if (body === null || typeof body !== 'object') return false;
  if (typeof body.error === 'number') return body.error !== 0; // social
  if (typeof body.status === 'number' && 'description' in body) return body.status >= 400; // quiz
  if (body.status === 'fail' || body.status === 'error') return true; // integration (JSend)
  if ('errors' in body && (body.data === null || body.data === undefined)) return true; // GraphQL
  return false;
}

const nasty = fc.constantFrom(
  '',
  '0',
  '-1',
  '1e999',
  '99999999999999999999',
  'null',
  '[]',
  '{}',
  '..',
  '%2e%2e%2f',
  '%00',
  '\u0000',
  'é',
  '💥',
  "' OR 1=1 --",
  'a'.repeat(300),
);
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), nasty);
const jsonish = fc.jsonValue({ maxDepth: 3 });

/** What an operation declares it takes: path and query parameter names, body fields. */
function declared(op: any) {
  const params = (op.parameters ?? []) as { name: string; in: string }[];
  const content = op.requestBody?.content ?? {};
  const schema = (Object.values(content)[0] as any)?.schema ?? {};
  return {
    path: params.filter((p) => p.in === 'path').map((p) => p.name),
    query: params.filter((p) => p.in === 'query').map((p) => p.name),
    fields: Object.keys(schema.properties ?? {}),
    types: Object.keys(content),
  };
}

function requestFor(method: string, path: string, op: any) {
  const d = declared(op);
  const fieldNames = d.fields.length ? d.fields : ['x'];
  const fields = fc.dictionary(fc.constantFrom(...fieldNames, 'extra'), fc.oneof(jsonish, text), { maxKeys: 6 });
  const body = fc.oneof(
    fields.map((f) => ({ type: 'application/json', payload: JSON.stringify(f) })),
    jsonish.map((v) => ({ type: 'application/json', payload: JSON.stringify(v) })),
    text.map((t) => ({ type: 'application/json', payload: t })),
    fields.map((f) => ({
      type: 'application/x-www-form-urlencoded',
      payload: new URLSearchParams(Object.entries(f).map(([k, v]) => [k, String(v)])).toString(),
    })),
    fc.tuple(fc.constantFrom('text/plain', 'multipart/form-data; boundary=x', 'application/xml'), text).map(([type, payload]) => ({ type, payload })),
    fc.constant(null),
  );
  return fc.record({
    path: fc
      .tuple(...d.path.map(() => text))
      .map((vals) => d.path.reduce((p, name, i) => p.replace(`{${name}}`, encodeURIComponent(vals[i] ?? '')), path)),
    query: fc.dictionary(fc.constantFrom(...d.query, 'x', 'page', 'size'), text, { maxKeys: 4 }),
    body: method === 'get' ? fc.constant(null) : body,
  });
}

describe('fuzzing every operation of the OpenAPI document', () => {
  for (const tag of ['training (spec 001)', 'integration (spec 000)', 'quiz (spec 002)', 'social (spec 003)', 'judge (spec 004)', 'gateway']) {
    it(`${tag}: no 5xx, and a refused request changes no row (without credentials, then as ROOT)`, async () => {
      const mine = ops.filter((o) => o.tag === tag);
      expect(mine.length).toBeGreaterThan(0);
      let sent = 0;
      for (const asRoot of [false, true]) {
        for (const { method, path, op } of mine) {
          if (asRoot && KEEPS_CREDENTIALS.has(`${method} ${path}`)) continue;
          await fc.assert(
            fc.asyncProperty(requestFor(method, path, op), async (r) => {
              const before = await rows();
              const url = `${gw.url}${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : ''}`;
              const headers: Record<string, string> = { ...(asRoot ? rootHeaders : {}) };
              if (r.body) headers['content-type'] = r.body.type;
              const res = await fetch(url, { method: method.toUpperCase(), headers, body: r.body?.payload, redirect: 'manual' });
              const answer = await res.text();
              sent++;
              expect(res.status, `${method.toUpperCase()} ${url}: ${answer.slice(0, 200)}`).toBeLessThan(500);
              if (refused(res.status, answer)) expect(await rows(), `${method.toUpperCase()} ${url} was refused but changed rows`).toBe(before);
            }),
            { seed: SEED, numRuns: RUNS, endOnFailure: true },
          );
        }
      }
      expect(sent).toBeGreaterThanOrEqual(mine.length * RUNS);
    }, 120_000);
  }
});
