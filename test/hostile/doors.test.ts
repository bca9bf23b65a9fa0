// Issue 13's attacks on the front doors, replayed (sizes scaled where the behaviour is the same):
// GraphQL documents that cost too much or nest too deep, tRPC batches without end, URLs over
// Node's limit, stack traces in answers, and JSON nested thousands deep at every JSON door.
import { createClient } from '@libsql/client';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_LIMITS } from '../../schema/limits.js';
import type { AppRouter } from '../../src/trpc/router.js';
import { MAX_BATCH } from '../../src/trpc/handler.js';
import { MAX_JSON_DEPTH } from '../../src/wire/bounded-json.js';
import { snapshot } from '../helpers/db.js';
import { ROOT_PASSWORD, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { judgeLogin } from '../helpers/http.js';

let gw: TestGateway;
let bearer: string;
beforeAll(async () => {
  gw = await startTestGateway({ QUIZ_APP_IDS: 'app-1', INTEGRATION_API_KEY: 'key-1' });
  bearer = `Bearer ${(await gqlPost(gw.url, `mutation { login(username: "root", password: "${ROOT_PASSWORD}") { token } }`)).json.data.login.token}`;
});
afterAll(() => gw?.stop());

async function gqlPost(base: string, query: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) };
}

/** A refusal before execution: 400, one GraphQL error in the usual shape, no data, a small body. */
function refused(r: { status: number; text: string; json: any }, message: RegExp) {
  expect(r.status).toBe(400);
  expect(r.json).toEqual({ errors: [{ message: expect.stringMatching(message), extensions: { code: 'BAD_REQUEST' } }] });
  expect(r.text.length).toBeLessThan(300);
}

describe('GraphQL: bounded before it runs (1, 2)', () => {
  it('10,000 aliases of findProfiles in a 350 KB query, unauthenticated: refused by the token limit', async () => {
    const query = `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: findProfiles(namePart: "x") { id }`).join(' ')} }`;
    expect(query.length).toBeGreaterThan(350_000);
    refused(await gqlPost(gw.url, query), /^Syntax Error: Token limit of 2000 exceeded\.$/);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });

  it('aliases, depth, directives and cost each have a limit', async () => {
    const aliases = `{ ${Array.from({ length: DOCUMENT_LIMITS.aliases + 1 }, (_, i) => `a${i}: datasets { id }`).join(' ')} }`;
    refused(await gqlPost(gw.url, aliases, { authorization: bearer }), /Aliases limit of 30 exceeded, found 31/);
    const deep = `{ ${'a { '.repeat(DOCUMENT_LIMITS.depth + 2)}b${' }'.repeat(DOCUMENT_LIMITS.depth + 2)} }`;
    refused(await gqlPost(gw.url, deep), /Query depth limit of 10 exceeded, found 13/);
    refused(await gqlPost(gw.url, `{ __typename ${'@skip(if: false) '.repeat(DOCUMENT_LIMITS.directives + 1)}}`), /Directives limit of 20 exceeded/);
    const spreads = Array.from({ length: 30 }, (_, i) => `a${i}: contests { ${'...T '.repeat(5)} }`).join(' ');
    refused(
      await gqlPost(gw.url, `{ ${spreads} } fragment T on Contest { id name tasks { id name contestId scorePrecision datasetId } }`, {
        authorization: bearer,
      }),
      /Query Cost limit of 5000 exceeded/,
    );
    // Within the limits, the same kinds of documents run.
    const fine = await gqlPost(gw.url, `{ a: datasets { id } b: contests { ...T } } fragment T on Contest { id tasks { id } }`, {
      authorization: bearer,
    });
    expect([fine.status, fine.json.errors]).toEqual([200, undefined]);
  });

  it('recursion in the document (5,000-fragment chain, selections and list types 10,000 deep): 400, not 500', async () => {
    const chain = `query { ...F0 } ${Array.from({ length: 5000 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} }`).join(' ')}`;
    const selections = `{ ${'a { '.repeat(10_000)}b${' }'.repeat(10_000)} }`;
    const listTypes = `query Q($v: ${'['.repeat(10_000)}Int${']'.repeat(10_000)}) { __typename }`;
    for (const query of [chain, selections, listTypes]) {
      refused(await gqlPost(gw.url, query), /Token limit/);
      // The modern media type gets the same answer.
      const modern = await gqlPost(gw.url, query, { accept: 'application/graphql-response+json' });
      expect(modern.status).toBe(400);
    }
  });
  it('GET parameters that are not JSON (found by the fuzz test): 400, not 500', async () => {
    for (const name of ['variables', 'extensions']) {
      const res = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ __typename }')}&${name}=${encodeURIComponent('\\La')}`);
      expect([res.status, await res.json()]).toEqual([
        400,
        { errors: [{ message: `The "${name}" parameter is not valid JSON.`, extensions: { code: 'BAD_REQUEST' } }] },
      ]);
    }
  });
});

describe('tRPC batches (3)', () => {
  it(`a batch of more than ${MAX_BATCH} calls is one BAD_REQUEST and runs none of them; ${MAX_BATCH} run`, async () => {
    const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${gw.url}/trpc`, headers: { authorization: bearer } })] });
    const before = await snapshot(gw.dbUrl, ['contests']);
    const over = await Promise.allSettled(Array.from({ length: MAX_BATCH + 1 }, (_, i) => client.contests.create.mutate({ name: `c${i}` })));
    for (const r of over) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        message: 'Batch call exceeds maximum size',
        data: { code: 'BAD_REQUEST', httpStatus: 400 },
      });
    }
    expect(await snapshot(gw.dbUrl, ['contests'])).toBe(before);
    const logins = await fetch(`${gw.url}/trpc/${Array(1000).fill('auth.login').join(',')}?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [i, { username: 'root', password: `guess-${i}` }]))),
    });
    expect([logins.status, await logins.json()]).toEqual([
      400,
      { error: { message: 'Batch call exceeds maximum size', code: -32600, data: { code: 'BAD_REQUEST', httpStatus: 400 } } },
    ]);
    const within = await Promise.all(Array.from({ length: MAX_BATCH }, (_, i) => client.contests.create.mutate({ name: `ok${i}` })));
    expect(within).toHaveLength(MAX_BATCH);
  });

  it('a GET batch whose URL is over Node’s limit: 431 with a tRPC error body, the connection closed', async () => {
    const input = encodeURIComponent(JSON.stringify({ 0: 'x'.repeat(20_000) }));
    const res = await fetch(`${gw.url}/trpc/judge.datasets.list,judge.datasets.list?batch=1&input=${input}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect((await res.json()).error).toMatchObject({ code: -32600, data: { code: 'BAD_REQUEST', httpStatus: 431 } });
    const rest = await fetch(`${gw.url}/api/judge/top?x=${'y'.repeat(20_000)}`);
    expect([rest.status, await rest.text()]).toEqual([431, 'Request URL or headers too long (16 KiB at most)']);
  });
});

describe('no stack trace or internal message unless DEV_MODE=1 (5)', () => {
  /** A gateway whose contests table is gone: every read of it is a fault. */
  async function broken(env: Record<string, string> = {}) {
    const g = await startTestGateway(env);
    const db = createClient({ url: g.dbUrl });
    await db.execute('ALTER TABLE contests RENAME TO contests_away');
    db.close();
    const token = (await gqlPost(g.url, `mutation { login(username: "root", password: "${ROOT_PASSWORD}") { token } }`)).json.data.login.token;
    return { g, auth: { authorization: `Bearer ${token}` } };
  }

  it('tRPC and GraphQL faults: a plain message, no data.stack, no path or SQL', async () => {
    const { g, auth } = await broken();
    try {
      const bad = await fetch(`${g.url}/trpc/judge.datasets.add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: '{"name":1}',
      });
      const badBody = await bad.text();
      expect(bad.status).toBe(400);
      expect(JSON.parse(badBody).error.data).not.toHaveProperty('stack');
      const fault = await fetch(`${g.url}/trpc/contests.list`, { headers: auth });
      const text = await fault.text();
      expect(fault.status).toBe(500);
      expect(JSON.parse(text)).toEqual({
        error: { message: 'Internal server error', code: -32603, data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, path: 'contests.list' } },
      });
      const gqlFault = await gqlPost(g.url, '{ contests { id } }', auth);
      expect(gqlFault.json.errors).toEqual([
        { message: 'Unexpected error.', locations: [{ line: 1, column: 3 }], path: ['contests'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      ]);
      for (const body of [badBody, text, gqlFault.text]) expect(body).not.toMatch(/\/work\/|node_modules|\.ts:\d|contests_away|SQLITE|no such table/);
    } finally {
      await g.stop();
    }
  });

  it('with DEV_MODE=1 the operator sees the stack and the fault', async () => {
    const { g, auth } = await broken({ DEV_MODE: '1' });
    try {
      const fault = await (await fetch(`${g.url}/trpc/contests.list`, { headers: auth })).json();
      expect(fault.error.message).toMatch(/no such table/);
      expect(fault.error.data.stack).toMatch(/at /);
      const gqlFault = await gqlPost(g.url, '{ contests { id } }', auth);
      expect(JSON.stringify(gqlFault.json.errors[0].extensions)).toMatch(/no such table/);
    } finally {
      await g.stop();
    }
  });
});

describe('JSON nested thousands deep at every JSON door (6)', () => {
  const arrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  const objects = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const deepField = (n: number) => `{"name":${arrays(n)},"members":[]}`;

  it('the training API: FastAPI’s 400 for a body it could not parse; 1000 deep is still read (422)', async () => {
    const before = await snapshot(gw.dbUrl, ['teams', 'training_sessions']);
    for (const path of ['/teams', '/training-sessions']) {
      for (const body of [arrays(4500), objects(4500), deepField(4500)]) {
        const r = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: bearer }, body });
        expect([r.status, await r.json()]).toEqual([400, { detail: 'There was an error parsing the body' }]);
      }
      const atLimit = await fetch(`${gw.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: bearer },
        body: deepField(MAX_JSON_DEPTH - 1),
      });
      expect(atLimit.status).toBe(422);
      expect((await atLimit.json()).detail[0]).toMatchObject({ loc: expect.arrayContaining(['body']) });
    }
    expect(await snapshot(gw.dbUrl, ['teams', 'training_sessions'])).toBe(before);
  });

  it('the judge, quiz, social and integration APIs, GraphQL and tRPC: each its own 4xx, nothing stored', async () => {
    const root = await judgeLogin(gw.url, 'root', ROOT_PASSWORD);
    const cookie = `JSESSIONID=${root.cookies.get('JSESSIONID')}`;
    const tables = ['users', 'datasets', 'cases', 'contests', 'social_profiles'];
    const before = await snapshot(gw.dbUrl, tables);
    const doors: [string, Record<string, string>, (status: number, text: string) => void][] = [
      ['/api/dataset/add', { cookie }, (s, t) => expect([s, JSON.parse(t).message]).toEqual([400, 'JSON parse error!'])],
      ['/api/login', {}, (s, t) => expect([s, JSON.parse(t).message]).toEqual([400, 'JSON parse error!'])],
      // The quiz's envelope: a 400, or its 413 for a body over its size limit (as Flask's was).
      ['/v1/authorize', {}, (s, t) => expect([s, [400, 413]]).toEqual([200, expect.arrayContaining([JSON.parse(t).status])])],
      ['/accounts/login/', {}, (s, t) => expect([s, JSON.parse(t).error]).toEqual([200, 4])],
      ['/create_user', { 'x-integration-api-key': 'key-1' }, (s, t) => expect([s, JSON.parse(t).status]).toEqual([400, 'fail'])],
      ['/graphql', {}, (s) => expect(s).toBe(400)],
      ['/trpc/auth.login', {}, (s, t) => expect([s, JSON.parse(t).error.data.code]).toEqual([400, 'BAD_REQUEST'])],
    ];
    for (const [path, headers, check] of doors) {
      for (const body of [arrays(4500), objects(4500), `{"username":${arrays(4500)},"query":"{ __typename }"}`]) {
        const r = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        check(r.status, await r.text());
      }
    }
    expect(await snapshot(gw.dbUrl, tables)).toBe(before);
  });
});
