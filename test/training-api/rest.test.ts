import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JudgeType } from '../../src/identity/roles.js';
import { trainingRoutes } from '../../src/rest/training.js';
import { snapshot } from '../helpers/db.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client } from '../helpers/http.js';
import { Api, PASSWORD, TABLES, contestWithTasks, expect422, expectDetail, person, roomFrames, tick } from './support.js';

let gw: TestGateway;
let ann: Awaited<ReturnType<typeof person>>;
let bob: Awaited<ReturnType<typeof person>>;
let eve: Awaited<ReturnType<typeof person>>;
let admin: Awaited<ReturnType<typeof person>>;
let contest: { id: number; taskIds: number[] };
let teamId: number;
let sid: string;

const PY_STR = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00$/;
const PY_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  gw = await startTestGateway();
  [ann, bob, eve, admin] = [await person(gw, 'ann'), await person(gw, 'bob'), await person(gw, 'eve'), await person(gw, 'adm', JudgeType.ADMIN)];
  contest = await contestWithTasks(gw, 'Autumn cup', [{ name: 'first' }, { name: 'second' }, { name: 'third' }]);
});
afterAll(() => gw?.stop());

/** Each call refused: the expected answer, and nothing stored. */
async function refused(call: () => Promise<void>): Promise<void> {
  const before = await snapshot(gw.dbUrl, TABLES);
  await call();
  expect(await snapshot(gw.dbUrl, TABLES)).toBe(before);
}

describe('authentication', () => {
  it('every route but health answers 403 Not authenticated without credentials, 401 with bad ones, storing nothing', async () => {
    const routes = trainingRoutes(gw.services);
    const anon = new Api(gw.url);
    const bad = new Api(gw.url, { authorization: 'Bearer not-a-token' });
    const stale = new Api(gw.url, { cookie: 'sessionid=0123456789abcdef0123456789abcdef' });
    const fill = (path: string) =>
      path
        .replace('{sid}', crypto.randomUUID())
        .replace('{team_id}', '1')
        .replace('{contest_id}', '1')
        .replace('{alias}', 'A')
        .replace('{run_id}', 'x')
        .replace('{username}', 'ann');
    let checked = 0;
    await refused(async () => {
      for (const r of routes) {
        const body = r.method === 'post' ? {} : undefined;
        if (!r.auth) {
          expect(r.path.startsWith('/health/')).toBe(true);
          continue;
        }
        expectDetail(await anon.call(r.method.toUpperCase(), fill(r.path), body), 403, 'Not authenticated');
        const b = await bad.call(r.method.toUpperCase(), fill(r.path), body);
        expectDetail(b, 401, 'Invalid authentication credentials');
        expect(b.headers.get('www-authenticate')).toBe('Bearer');
        expectDetail(await stale.call(r.method.toUpperCase(), fill(r.path), body), 401);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(25);
  });

  it('health answers without credentials', async () => {
    const anon = new Api(gw.url);
    for (const p of ['application', 'database', 'redis']) {
      const r = await anon.get(`/health/ping-${p}`);
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ message: 'pong' });
    }
  });

  it('a session cookie of any legacy API signs in too (the social sessionid)', async () => {
    const social = new Client(gw.url);
    const login = await social.post('/accounts/login/', { username: 'ann', password: PASSWORD });
    expect(login.status).toBe(200);
    const api = new Api(gw.url, { cookie: `sessionid=${social.cookies.get('sessionid')}` });
    const me = await api.get('/user/me');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ id: ann.id, login: 'ann', firstName: '', lastName: '' });
    expect(Number.isInteger(me.json.userId)).toBe(true);
  });
});

describe('teams', () => {
  it('creates a team (201) with the creator as owner and first member, lists and reads it', async () => {
    const r = await ann.http.post('/teams', { name: 'Owls', members: ['bob'] });
    expect(r.status, r.text).toBe(201);
    teamId = r.json.id;
    expect(r.json).toMatchObject({ name: 'Owls', ownerId: ann.id });
    expect(r.json.members.map((m: { login: string }) => m.login)).toEqual(['ann', 'bob']);
    expect((await bob.http.get('/teams')).json.map((t: { id: number }) => t.id)).toEqual([teamId]);
    expect((await eve.http.get('/teams')).json).toEqual([]);
    expect((await bob.http.get(`/teams/${teamId}`)).json).toEqual(r.json);
    expect((await bob.http.get(`/teams/${teamId}/members`)).json).toEqual(r.json.members);
    // Admins read any team; others may not.
    expect((await admin.http.get(`/teams/${teamId}`)).status).toBe(200);
    await refused(async () => {
      expectDetail(await eve.http.get(`/teams/${teamId}`), 403, 'Вы не состоите в этой команде');
      expectDetail(await eve.http.get('/teams/999'), 404, 'Команда не найдена');
    });
  });

  it("refuses bad bodies with 422 in pydantic's shape, and unknown members with 404, storing nothing", async () => {
    await refused(async () => {
      expect422(await ann.http.post('/teams', {}), [{ type: 'missing', loc: ['body', 'name'], msg: 'Field required' }]);
      expect422(await ann.http.post('/teams', { name: 5 }), [{ type: 'string_type', loc: ['body', 'name'] }]);
      expect422(await ann.http.post('/teams', { name: '' }), [{ type: 'string_too_short', loc: ['body', 'name'] }]);
      expect422(await ann.http.post('/teams', { name: 'x', members: 'bob' }), [{ type: 'list_type', loc: ['body', 'members'] }]);
      expect422(await ann.http.post('/teams', '{"name": '), [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error' }]);
      expect422(await ann.http.post('/teams', '[1]'), [{ type: 'model_attributes_type', loc: ['body'] }]);
      expectDetail(await ann.http.post('/teams', { name: 'Ghosts', members: ['nobody'] }), 404);
      expectDetail(await ann.http.post('/teams', { name: '   ' }), 400);
      expect422(await ann.http.get('/teams/abc'), [{ type: 'int_parsing', loc: ['path', 'team_id'] }]);
      expect422(await ann.http.get('/teams/0'), [{ type: 'greater_than_equal', loc: ['path', 'team_id'] }]);
    });
  });

  it('the owner (or an admin) adds and removes members; a member may leave; others may not', async () => {
    await refused(async () => {
      expectDetail(await bob.http.post(`/teams/${teamId}/members`, { username: 'eve' }), 403, 'Составом команды управляет её создатель');
      expectDetail(await ann.http.post(`/teams/${teamId}/members`, { username: 'bob' }), 409);
      expectDetail(await ann.http.post(`/teams/${teamId}/members`, { username: 'ghost' }), 404);
      expectDetail(await ann.http.post('/teams/999/members', { username: 'eve' }), 404);
      expect422(await ann.http.post(`/teams/${teamId}/members`, {}), [{ type: 'missing', loc: ['body', 'username'] }]);
      expectDetail(await eve.http.delete(`/teams/${teamId}/members/bob`), 403);
    });
    const added = await admin.http.post(`/teams/${teamId}/members`, { username: 'eve' });
    expect(added.status).toBe(200);
    expect(added.json.members.map((m: { login: string }) => m.login)).toEqual(['ann', 'bob', 'eve']);
    const left = await eve.http.delete(`/teams/${teamId}/members/eve`);
    expect(left.json.members.map((m: { login: string }) => m.login)).toEqual(['ann', 'bob']);
    expectDetail(await ann.http.delete(`/teams/${teamId}/members/eve`), 404);
  });
});

describe('training sessions', () => {
  it('GET /contests lists the contests', async () => {
    expect((await bob.http.get('/contests')).json).toEqual([{ id: contest.id, name: 'Autumn cup' }]);
  });

  it('POST starts a session (201), its problems A, B, C, and TRAINING_STARTED to the lobby, every time', async () => {
    const bus = roomFrames(gw);
    const r = await ann.http.post('/training-sessions', { team_id: teamId, contest_id: contest.id });
    expect(r.status, r.text).toBe(201);
    expect(Object.keys(r.json)).toEqual(['id', 'status', 'dt_created']);
    expect(r.json.id).toMatch(UUID);
    expect(r.json.status).toBe('IN_PROCESS');
    expect(r.json.dt_created).toMatch(PY_ISO);
    sid = r.json.id;
    const again = await bob.http.post('/training-sessions', { team_id: teamId, contest_id: contest.id });
    expect(again.status).toBe(201);
    expect(again.json).toEqual(r.json);
    await tick();
    bus.stop();
    const started = bus.of(`lobby:${teamId}`);
    expect(started).toHaveLength(2);
    expect(started[0]).toEqual({ type: 'TRAINING_STARTED', payload: { id: sid, status: 'IN_PROCESS', dtCreated: expect.stringMatching(PY_STR) } });
    expect((started[0]!.payload as { dtCreated: string }).dtCreated.replace(' ', 'T')).toBe(r.json.dt_created);
    const problems = (await bob.http.get(`/contests/${sid}/problems`)).json.problems;
    expect(problems).toEqual([
      { id: contest.taskIds[0], alias: 'A', name: 'first', datasetId: null, status: 'NOT_STARTED', attempts: 0, assignedUser: null },
      { id: contest.taskIds[1], alias: 'B', name: 'second', datasetId: null, status: 'NOT_STARTED', attempts: 0, assignedUser: null },
      { id: contest.taskIds[2], alias: 'C', name: 'third', datasetId: null, status: 'NOT_STARTED', attempts: 0, assignedUser: null },
    ]);
    expect((await bob.http.get(`/contests/${sid}/problems/B`)).json).toEqual({ problemAlias: 'B', status: 'NOT_STARTED', attempts: 0 });
  });

  it('refuses starts it cannot make, storing and sending nothing', async () => {
    const bus = roomFrames(gw);
    await refused(async () => {
      expectDetail(await eve.http.post('/training-sessions', { team_id: teamId, contest_id: contest.id }), 403);
      expectDetail(await ann.http.post('/training-sessions', { team_id: 999, contest_id: contest.id }), 404, 'Команда не найдена');
      expectDetail(await ann.http.post('/training-sessions', { team_id: teamId, contest_id: 999 }), 404, 'Контест не найден');
      expect422(await ann.http.post('/training-sessions', { team_id: teamId }), [{ type: 'missing', loc: ['body', 'contest_id'] }]);
      // The original's `team_id: str`: text that names no team is the lookup's 404, not a 422.
      expectDetail(await ann.http.post('/training-sessions', { team_id: 'x', contest_id: contest.id }), 404, 'Команда не найдена');
      expect422(await ann.http.post('/training-sessions', { team_id: 1.5, contest_id: contest.id }), [
        { type: 'string_type', loc: ['body', 'team_id'], msg: 'Input should be a valid string' },
      ]);
    });
    await tick();
    bus.stop();
    expect(bus.frames).toEqual([]);
  });

  it('reads a session by id, by team and contest, and the running one to reconnect to', async () => {
    const ts = (await ann.http.get(`/training-sessions/${sid}`)).json;
    expect(ts).toMatchObject({ id: sid, status: 'IN_PROCESS' });
    expect((await ann.http.get(`/training-sessions/${sid.toUpperCase()}`)).json).toEqual(ts);
    expect((await bob.http.get(`/training-sessions?contest_id=${contest.id}&team_id=${teamId}`)).json).toEqual(ts);
    expect((await bob.http.get(`/training-sessions/team/${teamId}/reconnect`)).json).toEqual(ts);
    expect((await admin.http.get(`/training-sessions/${sid}`)).json).toEqual(ts);
    await refused(async () => {
      expectDetail(await eve.http.get(`/training-sessions/${sid}`), 403);
      expectDetail(await ann.http.get(`/training-sessions/${crypto.randomUUID()}`), 404, 'Сессия не найдена');
      expect422(await ann.http.get('/training-sessions/not-a-uuid'), [{ type: 'uuid_parsing', loc: ['path', 'sid'] }]);
      expectDetail(await ann.http.get(`/training-sessions?contest_id=999&team_id=${teamId}`), 400, 'Контест не найден');
      expectDetail(await ann.http.get(`/training-sessions?contest_id=${contest.id}&team_id=999`), 400, 'Команда не найдена');
      expect422(await ann.http.get('/training-sessions?contest_id=x'), [
        { type: 'int_parsing', loc: ['query', 'contest_id'] },
        { type: 'missing', loc: ['query', 'team_id'] },
      ]);
      expectDetail(await ann.http.get('/training-sessions/team/999/reconnect'), 404);
    });
    const other = await contestWithTasks(gw, 'Winter cup', []);
    expectDetail(await ann.http.get(`/training-sessions?contest_id=${other.id}&team_id=${teamId}`), 404, 'Сессия не найдена');
  });

  it('keeps what the room frames carried, readable over REST; "" and null when unset', async () => {
    expect((await bob.http.get(`/training-sessions/${sid}/code/A`)).json).toEqual({ code: '' });
    expect((await bob.http.get(`/training-sessions/${sid}/control/current`)).json).toEqual({ userId: '' });
    expect((await bob.http.get(`/training-sessions/${sid}/online`)).json).toEqual({ users: [] });
    expect((await bob.http.get(`/teams/${teamId}/online`)).json).toEqual({ users: [] });
    const t = gw.services.training;
    await t.recordFrame('training', sid, { type: 'CODE_EDITOR_UPDATE', payload: { code: "print('hello')", problemAlias: 'A' } });
    await t.recordFrame('training', sid, { type: 'CONTROL_TAKEN', payload: { userId: '823768129' } });
    await t.recordFrame('training', sid, { type: 'USER', payload: { user: { id: '1', login: 'ann' } } });
    await t.recordFrame('training', sid, { type: 'PROBLEM_ASSIGNED', payload: { user: { id: '2', login: 'bob' }, problemAlias: 'B' } });
    await t.recordFrame('lobby', String(teamId), { type: 'USER', payload: { user: { id: '2', login: 'bob' } } });
    expect((await bob.http.get(`/training-sessions/${sid}/code/A`)).json).toEqual({ code: "print('hello')" });
    expect((await bob.http.get(`/training-sessions/${sid}/code/Z`)).json).toEqual({ code: '' });
    expect((await bob.http.get(`/training-sessions/${sid}/control/current`)).json).toEqual({ userId: '823768129' });
    expect((await bob.http.get(`/training-sessions/${sid}/online`)).json).toEqual({ users: [{ id: '1', login: 'ann' }] });
    expect((await bob.http.get(`/teams/${teamId}/online`)).json).toEqual({ users: [{ id: '2', login: 'bob' }] });
    expect((await bob.http.get(`/contests/${sid}/problems`)).json.problems[1].assignedUser).toEqual({ id: '2', login: 'bob' });
    await refused(async () => {
      expectDetail(await eve.http.get(`/training-sessions/${sid}/code/A`), 403);
      expectDetail(await eve.http.get(`/training-sessions/${sid}/online`), 403);
      expectDetail(await eve.http.get(`/teams/${teamId}/online`), 403);
      expectDetail(await ann.http.get(`/contests/${sid}/problems/Z`), 404, 'Задача не найдена');
      expectDetail(await ann.http.get(`/contests/${crypto.randomUUID()}/problems`), 404);
    });
  });

  it('comments: a member writes, the room hears PROBLEM_COMMENT_RECEIVED, all read them', async () => {
    const bus = roomFrames(gw);
    const r = await bob.http.post(`/training-sessions/${sid}/problem/A/comments/send`, { content: 'try DP' });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({
      id: expect.any(Number),
      userId: expect.any(Number),
      userFirstName: '',
      userLastName: '',
      userLogin: 'bob',
      problemAlias: 'A',
      content: 'try DP',
      dtCreated: expect.stringMatching(PY_ISO),
    });
    await tick();
    bus.stop();
    expect(bus.of(`training:${sid}`)).toEqual([{ type: 'PROBLEM_COMMENT_RECEIVED', payload: r.json }]);
    expect((await ann.http.get(`/training-sessions/${sid}/problem/A/comments/`)).json).toEqual([r.json]);
    expect((await ann.http.get(`/training-sessions/${sid}/problem/A/comments`)).json).toEqual([r.json]);
    expect((await ann.http.get(`/training-sessions/${sid}/problem/B/comments/`)).json).toEqual([]);
    await refused(async () => {
      expectDetail(await eve.http.post(`/training-sessions/${sid}/problem/A/comments/send`, { content: 'hi' }), 403);
      expectDetail(await admin.http.post(`/training-sessions/${sid}/problem/A/comments/send`, { content: 'hi' }), 403);
      expectDetail(await ann.http.post(`/training-sessions/${sid}/problem/Z/comments/send`, { content: 'hi' }), 404);
      expect422(await ann.http.post(`/training-sessions/${sid}/problem/A/comments/send`, { content: '' }), [
        { type: 'string_too_short', loc: ['body', 'content'] },
      ]);
      expect422(await ann.http.post(`/training-sessions/${sid}/problem/A/comments/send`, { content: 'x'.repeat(4001) }), [
        { type: 'string_too_long', loc: ['body', 'content'] },
      ]);
      expectDetail(await ann.http.post(`/training-sessions/${sid}/problem/A/comments/send`, { content: '  ' }), 400);
      expectDetail(await ann.http.get(`/training-sessions/${sid}/problem/Z/comments/`), 404);
    });
  });

  it('submissions: refused for a problem without a dataset, an unknown problem, a missing file', async () => {
    const form = (fields: Record<string, string | Blob>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.append(k, v);
      return f;
    };
    const zip = new Blob([new Uint8Array([0x50, 0x4b, 5, 6])]);
    await refused(async () => {
      expectDetail(await ann.http.post(`/training-sessions/${sid}/submissions`, form({ file: zip, problem: 'A' })), 400, /CARP/);
      expectDetail(await ann.http.post(`/training-sessions/${sid}/submissions`, form({ file: zip, problem: 'Z' })), 404);
      expectDetail(await eve.http.post(`/training-sessions/${sid}/submissions`, form({ file: zip, problem: 'A' })), 403);
      expect422(await ann.http.post(`/training-sessions/${sid}/submissions`, form({ problem: 'A' })), [{ type: 'missing', loc: ['body', 'file'] }]);
      expect422(await ann.http.post(`/training-sessions/${sid}/submissions`, form({ file: 'text', problem: 'A' })), [
        { type: 'value_error', loc: ['body', 'file'] },
      ]);
      expect422(await ann.http.post(`/training-sessions/${sid}/submissions`, { problem: 'A' }), [
        { type: 'missing', loc: ['body', 'file'] },
        { type: 'missing', loc: ['body', 'problem'] },
      ]);
      const big = new Blob([new Uint8Array(200 * 1024)]);
      expectDetail(await ann.http.post(`/training-sessions/${sid}/submissions`, form({ file: big, problem: 'A' })), 413);
    });
    expect((await ann.http.get(`/training-sessions/${sid}/submissions/`)).json).toEqual({ count: 0, submissions: [] });
    expect((await ann.http.get(`/training-sessions/${sid}/submissions/problem/A`)).json).toEqual({ count: 0, submissions: [] });
    expectDetail(await ann.http.get(`/training-sessions/${sid}/submissions/problem/Z`), 404);
    expectDetail(await ann.http.get(`/training-sessions/${sid}/submissions/nope`), 404, 'Посылка не найдена');
  });

  it('complete: FINISHED, TRAINING_FINISHED (null) to the room; no running session left; POST start answers it FINISHED', async () => {
    const bus = roomFrames(gw);
    await refused(async () => {
      expectDetail(await eve.http.post(`/training-sessions/${sid}/complete`), 403);
      expectDetail(await ann.http.post(`/training-sessions/${crypto.randomUUID()}/complete`), 404);
    });
    const r = await bob.http.post(`/training-sessions/${sid}/complete`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: sid, status: 'FINISHED' });
    expectDetail(await bob.http.get(`/training-sessions/team/${teamId}/reconnect`), 404, 'Сессия не найдена');
    const again = await ann.http.post('/training-sessions', { team_id: teamId, contest_id: contest.id });
    expect(again.json).toEqual(r.json);
    await tick();
    bus.stop();
    expect(bus.of(`training:${sid}`)).toEqual([{ type: 'TRAINING_FINISHED', payload: null }]);
    expect(bus.of(`lobby:${teamId}`)).toEqual([
      { type: 'TRAINING_STARTED', payload: { id: sid, status: 'FINISHED', dtCreated: expect.stringMatching(PY_STR) } },
    ]);
    const zip = new FormData();
    zip.append('file', new Blob([new Uint8Array([1])]));
    zip.append('problem', 'A');
    await refused(async () => expectDetail(await ann.http.post(`/training-sessions/${sid}/submissions`, zip), 400, 'Тренировка завершена'));
  });
});

describe('HTTP edges', () => {
  it("another method on a known path is 405, an unknown path under the prefixes 404, FastAPI's words", async () => {
    const r = await ann.http.call('PUT', '/teams');
    expectDetail(r, 405, 'Method Not Allowed');
    expect(r.headers.get('allow')).toBe('GET, POST');
    expectDetail(await ann.http.get('/training-sessions/a/b/c/d/e'), 404, 'Not Found');
    expectDetail(await ann.http.get('/health/nothing'), 404, 'Not Found');
  });
});
