// The real gateway process on a real libSQL server (sqld) that fails under a steady load of writes
// (REST, GraphQL, tRPC) and reads (every door). SIGKILLed and restarted: while it is down every request
// gets its door's own prompt 503 and /healthz says so; the gateway stays up and recovers by itself
// once sqld is back; every write answered 2xx is in the database and none left half of itself.
// Hung (SIGSTOP): requests are answered 503 within the gateway's exchange timeout, not held.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../helpers/doors.js';
import { Client, judgeLogin } from '../helpers/http.js';
import { ANSWER_WITHIN_MS, type Answer, describeAnswer, startLanes, timedFetch } from '../helpers/load.js';
import { type MainProcess, startMain } from '../helpers/main-process.js';
import { freePort } from '../helpers/redis.js';
import { startSqld, type TestSqld } from '../helpers/sqld.js';
import { archive, GDB10, waitFor } from '../judge-service/support.js';

const KEY = 'faults-integration-key';
const ROOT_PASSWORD = 'faults-root-pw-1';

type Door = 'integration' | 'judge' | 'graphql' | 'trpc' | 'training' | 'social' | 'quiz' | 'gateway';
interface DoorAnswer extends Answer {
  door: Door;
}

type Kind = 'user' | 'case' | 'contest' | 'team';
interface Write {
  kind: Kind;
  key: string;
  answer: DoorAnswer;
}
const KINDS: Kind[] = ['user', 'case', 'contest', 'team'];

let sqld: TestSqld;
let dir: string;
let main: MainProcess;
/** What the load needs, made while sqld is up. */
let fx: { cookie: string; social: string; rootId: string; bearer: Record<string, string>; dataset: string; contestId: number; firstCase: string };
const integration = { 'x-integration-api-key': KEY };
const send = async (door: Door, path: string, init?: RequestInit): Promise<DoorAnswer> => ({ door, ...(await timedFetch(main.url + path, init)) });

beforeAll(async () => {
  sqld = await startSqld();
  dir = await mkdtemp(join(tmpdir(), 'arena-faults-'));
  main = await startMain(
    {
      HOST: '127.0.0.1',
      DATABASE_URL: sqld.url,
      BLOB_DIR: join(dir, 'blobs'),
      ROOT_PASSWORD,
      JWT_SECRET: 'faults-secret-faults-secret-faults-0123',
      INTEGRATION_API_KEY: KEY,
      RATE_LIMIT_PER_MINUTE: '0',
    },
    ['--no-judge'],
  );
  const root = await judgeLogin(main.url, 'root', ROOT_PASSWORD);
  const dataset = (await root.post('/api/dataset/add', { name: 'gdb10', time: 5, memory: 256, cpu: 1, data: GDB10 })).json.id as string;
  const login = await gql(main.url, 'mutation($p: String!) { login(username: "root", password: $p) { token } }', { p: ROOT_PASSWORD });
  const bearer = { authorization: `Bearer ${login.data.login.token}`, 'content-type': 'application/json' };
  const contestId = (await gql(main.url, 'mutation { createContest(name: "load") { id } }', {}, bearer)).data.createContest.id as number;
  for (const m of ['member1', 'member2']) {
    const r = await send('integration', '/create_user', {
      method: 'POST',
      headers: integration,
      body: JSON.stringify({ username: m, password: 'member-pw' }),
    });
    expect(r.status, r.text).toBe(200);
  }
  const firstCase = (await root.post('/api/judge/submit', { dataset, data: archive('good') })).json.cid as string;
  const rootId = String((await root.get('/api/user/info')).json.uid);
  const social = new Client(main.url);
  expect((await social.post('/accounts/login/', { username: 'root', password: ROOT_PASSWORD })).status).toBe(200);
  fx = {
    cookie: `JSESSIONID=${root.cookies.get('JSESSIONID')}`,
    social: `sessionid=${social.cookies.get('sessionid')}`,
    rootId,
    bearer,
    dataset,
    contestId,
    firstCase,
  };
});
afterAll(async () => {
  if (main && main.proc.exitCode === null) {
    main.proc.kill('SIGTERM');
    await main.exited;
  }
  await sqld?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A success as each door says it: some answer every error with HTTP 200 and the error in the body. */
const SUCCEEDED: Record<Door, (a: DoorAnswer) => boolean> = {
  integration: (a) => a.json?.status === 'success',
  judge: () => true,
  graphql: (a) => a.json?.errors === undefined,
  trpc: () => true,
  training: () => true,
  social: (a) => a.json?.error === 0,
  quiz: (a) => a.json?.status === 200,
  gateway: () => true,
};
const succeeded = (a: DoorAnswer) => a.status >= 200 && a.status < 300 && SUCCEEDED[a.door](a);
const jsonPost = (body: unknown): RequestInit => ({ method: 'POST', headers: fx.bearer, body: JSON.stringify(body) });

/** One write per kind, each through a door of its own; `n` makes its key unique within the file. */
const WRITE: Record<Kind, (n: number) => Promise<Write>> = {
  user: async (n) => {
    const key = `load-u${n}`;
    const body = JSON.stringify({ username: key, password: 'load-pw-1', contest_id: fx.contestId });
    return { kind: 'user', key, answer: await send('integration', '/create_user', { method: 'POST', headers: integration, body }) };
  },
  case: async (n) => {
    const body = JSON.stringify({ dataset: fx.dataset, data: archive('good') });
    const answer = await send('judge', '/api/judge/submit', {
      method: 'POST',
      headers: { cookie: fx.cookie, 'content-type': 'application/json' },
      body,
    });
    return { kind: 'case', key: answer.json?.cid ?? `refused-${n}`, answer };
  },
  contest: async (n) => {
    const key = `load-c${n}`;
    return {
      kind: 'contest',
      key,
      answer: await send('graphql', '/graphql', jsonPost({ query: `mutation { createContest(name: "${key}") { id } }` })),
    };
  },
  team: async (n) => {
    const key = `load-t${n}`;
    return { kind: 'team', key, answer: await send('trpc', '/trpc/training.teams.create', jsonPost({ name: key, members: ['member1', 'member2'] })) };
  },
};
/** Reads that each need the database (the caller's lookup, or the row itself). */
const READS: (() => Promise<DoorAnswer>)[] = [
  () => send('integration', '/get_user?username=member1', { headers: integration }),
  () => send('judge', `/api/judge/query?cid=${fx.firstCase}`, { headers: { cookie: fx.cookie } }),
  () => send('graphql', '/graphql', jsonPost({ query: '{ contests { id } }' })),
  () => send('trpc', '/trpc/contests.list', { headers: fx.bearer }),
  () => send('training', '/user/me', { headers: fx.bearer }),
  () => send('social', `/api/profile/GetProfile?user_id=${fx.rootId}`, { headers: { cookie: fx.social } }),
  () => send('quiz', `/v1/authorize/status?sid=${fx.cookie.slice('JSESSIONID='.length)}`),
];

/** Each door's own 503: its status and body (the quiz API's HTTP 200 with the code inside, as it answers every error). */
const UNAVAILABLE: Record<Door, (a: DoorAnswer) => { status: number; json?: object; text?: string }> = {
  integration: () => ({ status: 503, json: { status: 'error', message: 'Service Unavailable', code: 503 } }),
  judge: (a) => ({ status: 503, json: { status: 503, error: 'Service Unavailable', message: 'Database unavailable', path: a.what.split(' ')[1] } }),
  graphql: () => ({ status: 503, json: { errors: [{ message: 'Database unavailable', extensions: { code: 'SERVICE_UNAVAILABLE' } }] } }),
  trpc: () => ({ status: 503, json: { error: { message: 'Database unavailable', data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 } } } }),
  training: () => ({ status: 503, json: { detail: 'Database unavailable' } }),
  social: () => ({ status: 503, text: '<h1>Service Unavailable (503)</h1>' }),
  quiz: () => ({ status: 200, json: { status: 503, description: 'Database unavailable' } }),
  gateway: () => ({ status: 503, json: { status: 'unavailable' } }),
};

function expectUnavailable(a: DoorAnswer): void {
  const form = UNAVAILABLE[a.door](a);
  expect(a.status, describeAnswer(a)).toBe(form.status);
  if (form.json) expect(a.json, describeAnswer(a)).toMatchObject(form.json);
  if (form.text) expect(a.text, describeAnswer(a)).toBe(form.text);
  // Nothing of the fault itself reaches the client: no stack, no address, no driver message.
  expect(a.text, describeAnswer(a)).not.toMatch(/\n\s+at |node:internal|ECONNREFUSED|fetch failed|127\.0\.0\.1/);
}

/** Keys used so far, so each test's writes are new rows. */
let written = 0;

/** Every write repeated in a lane of its own, and one lane cycling the reads, until `stop`. */
function startLoad() {
  const writes: Write[] = [];
  const reads: DoorAnswer[] = [];
  let r = 0;
  const lanes = startLanes([
    ...KINDS.map((k) => async () => void writes.push(await WRITE[k](written++))),
    async () => void reads.push(await READS[r++ % READS.length]!()),
  ]);
  const since = (t: number) => ({ writes: writes.filter((w) => w.answer.started >= t), reads: reads.filter((a) => a.started >= t) });
  return {
    writes,
    since,
    /** Every write kind acknowledged `n` times, and `n` rounds of reads, among requests started after `t`. */
    acknowledgedSince(t: number, n: number) {
      const s = since(t);
      return (
        KINDS.every((k) => s.writes.filter((w) => w.kind === k && succeeded(w.answer)).length >= n) &&
        s.reads.filter(succeeded).length >= n * READS.length
      );
    },
    all: () => [...writes.map((w) => w.answer), ...reads],
    stop: lanes.stop,
  };
}

describe('sqld fails under load', () => {
  it("SIGKILLed and restarted: 503 in each door's form meanwhile, recovery with no restart, every acknowledged write kept, none half-written", async () => {
    const load = startLoad();
    let down = 0;
    let restarting = 0;
    let back = 0;
    try {
      await waitFor('every lane to succeed a few times', async () => load.acknowledgedSince(0, 3), 20_000);
      await sqld.kill();
      down = Date.now();
      expectUnavailable(await send('gateway', '/healthz'));
      await waitFor(
        'a second of load while sqld is down, every lane refused a few times',
        async () => {
          const s = load.since(down);
          return (
            Date.now() - down >= 1000 && KINDS.every((k) => s.writes.filter((w) => w.kind === k).length >= 3) && s.reads.length >= 3 * READS.length
          );
        },
        20_000,
      );
      restarting = Date.now();
      await sqld.start();
      await waitFor('/healthz to see the database again', async () => (await send('gateway', '/healthz')).status === 200, 20_000);
      back = Date.now();
      await waitFor('every lane to succeed again', async () => load.acknowledgedSince(back, 3), 20_000);
    } finally {
      await load.stop();
    }

    const all = load.all();
    // No hang, and nothing but a success or the door's own 503, whenever it was asked.
    for (const a of all) {
      expect(a.ended - a.started, a.what).toBeLessThan(ANSWER_WITHIN_MS);
      if (!succeeded(a)) expectUnavailable(a);
    }
    // Down: everything asked needs the database, so nothing succeeded; back: everything did.
    for (const a of all.filter((a) => a.started >= down && a.ended <= restarting)) expect(succeeded(a), a.what).toBe(false);
    for (const a of all.filter((a) => a.started >= back)) expect(succeeded(a), describeAnswer(a)).toBe(true);
    expect(main.proc.exitCode, 'the gateway process is still up').toBeNull();
    // The outage is one warning, and no request logged a fault (a stack) for it.
    const out = main.output();
    // One warning per outage (and one more per answer that was in flight at the kill and came after a failure).
    const warnings = out.match(/database unavailable/g)?.length ?? 0;
    expect(warnings).toBeGreaterThanOrEqual(1);
    expect(warnings).toBeLessThanOrEqual(1 + KINDS.length + 1);
    expect(out).toContain('database answers again');
    expect(out).not.toContain('unexpected error');

    const db = createClient({ url: sqld.url, intMode: 'number' });
    try {
      const rows = async (sql: string, args: (string | number)[] = []) => (await db.execute({ sql, args })).rows.map((r) => ({ ...r }));
      const acknowledged = (kind: Kind) => load.writes.filter((w) => w.kind === kind && succeeded(w.answer));

      // Users: each with its participation (one transaction), every acknowledged one with its ids.
      const users = await rows(
        `SELECT u.username, iu.num, p.id AS participation FROM users u JOIN integration_users iu ON iu.user_id = u.id
         LEFT JOIN participations p ON p.user_id = u.id AND p.contest_id = ? WHERE u.username LIKE 'load-u%'`,
        [fx.contestId],
      );
      for (const u of users) expect(u.participation, `${u.username} has no participation`).not.toBeNull();
      const userByName = new Map(users.map((u) => [u.username, u]));
      for (const w of acknowledged('user')) {
        expect(userByName.get(w.key), w.key).toEqual({
          username: w.key,
          num: w.answer.json.data.user_id,
          participation: w.answer.json.data.participation_id,
        });
      }

      // Cases: every row has its archive (a commit that may have happened keeps it), every acknowledged one is there.
      const cases = await rows('SELECT id, archive_key FROM cases');
      for (const c of cases) expect(existsSync(join(dir, 'blobs', String(c.archive_key))), `archive of case ${c.id}`).toBe(true);
      const caseIds = new Set(cases.map((c) => c.id));
      for (const w of acknowledged('case')) expect(caseIds.has(w.key), `case ${w.key}`).toBe(true);

      // Contests (GraphQL) and teams (tRPC, with their members in the same transaction).
      const contests = new Map((await rows("SELECT name, id FROM contests WHERE name LIKE 'load-c%'")).map((c) => [c.name, c.id]));
      for (const w of acknowledged('contest')) expect(contests.get(w.key), w.key).toBe(w.answer.json.data.createContest.id);
      const teams = await rows(
        "SELECT t.id, t.name, COUNT(m.user_id) AS members FROM teams t LEFT JOIN team_members m ON m.team_id = t.id WHERE t.name LIKE 'load-t%' GROUP BY t.id",
      );
      for (const t of teams) expect(t.members, `members of ${t.name}`).toBe(3);
      const teamByName = new Map(teams.map((t) => [t.name, t.id]));
      for (const w of acknowledged('team')) expect(teamByName.get(w.key), w.key).toBe(w.answer.json.result.data.id);

      for (const k of KINDS) expect(acknowledged(k).length, `acknowledged ${k} writes`).toBeGreaterThan(2);
    } finally {
      db.close();
    }
  });

  it('a gateway started while its database cannot be reached exits with one clear line, no stack', async () => {
    const early = await startMain({ HOST: '127.0.0.1', DATABASE_URL: `http://127.0.0.1:${await freePort()}`, BLOB_DIR: join(dir, 'early') }, [
      '--no-judge',
    ]).then(
      () => new Error('it started'),
      (err: Error) => err,
    );
    expect(early.message).toContain('arena gateway failed to start: the database (DATABASE_URL) cannot be reached\n');
    expect(early.message).not.toMatch(/\n\s+at /); // no stack trace printed
  });

  it('hung (SIGSTOP): each request answered 503 within the exchange timeout; going on (SIGCONT): answered again', async () => {
    sqld.pause();
    try {
      const asked = await Promise.all([...KINDS.map((k) => WRITE[k](written++)).map(async (w) => (await w).answer), ...READS.map((read) => read())]);
      for (const a of asked) {
        expectUnavailable(a);
        expect(a.ended - a.started, a.what).toBeLessThan(ANSWER_WITHIN_MS);
      }
    } finally {
      sqld.resume();
    }
    // What the hung server had been sent (a BEGIN among it) it now runs and abandons; then it answers.
    await waitFor('/healthz to see the database again', async () => (await send('gateway', '/healthz')).status === 200, 20_000);
    const load = startLoad();
    try {
      await waitFor('every lane to succeed again', async () => load.acknowledgedSince(0, 1), 30_000);
    } finally {
      await load.stop();
    }
    expect(main.proc.exitCode, 'the gateway process is still up').toBeNull();
  });
});
