// Spec 001's lobby and training sockets on one gateway, with real `ws` clients: handshakes,
// every message kind, each error path and close code, the limit, persistence read back.
import { consoleLogger } from '../../src/observe/logger.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startGateway } from '../../src/node/gateway.js';
import { publishRoomFrame } from '../../src/bus/room-frames.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { gql, trpc } from '../helpers/doors.js';
import {
  LIMIT_REASON,
  flood,
  stall,
  connect,
  contestFixture,
  peers,
  refusal,
  startSession,
  teamFixture,
  waitFor,
  wsUrl,
  type Peer,
  type Team,
} from './support.js';

let gw: TestGateway;
let t: Team;
const { open, join, joined, closeAll: closePeers } = peers();

beforeAll(async () => {
  gw = await startTestGateway();
  t = await teamFixture(gw);
});
afterAll(async () => {
  closePeers();
  await gw?.stop();
});

type Who = keyof Team['users'];
const lobbyUrl = (who: Who, extra: Record<string, string> = {}) =>
  wsUrl(gw.url, '/ws/lobby', { team_id: String(t.teamId), user_id: t.users[who].id, token: t.tokens[who], ...extra });
const trainingUrl = (who: Who, extra: Record<string, string> = {}, sid = t.sid) =>
  wsUrl(gw.url, '/ws/training', { training_session_id: sid, user_id: t.users[who].id, token: t.tokens[who], ...extra });

async function closeAll(...peers: Peer[]) {
  await Promise.all(peers.map((p) => p.close()));
}

describe('handshake', () => {
  it('bad or missing parameters refuse the upgrade (403: FastAPI closed 1008 before accepting)', async () => {
    const u = t.users.ann.id;
    const tok = t.tokens.ann;
    const cases: Array<[string, Record<string, string>]> = [
      ['/ws/lobby', { user_id: u, token: tok }],
      ['/ws/lobby', { team_id: String(t.teamId), token: tok }],
      ['/ws/lobby', { team_id: '', user_id: u, token: tok }],
      ['/ws/lobby', { team_id: String(t.teamId), user_id: '', token: tok }],
      ['/ws/training', { user_id: u, token: tok }],
      ['/ws/training', { training_session_id: 'not-a-uuid', user_id: u, token: tok }],
      ['/ws/training', { training_session_id: `${t.sid}0`, user_id: u, token: tok }],
      ['/ws/training', { training_session_id: t.sid, token: tok }],
    ];
    for (const [path, params] of cases) expect(await refusal(wsUrl(gw.url, path, params)), `${path} ${JSON.stringify(params)}`).toBe(403);
  });

  it("needs a session whose user is user_id and a member of the team / the session's team", async () => {
    const teamId = String(t.teamId);
    // No session at all; a bad token; someone else's session; a session of a non-member.
    expect(await refusal(wsUrl(gw.url, '/ws/lobby', { team_id: teamId, user_id: t.users.ann.id }))).toBe(403);
    expect(await refusal(wsUrl(gw.url, '/ws/lobby', { team_id: teamId, user_id: t.users.ann.id, token: 'f'.repeat(32) }))).toBe(403);
    expect(await refusal(wsUrl(gw.url, '/ws/lobby', { team_id: teamId, user_id: t.users.ann.id, token: t.tokens.bob }))).toBe(403);
    expect(await refusal(lobbyUrl('eve'))).toBe(403);
    expect(await refusal(trainingUrl('eve'))).toBe(403);
    // A team or session that does not exist.
    expect(await refusal(lobbyUrl('ann', { team_id: '999999' }))).toBe(403);
    expect(await refusal(trainingUrl('ann', {}, crypto.randomUUID()))).toBe(403);
  });

  it('takes the session as a token (session id or JWT), a legacy cookie or a bearer header', async () => {
    const jwt = await gw.services.tokens.sign(t.users.bob.id);
    const viaJwt = await joined(lobbyUrl('bob', { token: jwt }));
    const base = wsUrl(gw.url, '/ws/lobby', { team_id: String(t.teamId), user_id: t.users.cat.id });
    const viaCookie = await connect(base, { cookie: `sessionid=${t.tokens.cat}` });
    open.push(viaCookie);
    expect(await viaCookie.json()).toEqual({ type: 'USER_JOIN', payload: { userId: t.users.cat.id } });
    const dan = wsUrl(gw.url, '/ws/lobby', { team_id: String(t.teamId), user_id: t.users.dan.id });
    expect(await refusal(dan, { authorization: `Bearer ${jwt}` })).toBe(403); // bob's token, dan's user_id
    await closeAll(viaJwt, viaCookie);
  });

  it("a plain GET on a socket path is FastAPI's 404", async () => {
    const res = await fetch(`${gw.url}/ws/lobby?team_id=1&user_id=1`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: 'Not Found' });
  });
});

describe('a training room', () => {
  it('USER_JOIN with userId as a string to the whole room, the joiner included', async () => {
    const ann = await join(trainingUrl('ann'));
    expect(await ann.next()).toBe(JSON.stringify({ type: 'USER_JOIN', payload: { userId: t.users.ann.id } }));
    const bob = await join(trainingUrl('bob'));
    const bobJoin = { type: 'USER_JOIN', payload: { userId: t.users.bob.id } };
    expect(await ann.json()).toEqual(bobJoin);
    expect(await bob.json()).toEqual(bobJoin);
    await closeAll(ann, bob);
  });

  it('relays every well-formed frame verbatim to every socket, the sender included, in one order', async () => {
    const ann = await joined(trainingUrl('ann'));
    const bob = await joined(trainingUrl('bob'));
    await ann.next(); // bob's join
    const frames = [
      '{"type":"CODE_EDITOR_UPDATE","payload":{"code":"print(\'hello\')","problemAlias":"A"}}',
      '{ "type" : "CONTROL_TAKEN",\n "payload": {"userId": "823768129"} }',
      JSON.stringify({ type: 'USER', payload: { user: { id: t.users.ann.id, login: 'ann', name: 'Анна' } } }),
      JSON.stringify({ type: 'PROBLEM_ASSIGNED', payload: { user: { id: t.users.bob.id }, problemAlias: 'B' } }),
      // Types the server sends, and types only newer clients know: relayed all the same.
      '{"type":"TRAINING_FINISHED","payload":null}',
      '{"type":"SUBMISSION_VERDICT_RETRIEVED","payload":{"id":"1","verdict":"OK"}}',
      '{"type":"COMPILER_SELECTED","payload":{"compiler":"python3"},"extra":1}',
      '{"type":"PING"}',
    ];
    // Alternate senders; each frame is sent once the previous one came back, so there is one
    // order to check.
    for (const [i, f] of frames.entries()) {
      (i % 2 ? bob : ann).send(f);
      expect(await ann.next()).toBe(f);
      expect(await bob.next()).toBe(f);
    }
    // Sent back to back from both sockets: both sockets see the same interleaving.
    for (let i = 0; i < 50; i++) {
      ann.send({ type: 'N', payload: { from: 'ann', i } });
      bob.send({ type: 'N', payload: { from: 'bob', i } });
    }
    const seenA: string[] = [];
    const seenB: string[] = [];
    for (let i = 0; i < 100; i++) seenA.push(await ann.next());
    for (let i = 0; i < 100; i++) seenB.push(await bob.next());
    expect(seenB).toEqual(seenA);
    // Each sender's frames keep their order.
    const order = (from: string) =>
      seenA
        .map((s) => JSON.parse(s).payload)
        .filter((p) => p.from === from)
        .map((p) => p.i);
    expect(order('ann')).toEqual([...Array(50).keys()]);
    expect(order('bob')).toEqual([...Array(50).keys()]);
    await closeAll(ann, bob);
  });

  it('persists the four listened types before relaying them, readable at once over REST, GraphQL and tRPC', async () => {
    const rest = async (path: string) => {
      const res = await fetch(`${gw.url}${path}`, { headers: { cookie: `sessionid=${t.tokens.bob}` } });
      expect(res.status, path).toBe(200);
      return res.json() as Promise<any>;
    };
    const ann = await joined(trainingUrl('ann'));
    // Each read right after the frame came back: stored before it was relayed.
    ann.send({ type: 'CODE_EDITOR_UPDATE', payload: { code: "print('hello')", problemAlias: 'A' } });
    await ann.next();
    expect(await rest(`/training-sessions/${t.sid}/code/A`)).toEqual({ code: "print('hello')" });
    ann.send({ type: 'CONTROL_TAKEN', payload: { userId: '823768129' } });
    await ann.next();
    expect(await rest(`/training-sessions/${t.sid}/control/current`)).toEqual({ userId: '823768129' });
    ann.send({ type: 'PROBLEM_ASSIGNED', payload: { user: { id: 'u-7', login: 'bob' }, problemAlias: 'B' } });
    await ann.next();
    const { problems } = await rest(`/contests/${t.sid}/problems`);
    expect(problems.find((p: any) => p.alias === 'B').assignedUser).toEqual({ id: 'u-7', login: 'bob' });
    const annUser = { id: t.users.ann.id, login: 'ann' };
    ann.send({ type: 'USER', payload: { user: annUser } });
    await ann.next();
    expect(await rest(`/training-sessions/${t.sid}/online`)).toEqual({ users: [annUser] });
    // Extra keys beside type and payload: relayed, not stored (the original stored only that shape).
    ann.send({ type: 'CODE_EDITOR_UPDATE', payload: { code: 'y = 2', problemAlias: 'A' }, v: 2 });
    await ann.next();
    expect(await rest(`/training-sessions/${t.sid}/code/A`)).toEqual({ code: "print('hello')" });

    // The same state through GraphQL and tRPC.
    const jwt = await gw.services.tokens.sign(t.users.bob.id);
    const g = await gql(
      gw.url,
      'query ($id: ID!) { trainingSession(id: $id) { controller online problems { alias code assignedUser } } }',
      { id: t.sid },
      { authorization: `Bearer ${jwt}` },
    );
    expect(g.errors).toBeUndefined();
    expect(g.data.trainingSession.controller).toBe('823768129');
    expect(g.data.trainingSession.online.map((u: string) => JSON.parse(u))).toEqual([annUser]);
    expect(g.data.trainingSession.problems.find((p: any) => p.alias === 'A').code).toBe("print('hello')");
    expect(JSON.parse(g.data.trainingSession.problems.find((p: any) => p.alias === 'B').assignedUser)).toEqual({ id: 'u-7', login: 'bob' });
    const state = await trpc(gw.url, { authorization: `Bearer ${jwt}` }).training.sessions.state.query({ id: t.sid });
    expect(state.controller).toBe('823768129');
    expect(state.online).toEqual([annUser]);
    expect(state.problems.find((p) => p.alias === 'A')!.code).toBe("print('hello')");

    // Closing drops the user from the online list.
    await ann.close();
    await waitFor('ann to leave the online list', async () => (await rest(`/training-sessions/${t.sid}/online`)).users.length === 0);
  });

  it('REST sends TRAINING_STARTED to the lobby (start) and TRAINING_FINISHED to the training room (complete)', async () => {
    const lobby = await joined(lobbyUrl('bob'));
    const contest = await contestFixture(gw, `Cup ${crypto.randomUUID()}`);
    const sid = await startSession(gw.url, t.tokens.ann, t.teamId, contest);
    const started = await lobby.json();
    expect(started).toEqual({ type: 'TRAINING_STARTED', payload: { id: sid, status: 'IN_PROCESS', dtCreated: expect.any(String) } });
    // Python's str(datetime) of an aware UTC time, as the original sent it.
    expect(started.payload.dtCreated).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    const room = await joined(trainingUrl('cat', {}, sid));
    const done = await fetch(`${gw.url}/training-sessions/${sid}/complete`, { method: 'POST', headers: { cookie: `sessionid=${t.tokens.cat}` } });
    expect(done.status).toBe(200);
    expect(await room.next()).toBe('{"type":"TRAINING_FINISHED","payload":null}');
    // Started again: the lobby hears it again, FINISHED now (the original re-sent it).
    await startSession(gw.url, t.tokens.ann, t.teamId, contest);
    expect((await lobby.json()).payload).toMatchObject({ id: sid, status: 'FINISHED' });
    await closeAll(lobby, room);
  });

  it('drops invalid JSON and anything not a {type} object without a reply, and keeps the socket', async () => {
    const ann = await joined(trainingUrl('ann'));
    for (const bad of ['not json', '{"type":', '[1,2]', '"USER"', '42', 'null', '{"payload":{}}', '{"type":5,"payload":{}}', '']) ann.send(bad);
    ann.send('{"type":"AFTER","payload":1}');
    expect(await ann.next()).toBe('{"type":"AFTER","payload":1}');
    expect(ann.inbox).toEqual([]);
    await ann.close();
  });

  it("the same room whatever the UUID's case; lobby and training rooms never collide", async () => {
    const lower = await joined(trainingUrl('ann'));
    const upper = await join(trainingUrl('bob', {}, t.sid.toUpperCase()));
    expect((await lower.json()).payload.userId).toBe(t.users.bob.id);
    await upper.next();
    upper.send({ type: 'HI', payload: 1 });
    expect(await lower.json()).toEqual({ type: 'HI', payload: 1 });
    await upper.next();
    const lobby = await joined(lobbyUrl('cat'));
    lower.send({ type: 'ONLY_TRAINING', payload: null });
    await lower.next();
    await lobby.silent(200);
    await closeAll(lower, upper, lobby);
  });

  it('server frames on the bus (rooms.frame) reach every socket of the room', async () => {
    const ann = await joined(trainingUrl('ann'));
    const lobby = await joined(lobbyUrl('bob'));
    await publishRoomFrame(gw.services.deps, `training:${t.sid}`, { type: 'TRAINING_FINISHED', payload: null });
    expect(await ann.next()).toBe('{"type":"TRAINING_FINISHED","payload":null}');
    const started = { id: t.sid, status: 'IN_PROCESS', dtCreated: '2023-08-17 17:50:09.378486+00:00' };
    await publishRoomFrame(gw.services.deps, `lobby:${t.teamId}`, { type: 'TRAINING_STARTED', payload: started });
    expect(await lobby.json()).toEqual({ type: 'TRAINING_STARTED', payload: started });
    await ann.silent(100);
    await closeAll(ann, lobby);
  });
});

describe('limits and close codes', () => {
  it('a 4th socket is accepted, then closed 1008 with the reason; nothing is broadcast', async () => {
    const ann = await joined(trainingUrl('ann'));
    const bob = await joined(trainingUrl('bob'));
    const cat = await joined(trainingUrl('cat'));
    await ann.next();
    await ann.next();
    await bob.next();
    const dan = await join(trainingUrl('dan')); // accepted: the upgrade succeeded
    expect(await dan.closed).toEqual({ code: 1008, reason: LIMIT_REASON });
    expect(dan.inbox).toEqual([]);
    // The same user again counts too: sockets, not users.
    const ann2 = await join(trainingUrl('ann'));
    expect((await ann2.closed).code).toBe(1008);
    await Promise.all([ann.silent(200), bob.silent(0), cat.silent(0)]);

    // One leaves: USER_LEAVE to the others, and its slot is free again.
    await cat.close();
    const leave = { type: 'USER_LEAVE', payload: { userId: t.users.cat.id } };
    expect(await ann.json()).toEqual(leave);
    expect(await bob.json()).toEqual(leave);
    const dan2 = await joined(trainingUrl('dan'));
    expect((await ann.json()).payload.userId).toBe(t.users.dan.id);
    await closeAll(ann, bob, dan2);
  });

  it('a binary frame closes the socket with 1003, announced and its slot freed', async () => {
    const ann = await joined(trainingUrl('ann'));
    const bob = await joined(trainingUrl('bob'));
    await ann.next();
    bob.send(Buffer.from([1, 2, 3]));
    expect((await bob.closed).code).toBe(1003);
    expect(await ann.json()).toEqual({ type: 'USER_LEAVE', payload: { userId: t.users.bob.id } });
    expect(ann.inbox).toEqual([]); // the binary frame itself went nowhere
    const ps = [await joined(trainingUrl('bob')), await joined(trainingUrl('cat'))];
    await closeAll(ann, ...ps);
  });

  it('a frame over 1 MiB closes the socket with 1009, announced and its slot freed', async () => {
    const ann = await joined(lobbyUrl('ann'));
    const bob = await joined(lobbyUrl('bob'));
    await ann.next();
    bob.send(JSON.stringify({ type: 'CODE_EDITOR_UPDATE', payload: { code: 'x'.repeat(1024 * 1024), problemAlias: 'A' } }));
    expect((await bob.closed).code).toBe(1009);
    expect(await ann.json()).toEqual({ type: 'USER_LEAVE', payload: { userId: t.users.bob.id } });
    // Just under the limit still goes through.
    const big = JSON.stringify({ type: 'BIG', payload: 'y'.repeat(1024 * 1024 - 100) });
    ann.send(big);
    expect(await ann.next()).toBe(big);
    const ps = [await joined(lobbyUrl('bob')), await joined(lobbyUrl('cat'))];
    await closeAll(ann, ...ps);
  });

  it('a socket that stops reading is dropped (1013) once 16 MiB pile up for it, not buffered without end', async () => {
    const ann = await joined(lobbyUrl('ann'));
    const bob = await joined(lobbyUrl('bob'));
    await ann.next();
    const resume = stall(bob); // bob reads nothing more
    flood(ann);
    const { skipped } = await ann.until('USER_LEAVE', 20_000);
    expect(skipped.every((f) => f.type === 'BULK')).toBe(true);
    resume();
    expect((await bob.closed).code).toBe(1013);
    await ann.close();
  });

  it('shutting the gateway down closes sockets with 1001 after announcing them', async () => {
    const other = await startTestGateway();
    const o = await teamFixture(other);
    const url = (who: Who) => wsUrl(other.url, '/ws/training', { training_session_id: o.sid, user_id: o.users[who].id, token: o.tokens[who] });
    const ann = await connect(url('ann'));
    await ann.next();
    ann.send({ type: 'USER', payload: { user: { id: o.users.ann.id } } });
    await ann.next();
    await other.stop();
    expect((await ann.closed).code).toBe(1001);
  });
});

describe('a lobby', () => {
  it("keeps USER in the team's online list; closing removes it", async () => {
    const ann = await joined(lobbyUrl('ann'));
    const user = { id: t.users.ann.id, login: 'ann', first_name: 'Ann' };
    ann.send({ type: 'USER', payload: { user } });
    await ann.next();
    const online = async () =>
      (await (await fetch(`${gw.url}/teams/${t.teamId}/online`, { headers: { cookie: `sessionid=${t.tokens.dan}` } })).json()) as {
        users: unknown[];
      };
    expect(await online()).toEqual({ users: [user] });
    await ann.close();
    await waitFor('the online list to empty', async () => (await online()).users.length === 0);
  });
});

describe('configuration', () => {
  it('ROOM_MAX_CONNECTIONS and ROOMS_TRUST_USER_ID: defaults, and bad values named at start', () => {
    const c = loadConfig({});
    expect(c.ROOM_MAX_CONNECTIONS).toBe(3);
    expect(c.ROOMS_TRUST_USER_ID).toBe('0');
    expect(() => loadConfig({ ROOM_MAX_CONNECTIONS: '0' })).toThrow(/^Invalid configuration: ROOM_MAX_CONNECTIONS:/);
    expect(() => loadConfig({ ROOM_MAX_CONNECTIONS: 'many' })).toThrow(ConfigError);
    expect(() => loadConfig({ ROOMS_TRUST_USER_ID: 'yes' })).toThrow(/^Invalid configuration: ROOMS_TRUST_USER_ID:/);
  });

  it('ROOM_MAX_CONNECTIONS sets the limit', async () => {
    const small = await startTestGateway({ ROOM_MAX_CONNECTIONS: '1', ROOMS_TRUST_USER_ID: '1' });
    try {
      const url = (u: string) => wsUrl(small.url, '/ws/lobby', { team_id: '5', user_id: u });
      const first = await connect(url('1'));
      await first.next();
      const second = await connect(url('2'));
      expect(await second.closed).toEqual({ code: 1008, reason: LIMIT_REASON });
      await first.close();
    } finally {
      await small.stop();
    }
  });
});

describe('ROOMS_TRUST_USER_ID=1 (legacy mode)', () => {
  it('says so in the log at start', async () => {
    const dir = await mkdtemp(joinPath(tmpdir(), 'arena-rooms-'));
    const lines: string[] = [];
    const node = await startGateway(
      loadConfig({
        PORT: '0',
        DATABASE_URL: `file:${joinPath(dir, 'a.db')}`,
        BLOB_DIR: joinPath(dir, 'blobs'),
        ROOT_PASSWORD: 'pw',
        ROOMS_TRUST_USER_ID: '1',
      }),
      { log: consoleLogger('info', {}, (l) => lines.push(JSON.parse(l).msg)) },
    );
    await node.close();
    await rm(dir, { recursive: true, force: true });
    expect(lines.filter((l) => l.includes('ROOMS_TRUST_USER_ID=1'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('ROOMS_TRUST_USER_ID=1'))).toMatch(/^WARNING: .*trust the user_id/);
  });

  it('trusts user_id without a session; team_id is any string; kinds still never collide', async () => {
    const legacy = await startTestGateway({ ROOMS_TRUST_USER_ID: '1' });
    try {
      const a = await connect(wsUrl(legacy.url, '/ws/lobby', { team_id: '12', user_id: '1' }));
      expect(await a.next()).toBe('{"type":"USER_JOIN","payload":{"userId":"1"}}');
      const sid = crypto.randomUUID();
      const lobbyWithUuid = await connect(wsUrl(legacy.url, '/ws/lobby', { team_id: sid, user_id: '2' }));
      await lobbyWithUuid.next();
      const training = await connect(wsUrl(legacy.url, '/ws/training', { training_session_id: sid, user_id: '3' }));
      expect(await training.json()).toEqual({ type: 'USER_JOIN', payload: { userId: '3' } });
      await lobbyWithUuid.silent(200);
      expect(await refusal(wsUrl(legacy.url, '/ws/training', { training_session_id: 'nope', user_id: '3' }))).toBe(403);
      await Promise.all([a.close(), lobbyWithUuid.close(), training.close()]);
    } finally {
      await legacy.stop();
    }
  });
});
