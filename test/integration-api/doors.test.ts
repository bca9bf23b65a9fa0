import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/db.js';
import { gql, trpc } from '../helpers/doors.js';
import type { TestGateway } from '../helpers/gateway.js';
import { judgeLogin } from '../helpers/http.js';
import { ROOT_PASSWORD } from '../helpers/gateway.js';
import {
  createUser,
  getUser,
  gqlOk,
  insertCase,
  insertDataset,
  makeContest,
  post,
  setScore,
  startIntegrationGateway,
  TABLES,
  tokenFor,
  withDb,
} from './support.js';

// The contests model through GraphQL and tRPC: admins only for changes, the same answers as
// REST for the same data, and the integration API's sessions accepted as the cms_session cookie.

let gw: TestGateway;
let admin: string;
let user: string;
let contestId: number;
let taskIds: number[];
let datasetId: string;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const codeOf = (err: unknown) => (err as { data?: { code?: string } }).data?.code;

beforeAll(async () => {
  gw = await startIntegrationGateway();
  const rootClient = await judgeLogin(gw.url, 'root', ROOT_PASSWORD);
  await rootClient.post('/api/admin/user/add', { username: 'admin', password: 'admin-pw', type: 100 });
  admin = await tokenFor(gw, 'admin', 'admin-pw');
  datasetId = await insertDataset(gw, 'egl-g1-A', 1000);
  ({ contestId, taskIds } = await makeContest(gw, admin, 'Doors cup', [
    { name: 'routes', datasetId },
    { name: 'essay', scorePrecision: 1 },
  ]));
  await createUser(gw, {
    username: 'eve',
    password: 'eve-pw',
    first_name: 'Ève',
    last_name: 'Curie',
    email: 'eve@example.org',
    timezone: 'Europe/Paris',
    preferred_languages: '["fr"]',
    contest_id: contestId,
  });
  user = await tokenFor(gw, 'eve', 'eve-pw');
  await insertCase(gw, { username: 'eve', datasetId, cost: 3000 });
  await setScore(gw, admin, taskIds[1]!, 'eve', 7.25);
});

afterAll(() => gw?.stop());

describe('admin mutations on both doors', () => {
  it('an ADMIN creates contests and tasks through tRPC too', async () => {
    const t = trpc(gw.url, bearer(admin));
    const c = await t.contests.create.mutate({ name: 'tRPC cup' });
    const task = await t.contests.addTask.mutate({ contestId: c.id, name: 'routes', datasetId, scorePrecision: 1 });
    expect(task).toEqual({ id: task.id, contestId: c.id, name: 'routes', datasetId, scorePrecision: 1 });
    await t.contests.addParticipant.mutate({ contestId: c.id, username: 'eve' });
    const other = await t.contests.addTask.mutate({ contestId: c.id, name: 'essay' });
    const standing = await t.contests.setScore.mutate({ taskId: other.id, username: 'eve', score: 42 });
    expect(standing).toEqual({
      contestId: c.id,
      score: 33.3 + 42,
      tasks: [
        { taskId: task.id, score: 33.3 },
        { taskId: other.id, score: 42 },
      ],
    });
    expect((await t.contests.get.query({ id: c.id })).tasks.map((x) => x.name)).toEqual(['routes', 'essay']);
  });

  it('a USER or nobody is refused on GraphQL and tRPC, and nothing is stored', async () => {
    const before = await snapshot(gw.dbUrl, TABLES);
    const mutations: [string, Record<string, unknown>][] = [
      ['mutation { createContest(name: "x") { id } }', {}],
      ['mutation($c: Int!) { createTask(contestId: $c, name: "x") { id } }', { c: contestId }],
      ['mutation($t: Int!) { setTaskScore(taskId: $t, username: "eve", score: 100) { score } }', { t: taskIds[1] }],
      ['mutation($c: Int!) { addParticipant(contestId: $c, username: "root") }', { c: contestId }],
    ];
    for (const [q, v] of mutations) {
      expect((await gql(gw.url, q, v, bearer(user))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await gql(gw.url, q, v)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    for (const headers of [bearer(user), {}]) {
      const t = trpc(gw.url, headers);
      const expected = 'authorization' in headers ? 'FORBIDDEN' : 'UNAUTHORIZED';
      for (const run of [
        () => t.contests.create.mutate({ name: 'x' }),
        () => t.contests.addTask.mutate({ contestId, name: 'x' }),
        () => t.contests.setScore.mutate({ taskId: taskIds[1]!, username: 'eve', score: 100 }),
        () => t.contests.addParticipant.mutate({ contestId, username: 'root' }),
        () => t.contests.standings.query({ contestId }),
      ]) {
        await expect(run()).rejects.toSatisfy((e) => codeOf(e) === expected);
      }
    }
    expect(await snapshot(gw.dbUrl, TABLES)).toBe(before);
  });

  it("unknown contest, dataset, task or user; duplicates; bad values: the service's errors", async () => {
    const before = await snapshot(gw.dbUrl, TABLES);
    const t = trpc(gw.url, bearer(admin));
    const cases: [() => Promise<unknown>, string][] = [
      [() => t.contests.addTask.mutate({ contestId: 999, name: 'x' }), 'NOT_FOUND'],
      [() => t.contests.addTask.mutate({ contestId, name: 'x', datasetId: 'ffffffffffffffffffffffff' }), 'NOT_FOUND'],
      [() => t.contests.addTask.mutate({ contestId, name: 'routes' }), 'CONFLICT'],
      [() => t.contests.addTask.mutate({ contestId, name: 'x', scorePrecision: 11 }), 'BAD_REQUEST'],
      [() => t.contests.create.mutate({ name: 'Doors cup' }), 'CONFLICT'],
      [() => t.contests.create.mutate({ name: '  ' }), 'BAD_REQUEST'],
      [() => t.contests.setScore.mutate({ taskId: 999, username: 'eve', score: 1 }), 'NOT_FOUND'],
      [() => t.contests.setScore.mutate({ taskId: taskIds[1]!, username: 'ghost', score: 1 }), 'NOT_FOUND'],
      [() => t.contests.setScore.mutate({ taskId: taskIds[1]!, username: 'root', score: 1 }), 'NOT_FOUND'],
      [() => t.contests.setScore.mutate({ taskId: taskIds[1]!, username: 'eve', score: -1 }), 'BAD_REQUEST'],
      [() => t.contests.addParticipant.mutate({ contestId, username: 'eve' }), 'CONFLICT'],
      [() => t.contests.get.query({ id: 999 }), 'NOT_FOUND'],
    ];
    for (const [run, code] of cases) await expect(run()).rejects.toSatisfy((e) => codeOf(e) === code);
    const g = await gql(gw.url, 'mutation { createTask(contestId: 999, name: "x") { id } }', {}, bearer(admin));
    expect(g.errors?.[0]).toMatchObject({ message: 'Contest not found.', extensions: { code: 'NOT_FOUND' } });
    expect(await snapshot(gw.dbUrl, TABLES)).toBe(before);
  });
});

describe('parity: REST get_user, GraphQL contestUser and tRPC contests.user', () => {
  const fields = 'userId username firstName lastName email timezone preferredLanguages contest { contestId score tasks { taskId score } }';

  it('give the same person and the same live scores', async () => {
    const rest = JSON.parse((await getUser(gw, `username=eve&contest_id=${contestId}`)).text).data;
    const fromRest = {
      userId: rest.user_id,
      username: rest.username,
      firstName: rest.first_name,
      lastName: rest.last_name,
      email: rest.email,
      timezone: rest.timezone,
      preferredLanguages: rest.preferred_languages,
      contest: {
        contestId: rest.contest.contest_id,
        score: rest.contest.score,
        tasks: rest.contest.tasks.map((x: { task_id: number; score: number }) => ({ taskId: x.task_id, score: x.score })),
      },
    };
    expect(fromRest.contest).toEqual({
      contestId,
      score: 40.3,
      tasks: [
        { taskId: taskIds[0], score: 33 },
        { taskId: taskIds[1], score: 7.3 },
      ],
    });
    for (const token of [admin, user]) {
      const g = (await gqlOk(gw, token, `query($c: Int) { contestUser(username: "eve", contestId: $c) { ${fields} } }`, { c: contestId }))
        .contestUser;
      expect(g).toEqual(fromRest);
      expect(await trpc(gw.url, bearer(token)).contests.user.query({ username: 'eve', contestId })).toEqual(fromRest);
    }
    // Without a contest: no contest part anywhere.
    const plain = JSON.parse((await getUser(gw, 'username=eve')).text).data;
    expect(plain.contest).toBeUndefined();
    expect((await gqlOk(gw, user, `{ contestUser(username: "eve") { ${fields} } }`)).contestUser.contest).toBeNull();
  });

  it('a person sees only themselves; unknown users and participations are NOT_FOUND', async () => {
    expect((await gql(gw.url, '{ contestUser(username: "root") { userId } }', {}, bearer(user))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await expect(trpc(gw.url, bearer(admin)).contests.user.query({ username: 'ghost' })).rejects.toSatisfy((e) => codeOf(e) === 'NOT_FOUND');
    const g = await gql(gw.url, '{ contestUser(username: "root", contestId: 1) { userId } }', {}, bearer(admin));
    expect(g.errors?.[0]?.message).toBe('Participation not found.');
  });

  it('contests and their tasks, the same on both doors', async () => {
    const g = (await gqlOk(gw, user, '{ contests { id name tasks { id contestId name datasetId scorePrecision } } }')).contests;
    expect(await trpc(gw.url, bearer(user)).contests.list.query()).toEqual(g);
    expect(g.find((c: { id: number }) => c.id === contestId).tasks).toEqual([
      { id: taskIds[0], contestId, name: 'routes', datasetId, scorePrecision: 0 },
      { id: taskIds[1], contestId, name: 'essay', datasetId: null, scorePrecision: 1 },
    ]);
  });
});

describe('create_session: a real session, the cms_session cookie', () => {
  const sessionFor = async (body: Record<string, unknown>) => JSON.parse((await post(gw, '/create_session', body)).text).data.session_id as string;
  const row = (id: string) =>
    withDb(gw, async (db) => {
      const { createHash } = await import('node:crypto');
      const hash = createHash('sha256').update(id).digest('hex');
      const s = (
        await db.execute({
          sql: 'SELECT s.kind, s.expires_at, s.created_at, c.contest_id FROM sessions s LEFT JOIN contest_sessions c ON c.id_hash = s.id_hash WHERE s.id_hash = ?',
          args: [hash],
        })
      ).rows[0];
      return { hash, s };
    });

  it('stored hashed, 3 hours, with its contest; accepted by GraphQL and tRPC as cms_session', async () => {
    const id = await sessionFor({ username: 'eve', contest_id: contestId });
    const { s } = await row(id);
    expect(s).toMatchObject({ kind: 'contest', contest_id: contestId });
    const lifetime = Number(s!.expires_at) - Number(s!.created_at);
    expect(lifetime).toBeGreaterThan(3 * 3600_000 - 1000);
    expect(lifetime).toBeLessThanOrEqual(3 * 3600_000);
    const cookie = { cookie: `cms_session=${id}` };
    expect((await gql(gw.url, '{ me { username } }', {}, cookie)).data?.me).toEqual({ username: 'eve' });
    expect((await trpc(gw.url, cookie).auth.me.query())?.username).toBe('eve');
    expect(
      (await gql(gw.url, `{ contestUser(username: "eve", contestId: ${contestId}) { contest { score } } }`, {}, cookie)).data?.contestUser.contest
        .score,
    ).toBe(40.3);
    expect((await gql(gw.url, '{ me { username } }', {}, { cookie: 'cms_session=0123456789abcdef0123456789abcdef' })).data?.me).toBeNull();
  });

  it('every use pushes the expiry 3 hours on; an expired one is refused', async () => {
    const id = await sessionFor({ username: 'eve' });
    const { hash } = await row(id);
    // As if two of its three hours had passed unused.
    await withDb(gw, (db) => db.execute({ sql: 'UPDATE sessions SET expires_at = ? WHERE id_hash = ?', args: [Date.now() + 3600_000, hash] }));
    const before = Date.now();
    expect((await gql(gw.url, '{ me { username } }', {}, { cookie: `cms_session=${id}` })).data?.me).toEqual({ username: 'eve' });
    const expires = Number((await row(id)).s!.expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 3 * 3600_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3 * 3600_000);

    const gone = await sessionFor({ username: 'eve', contest_id: null });
    await withDb(gw, async (db) =>
      db.execute({ sql: 'UPDATE sessions SET expires_at = ? WHERE id_hash = ?', args: [Date.now() - 1, (await row(gone)).hash] }),
    );
    expect((await gql(gw.url, '{ me { username } }', {}, { cookie: `cms_session=${gone}` })).data?.me).toBeNull();
  });
});
