// Issue 13's point 4: one limit on password guessing for every door, counted per name and per
// client address in the database, so two gateway nodes (and the edge) count the same failures;
// each API answers a lock its own way.
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { Gateway } from '../../src/node/gateway.js';
import { UNKNOWN_ADDRESS } from '../../src/observe/request-context.js';
import type { AppRouter } from '../../src/trpc/router.js';
import { gql, trpc } from '../helpers/doors.js';
import { startPeerGateway, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client } from '../helpers/http.js';
import { APP_ID, quizLogin } from '../quiz-api/support.js';

const LIMITS = { LOGIN_MAX_FAILURES: '5', LOGIN_MAX_FAILURES_PER_ADDRESS: '12', LOGIN_LOCK_SECONDS: '2', QUIZ_APP_IDS: APP_ID };
const PASSWORD = 'victim-pw-1';

let nodes: { a: TestGateway; b: Gateway } | null = null;
afterEach(async () => {
  await nodes?.b.close();
  await nodes?.a.stop();
  nodes = null;
});

/** Two gateway nodes on one database, and the account under attack. */
async function twoNodes() {
  const a = await startTestGateway(LIMITS);
  const b = await startPeerGateway(a, LIMITS);
  nodes = { a, b };
  await a.services.users.create({ username: 'victim', password: PASSWORD, judgeType: 200 });
  await a.services.users.create({ username: 'bystander', password: 'bystander-pw', judgeType: 200 });
  return { a: a.url, b: b.url };
}

/** A password login through each door, as its clients send it; each returns what its client reads. */
const doors = {
  judge: (url: string, password: string) => new Client(url).post('/api/login', { username: 'victim', password }),
  social: (url: string, password: string) => new Client(url).post('/accounts/login/', { username: 'victim', password }),
  graphql: (url: string, password: string) =>
    gql(url, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: 'victim', p: password }),
  trpc: (url: string, password: string) =>
    trpc(url)
      .auth.login.mutate({ username: 'victim', password })
      .catch((err: unknown) => err),
  quiz: (url: string, password: string) => quizLogin(new Client(url), 'victim', password),
};

describe('one login limit for every door, on every node', () => {
  it('five failures through five doors on two nodes lock the name everywhere, each door answering its own way; the lock ends', async () => {
    const { a, b } = await twoNodes();
    expect((await doors.judge(a, 'wrong-1')).json.message).toBe('Wrong username or password!');
    expect((await doors.social(b, 'wrong-2')).json.error).toBe(1);
    expect((await doors.graphql(a, 'wrong-3')).errors?.[0]?.message).toBe('Wrong username or password!');
    expect(await doors.trpc(b, 'wrong-4')).toMatchObject({ message: 'Wrong username or password!' });
    expect((await doors.quiz(a, 'wrong-5')).json).toEqual({ status: 400, description: 'Authorization is invalid.' });

    // Locked now: the right password is refused on every door of both nodes, before it is checked.
    for (const url of [a, b]) {
      const judge = await doors.judge(url, PASSWORD);
      expect([judge.status, judge.json.message, judge.json.error]).toEqual([429, 'Too many requests!', 'Too Many Requests']);
      const social = await doors.social(url, PASSWORD);
      expect([social.json.error, social.headers.getSetCookie()]).toEqual([3, []]);
      expect((await doors.graphql(url, PASSWORD)).errors?.[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
      expect(await doors.trpc(url, PASSWORD)).toMatchObject({ data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429 } });
      expect((await doors.quiz(url, PASSWORD)).json).toEqual({ status: 403, description: 'Forbidden.' });
    }
    // Another name from the same address is not locked (the address is under its own limit).
    expect((await new Client(a).post('/api/login', { username: 'bystander', password: 'bystander-pw' })).status).toBe(200);

    await new Promise((r) => setTimeout(r, 2100)); // LOGIN_LOCK_SECONDS
    expect((await doors.judge(b, PASSWORD)).status).toBe(200);
    // A success cleared the count: one more failure does not lock again.
    await doors.graphql(a, 'wrong-6');
    expect((await doors.graphql(a, PASSWORD)).data.login.token).toEqual(expect.any(String));
  });

  it('a tRPC batch cannot multiply guesses: past five, the rest of the batch answers as the lock', async () => {
    const { a } = await twoNodes();
    const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${a}/trpc` })] });
    const answers = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => client.auth.login.mutate({ username: 'victim', password: `guess-${i}` })),
    );
    const codes = answers.map((r) => (r as PromiseRejectedResult).reason.data.code);
    // The calls of a batch run side by side; past the limit each answers as the lock, so exactly the limit are told.
    expect(codes.filter((c) => c === 'BAD_REQUEST')).toHaveLength(5);
    expect(codes.filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(11);
    expect((await doors.judge(a, PASSWORD)).status).toBe(429);
  });

  it('one client address guessing many names is locked for every name, known ones too', async () => {
    const { a, b } = await twoNodes();
    for (let i = 0; i < 12; i++) {
      const url = i % 2 ? b : a;
      expect((await new Client(url).post('/api/login', { username: `nobody-${i}`, password: 'x' })).json.message).toBe('Wrong username or password!');
    }
    const bystander = await new Client(b).post('/api/login', { username: 'bystander', password: 'bystander-pw' });
    expect([bystander.status, bystander.json.message]).toEqual([429, 'Too many requests!']);
    expect((await gql(a, 'mutation { login(username: "bystander", password: "bystander-pw") { token } }')).errors?.[0]).toMatchObject({
      extensions: { code: 'RATE_LIMITED' },
    });
  });

  it('a host that cannot tell the address (no cf-connecting-ip at the edge) counts per name only, not one shared address', async () => {
    await twoNodes();
    // The app as the edge Worker serves it, with its fetch handler, when the client address is unknown.
    const app = createApp(nodes!.a.services, { clientIp: () => UNKNOWN_ADDRESS });
    const login = (username: string, password: string) =>
      app.fetch(
        new Request('http://edge.test/api/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password }),
        }),
      );
    for (let i = 0; i < 13; i++) expect((await login(`nobody-${i}`, 'x')).status).toBe(400);
    expect((await login('bystander', 'bystander-pw')).status).toBe(200);
  });
});
