// The training frontend (icpc-trainer/icpc-frontend), replayed request by request against the
// gateway: its headers (axios: `Accept: application/json, text/plain, */*` and `Authorization:
// OAuth <token>`; RTK Query: the Authorization header alone), its JSON body text, its socket
// URLs and the Cookie header a browser on the gateway's host sends on a socket handshake. Each
// answer is checked as the frontend reads it (`.problems`, `.users`, `.contestId`, ...); the
// broken variants get FastAPI's error shapes and change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, trpc } from '../helpers/doors.js';
import { snapshot } from '../helpers/db.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { type HttpResult, readResult } from '../helpers/http.js';
import { connect, refusal, wsUrl, type Peer } from '../rooms/support.js';
import { TABLES, contestWithTasks, expectDetail, person, roomFrames, tick } from './support.js';

let gw: TestGateway;
let ann: Awaited<ReturnType<typeof person>>;
let bob: Awaited<ReturnType<typeof person>>;
let eve: Awaited<ReturnType<typeof person>>;
/** ann's session id (the other kind of gateway token the frontend may carry). */
let annSid: string;
let contest: { id: number; taskIds: number[] };
let teamId: number;
const open: Peer[] = [];

const AXIOS_ACCEPT = 'application/json, text/plain, */*';

async function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpResult> {
  return readResult(await fetch(gw.url + path, { method, headers, body }));
}

/** What the frontend's axios client (src/api/index.ts) sends. */
const axios = {
  get: (path: string, token: string) => send('GET', path, { accept: AXIOS_ACCEPT, authorization: `OAuth ${token}` }),
  post: (path: string, token: string, bodyText: string) =>
    send('POST', path, { accept: AXIOS_ACCEPT, 'content-type': 'application/json', authorization: `OAuth ${token}` }, bodyText),
};
/** What its RTK Query client (src/store/api/api.ts) sends. */
const rtk = (path: string, token: string) => send('GET', path, { authorization: `OAuth ${token}` });

/** The frontend's own body text: `JSON.stringify({ team_id: teamId, contest_id: contestId })`. */
const startBody = (team: unknown, contestId: unknown) => JSON.stringify({ team_id: team, contest_id: contestId });

async function refused(call: () => Promise<void>): Promise<void> {
  const before = await snapshot(gw.dbUrl, TABLES);
  const bus = roomFrames(gw);
  await call();
  await tick();
  bus.stop();
  expect(bus.frames).toEqual([]);
  expect(await snapshot(gw.dbUrl, TABLES)).toBe(before);
}

/** A socket opened as a browser opens it: no credential in the URL, the host's cookies in the handshake. */
async function browserSocket(path: string, params: Record<string, string>, cookie?: string): Promise<Peer> {
  const headers: Record<string, string> = { origin: gw.url, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0' };
  if (cookie !== undefined) headers.cookie = cookie;
  const p = await connect(wsUrl(gw.url, path, params), headers);
  open.push(p);
  return p;
}

beforeAll(async () => {
  gw = await startTestGateway();
  [ann, bob, eve] = [await person(gw, 'ann'), await person(gw, 'bob'), await person(gw, 'eve')];
  annSid = (await gw.services.sessions.create(ann.id, 'social')).id;
  contest = await contestWithTasks(gw, 'Autumn cup', [{ name: 'first' }, { name: 'second' }]);
  const team = await ann.http.post('/teams', { name: 'Owls', members: ['bob'] });
  expect(team.status, team.text).toBe(201);
  teamId = team.json.id;
});
afterAll(async () => {
  for (const p of open.splice(0)) p.ws.terminate();
  await gw?.stop();
});

describe('Authorization: OAuth <token> (the original scheme) with the gateway tokens', () => {
  it('signs in REST calls with a JWT or a session id, as axios and RTK Query send them', async () => {
    const viaJwt = await rtk('/user/me', ann.token);
    expect(viaJwt.status, viaJwt.text).toBe(200);
    expect(viaJwt.json).toMatchObject({ id: ann.id, login: 'ann' });
    const viaSession = await rtk('/user/me', annSid);
    expect(viaSession.text).toBe(viaJwt.text);
    const teams = await axios.get('/teams', annSid);
    expect(teams.status).toBe(200);
    expect(teams.json.map((t: { id: number }) => t.id)).toEqual([teamId]);
    // Scheme names are case-insensitive (RFC 9110); Bearer takes a session id as well now.
    expect((await send('GET', '/user/me', { authorization: `oauth ${ann.token}` })).status).toBe(200);
    expect((await send('GET', '/user/me', { authorization: `Bearer ${annSid}` })).status).toBe(200);
  });

  it("a token the gateway did not issue (a Yandex one) is 401; no header is FastAPI's 403", async () => {
    const yandex = await rtk('/user/me', 'y0_AgAAAABpKy-JAApD0QAAAADpWj8IYWEY5IXGQpW_y-_teZB4tQ-meUc');
    expect(yandex.text).toBe('{"detail":"Invalid authentication credentials"}');
    expect(yandex.status).toBe(401);
    expect((await rtk('/user/me', `${ann.token}x`)).status).toBe(401);
    expect((await rtk('/user/me', 'f'.repeat(32))).status).toBe(401);
    const none = await send('GET', '/user/me', { accept: AXIOS_ACCEPT });
    expect(none.status).toBe(403);
    expect(none.text).toBe('{"detail":"Not authenticated"}');
  });

  it('is read by the shared identity layer, so GraphQL and tRPC take it too', async () => {
    const oauth = { authorization: `OAuth ${ann.token}` };
    expect((await gql(gw.url, '{ me { username } }', {}, oauth)).data.me).toEqual({ username: 'ann' });
    expect(await trpc(gw.url, { authorization: `OAuth ${annSid}` }).training.teams.online.query({ teamId })).toEqual([]);
    expect((await gql(gw.url, '{ me { username } }', {}, { authorization: 'OAuth y0_nope' })).data.me).toBeNull();
  });
});

describe('the lobby: sockets with the browser cookie, /lobby/{team}/online and /selected-contest', () => {
  let lobbyAnn: Peer;
  let me: any;

  it("opens the lobby socket as the browser does: the frontend's access_token cookie among the host's others", async () => {
    me = (await rtk('/user/me', ann.token)).json;
    // Refused without any credential (sessions required: by design), as the unmodified frontend is.
    expect(await refusal(wsUrl(gw.url, '/ws/lobby', { team_id: String(teamId), user_id: me.id }), { origin: gw.url })).toBe(403);
    // The Cookie header a browser sends on the gateway's host: the frontend's own cookie
    // (`document.cookie = 'access_token=' + encodeURIComponent(token) + '; path=/'`) among others.
    lobbyAnn = await browserSocket(
      '/ws/lobby',
      { team_id: String(teamId), user_id: me.id },
      `_ym_uid=1692345678901; access_token=${encodeURIComponent(ann.token)}; theme=dark`,
    );
    expect(await lobbyAnn.next()).toBe(JSON.stringify({ type: 'USER_JOIN', payload: { userId: me.id } }));
    // A session id in that cookie works too, and so does a legacy session cookie.
    const lobbyBob = await browserSocket(
      '/ws/lobby',
      { team_id: String(teamId), user_id: bob.id },
      `sessionid=${(await gw.services.sessions.create(bob.id, 'social')).id}; access_token=stale`,
    );
    expect((await lobbyBob.json()).type).toBe('USER_JOIN');
    expect((await lobbyAnn.json()).payload).toEqual({ userId: bob.id });
    await lobbyBob.close();
    expect((await lobbyAnn.json()).type).toBe('USER_LEAVE');
    const bobSid = (await gw.services.sessions.create(bob.id, 'social')).id;
    const lobbyBob2 = await browserSocket('/ws/lobby', { team_id: String(teamId), user_id: bob.id }, `access_token=${bobSid}`);
    expect((await lobbyBob2.json()).type).toBe('USER_JOIN');
    await lobbyAnn.next();
    await lobbyBob2.close();
    await lobbyAnn.next();
  });

  it('refuses a cookie that names nobody, someone else, or a non-member; a bad token parameter is not retried with the cookie', async () => {
    const url = (user: string, extra: Record<string, string> = {}) =>
      wsUrl(gw.url, '/ws/lobby', { team_id: String(teamId), user_id: user, ...extra });
    const cookie = (token: string) => ({ origin: gw.url, cookie: `access_token=${token}` });
    expect(await refusal(url(ann.id), cookie('f'.repeat(32)))).toBe(403);
    expect(await refusal(url(ann.id), cookie(`${ann.token}x`))).toBe(403);
    expect(await refusal(url(ann.id), cookie(bob.token))).toBe(403);
    expect(await refusal(url(eve.id), cookie(eve.token))).toBe(403);
    expect(await refusal(url(ann.id, { token: 'f'.repeat(32) }), cookie(ann.token))).toBe(403);
    // REST does not read that cookie: the frontend sends its token as a header there.
    expect((await send('GET', '/user/me', { cookie: `access_token=${ann.token}` })).status).toBe(403);
  });

  it("refuses this host's cookies on a socket opened by another site's page (cross-site WebSocket hijacking)", async () => {
    // A lobby of its own: the other tests read the Owls' lobby frame by frame.
    const larks = (await ann.http.post('/teams', { name: 'Larks' })).json.id;
    const url = (extra: Record<string, string> = {}) => wsUrl(gw.url, '/ws/lobby', { team_id: String(larks), user_id: ann.id, ...extra });
    const sid = (await gw.services.sessions.create(ann.id, 'social')).id;
    for (const origin of ['https://evil.example', 'null', `${gw.url.replace('127.0.0.1', 'localhost')}`, 'not a url']) {
      expect(await refusal(url(), { origin, cookie: `access_token=${ann.token}` }), origin).toBe(403);
      expect(await refusal(url(), { origin, cookie: `sessionid=${sid}` }), origin).toBe(403);
    }
    // A credential a foreign page cannot borrow (the token parameter) counts from any origin.
    const p = await connect(url({ token: ann.token }), { origin: 'https://evil.example' });
    open.push(p);
    expect((await p.json()).type).toBe('USER_JOIN');
    await p.close();
  });

  it("GET /lobby/{team}/online is the lobby's online list (its USER frames); the frontend reads `.users`", async () => {
    expect((await axios.get(`/lobby/${teamId}/online`, ann.token)).text).toBe('{"users":[]}');
    // The frontend's socket sends USER with the /user/me object on open.
    lobbyAnn.send(JSON.stringify({ type: 'USER', payload: { user: me } }));
    expect(JSON.parse(await lobbyAnn.next())).toEqual({ type: 'USER', payload: { user: me } });
    const r = await axios.get(`/lobby/${teamId}/online`, annSid);
    expect(r.status, r.text).toBe(200);
    expect(r.json.users).toEqual([me]);
    expect((await axios.get(`/lobby/${teamId}/online`, bob.token)).json).toEqual(r.json);
    expect((await axios.get(`/teams/${teamId}/online`, bob.token)).json).toEqual(r.json);
  });

  it('GET /lobby/{team}/selected-contest is the last CONTEST_SELECTED contestId, as sent; null before any', async () => {
    expect((await axios.get(`/lobby/${teamId}/selected-contest`, ann.token)).text).toBe('{"contestId":null}');
    // The contest list's ids (GET /contests) go out in CONTEST_SELECTED as they came.
    const contests = (await rtk('/contests', ann.token)).json;
    expect(contests).toEqual([{ id: contest.id, name: 'Autumn cup' }]);
    lobbyAnn.send(JSON.stringify({ type: 'CONTEST_SELECTED', payload: { contestId: contests[0].id } }));
    await lobbyAnn.next();
    const r = await axios.get(`/lobby/${teamId}/selected-contest`, bob.token);
    expect(r.status, r.text).toBe(200);
    expect(r.json.contestId).toBe(contest.id);
    // The original's clients sent the string ids it listed: kept as strings.
    lobbyAnn.send(JSON.stringify({ type: 'CONTEST_SELECTED', payload: { contestId: String(contest.id) } }));
    await lobbyAnn.next();
    expect((await axios.get(`/lobby/${teamId}/selected-contest`, bob.token)).text).toBe(`{"contestId":"${contest.id}"}`);
    // Malformed selections are relayed but not kept.
    for (const payload of [{}, { contestId: null }, { contestId: { id: 1 } }, { contestId: 'x'.repeat(129) }]) {
      lobbyAnn.send(JSON.stringify({ type: 'CONTEST_SELECTED', payload }));
      await lobbyAnn.next();
    }
    expect((await axios.get(`/lobby/${teamId}/selected-contest`, bob.token)).json).toEqual({ contestId: String(contest.id) });
  });

  it("refuses others with the training API's answers; an unknown path under /lobby is FastAPI's JSON 404", async () => {
    await refused(async () => {
      for (const tail of ['online', 'selected-contest']) {
        expectDetail(await axios.get(`/lobby/${teamId}/${tail}`, eve.token), 403, 'Вы не состоите в этой команде');
        expectDetail(await axios.get(`/lobby/999999/${tail}`, ann.token), 404, 'Команда не найдена');
        expectDetail(await axios.get(`/lobby/abc/${tail}`, ann.token), 404, 'Команда не найдена');
        expect((await send('GET', `/lobby/${teamId}/${tail}`, { accept: AXIOS_ACCEPT })).text).toBe('{"detail":"Not authenticated"}');
        const post = await axios.post(`/lobby/${teamId}/${tail}`, ann.token, '{}');
        expectDetail(post, 405, 'Method Not Allowed');
        expect(post.headers.get('allow')).toBe('GET');
      }
      for (const path of [`/lobby/${teamId}/nothing`, `/lobby/${teamId}`, '/lobby/', `/lobby/${teamId}/online/more`]) {
        const r = await axios.get(path, ann.token);
        expect(r.status, path).toBe(404);
        expect(r.headers.get('content-type')).toMatch(/^application\/json/);
        expect(r.text).toBe('{"detail":"Not Found"}');
      }
    });
  });
});

describe('POST /training-sessions with the body the frontend sends', () => {
  let sid: string;

  it('`{"team_id": "<id>", "contest_id": "<id>"}` (strings, as the original declared them) starts the session: 201, TRAINING_STARTED to the lobby', async () => {
    const lobby = await browserSocket('/ws/lobby', { team_id: String(teamId), user_id: ann.id }, `access_token=${ann.token}`);
    await lobby.until('USER_JOIN');
    const r = await axios.post('/training-sessions', ann.token, startBody(String(teamId), String(contest.id)));
    expect(r.status, r.text).toBe(201);
    expect(Object.keys(r.json)).toEqual(['id', 'status', 'dt_created']);
    expect(r.json.status).toBe('IN_PROCESS');
    sid = r.json.id;
    // The frontend's lobby navigates on TRAINING_STARTED's id.
    const started = (await lobby.until('TRAINING_STARTED')).frame;
    expect(started.payload).toMatchObject({ id: sid, status: 'IN_PROCESS' });
    // Today's frontend on this gateway sends the contest id as GET /contests listed it (an integer).
    const mixed = await axios.post('/training-sessions', bob.token, startBody(String(teamId), contest.id));
    expect(mixed.status).toBe(201);
    expect(mixed.json).toEqual(r.json);
    expect((await lobby.until('TRAINING_STARTED')).frame.payload.id).toBe(sid);
    await lobby.close();
  });

  it("what the original's model refused is a 422 in pydantic v2's shape; ids that name nothing are the lookup's 404; nothing stored or sent", async () => {
    const team = String(teamId);
    const c = String(contest.id);
    await refused(async () => {
      const missing = await axios.post('/training-sessions', ann.token, JSON.stringify({ team_id: team }));
      expect(missing.status).toBe(422);
      expect(missing.text).toBe(`{"detail":[{"type":"missing","loc":["body","contest_id"],"msg":"Field required","input":{"team_id":"${team}"}}]}`);
      const list = await axios.post('/training-sessions', ann.token, `{"team_id": ["${team}"], "contest_id": "${c}"}`);
      expect(list.status).toBe(422);
      expect(list.text).toBe(
        `{"detail":[{"type":"string_type","loc":["body","team_id"],"msg":"Input should be a valid string","input":["${team}"]}]}`,
      );
      const wrong = await axios.post('/training-sessions', ann.token, '{"team_id": null, "contest_id": 1.5}');
      expect(wrong.json).toEqual({
        detail: [
          { type: 'string_type', loc: ['body', 'team_id'], msg: 'Input should be a valid string', input: null },
          { type: 'string_type', loc: ['body', 'contest_id'], msg: 'Input should be a valid string', input: 1.5 },
        ],
      });
      expect((await axios.post('/training-sessions', ann.token, '{"team_id": true, "contest_id": {}}')).json.detail.map((e: any) => e.type)).toEqual([
        'string_type',
        'string_type',
      ]);
      const both = await axios.post('/training-sessions', ann.token, '{}');
      expect(both.json.detail.map((e: any) => [e.type, e.loc])).toEqual([
        ['missing', ['body', 'team_id']],
        ['missing', ['body', 'contest_id']],
      ]);
      const array = await axios.post('/training-sessions', ann.token, `[${team}, ${c}]`);
      expect(array.json.detail).toEqual([
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: [teamId, contest.id],
        },
      ]);
      const bad = await axios.post('/training-sessions', ann.token, '{"team_id": "3",');
      expect(bad.status).toBe(422);
      expect(bad.json.detail[0]).toMatchObject({ type: 'json_invalid', msg: 'JSON decode error' });
      const empty = await axios.post('/training-sessions', ann.token, '');
      expect(empty.text).toBe('{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}');
      // A body that is not JSON by its type (a cross-site form's text/plain) is not read as JSON, as FastAPI.
      const plain = await send(
        'POST',
        '/training-sessions',
        { 'content-type': 'text/plain', authorization: `OAuth ${ann.token}` },
        startBody(team, c),
      );
      expect(plain.json).toEqual({
        detail: [
          {
            type: 'model_attributes_type',
            loc: ['body'],
            msg: 'Input should be a valid dictionary or object to extract fields from',
            input: startBody(team, c),
          },
        ],
      });
      // Text that names no contest or team: the original looked it up and answered 404.
      expectDetail(await axios.post('/training-sessions', ann.token, startBody(team, 'abc')), 404, 'Контест не найден');
      expectDetail(await axios.post('/training-sessions', ann.token, startBody('abc', c)), 404, 'Команда не найдена');
      expectDetail(await axios.post('/training-sessions', ann.token, startBody(team, '999999')), 404, 'Контест не найден');
      expectDetail(await axios.post('/training-sessions', ann.token, startBody('999999', c)), 404, 'Команда не найдена');
      expectDetail(await axios.post('/training-sessions', ann.token, startBody('', '')), 404, 'Контест не найден');
      expectDetail(await axios.post('/training-sessions', ann.token, startBody(team, 0)), 404, 'Контест не найден');
      // Wrong member, no credential.
      expectDetail(await axios.post('/training-sessions', eve.token, startBody(team, c)), 403, 'Вы не состоите в этой команде');
      const anon = await send('POST', '/training-sessions', { 'content-type': 'application/json' }, startBody(team, c));
      expect(anon.text).toBe('{"detail":"Not authenticated"}');
    });
  });

  it('GET /contests/{sid}/problems answers {"problems": [...]}: the frontend reads `.problems`', async () => {
    const r = await axios.get(`/contests/${sid}/problems`, ann.token);
    expect(r.status, r.text).toBe(200);
    expect(Object.keys(r.json)).toEqual(['problems']);
    const problems = r.json.problems;
    expect(problems.map((p: any) => [p.alias, p.name, p.status, p.attempts, p.assignedUser])).toEqual([
      ['A', 'first', 'NOT_STARTED', 0, null],
      ['B', 'second', 'NOT_STARTED', 0, null],
    ]);
    // The same list on the other doors.
    const state = await trpc(gw.url, { authorization: `OAuth ${ann.token}` }).training.sessions.state.query({ id: sid });
    expect(state.problems.map((p) => p.alias)).toEqual(['A', 'B']);
    await refused(async () => {
      expectDetail(await axios.get(`/contests/${sid}/problems`, eve.token), 403);
      expectDetail(await axios.get(`/contests/${crypto.randomUUID()}/problems`, ann.token), 404, 'Сессия не найдена');
      const notUuid = await axios.get('/contests/abc/problems', ann.token);
      expect(notUuid.status).toBe(422);
      expect(notUuid.json.detail[0]).toMatchObject({ type: 'uuid_parsing', loc: ['path', 'sid'] });
    });
  });

  it('the training socket takes the same browser cookie', async () => {
    const room = await browserSocket(
      '/ws/training',
      { training_session_id: sid, user_id: ann.id },
      `theme=dark; access_token=${encodeURIComponent(ann.token)}`,
    );
    expect(await room.json()).toEqual({ type: 'USER_JOIN', payload: { userId: ann.id } });
    await room.close();
    expect(
      await refusal(wsUrl(gw.url, '/ws/training', { training_session_id: sid, user_id: eve.id }), {
        origin: gw.url,
        cookie: `access_token=${eve.token}`,
      }),
    ).toBe(403);
  });
});

describe('GET /contests/{contest_id}', () => {
  it('answers the contest as the contests model holds it, the same as GraphQL `contest` and tRPC `contests.get`', async () => {
    const r = await axios.get(`/contests/${contest.id}`, ann.token);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({
      id: contest.id,
      name: 'Autumn cup',
      tasks: contest.taskIds.map((id, i) => ({ id, contestId: contest.id, name: ['first', 'second'][i], datasetId: null, scorePrecision: 0 })),
    });
    const g = await gql(
      gw.url,
      'query($id: Int!) { contest(id: $id) { id name tasks { id contestId name datasetId scorePrecision } } }',
      { id: contest.id },
      { authorization: `OAuth ${ann.token}` },
    );
    expect(g.data.contest).toEqual(r.json);
    expect(await trpc(gw.url, { authorization: `Bearer ${ann.token}` }).contests.get.query({ id: contest.id })).toEqual(r.json);
  });

  it('an unknown contest is 404, a path that is no int 422 (`contest_id: int`), no credential 403, another method 405', async () => {
    await refused(async () => {
      expectDetail(await axios.get('/contests/999999', ann.token), 404, 'Контест не найден');
      const text = await axios.get('/contests/abc', ann.token);
      expect(text.text).toBe(
        '{"detail":[{"type":"int_parsing","loc":["path","contest_id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]}',
      );
      expect((await send('GET', `/contests/${contest.id}`, {})).text).toBe('{"detail":"Not authenticated"}');
      expectDetail(await axios.post(`/contests/${contest.id}`, ann.token, '{}'), 405, 'Method Not Allowed');
    });
  });
});
