// The room sockets at the edge: every kind in its Durable Object (edge/room-object.ts) under
// workerd, on sqld, replayed with real `ws` clients as the Node tests replay them: the same
// handshakes, frames, close codes and limits; server frames from services; an old judge worker
// on /api/websocket; and a room whose object is evicted (hibernation) between frames.
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { type Fetcher, gqlSubscribe } from '../helpers/doors.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { archive, type JudgeFixture, judgeFixture, waitFor as waitLong } from '../judge-service/support.js';
import { connectRaw, workerLogin } from '../judge-service/old-worker.js';
import {
  DISPLAY,
  errorText,
  eventFixture,
  joinedFrame,
  karma,
  leftFrame,
  okText,
  open as openMarking,
  people,
  prepare,
  type Path,
  type Person,
} from '../rooms/marking-support.js';
import {
  LIMIT_REASON,
  type Peer,
  type Team,
  connect,
  contestFixture,
  peers,
  refusal,
  startSession,
  teamFixture,
  waitFor,
  wsUrl,
} from '../rooms/support.js';
import { buildEdge, type Edge, JWT_SECRET } from './support.js';

let edge: Edge;
let fixtures: TestGateway;
let base: string;
let t: Team;
let fx: JudgeFixture;
/** Every line the Worker and its objects logged. */
const logged: string[] = [];
const { open, join, joined, closeAll } = peers();

beforeAll(async () => {
  edge = await buildEdge();
  // A Node gateway on the same sqld makes the fixtures (users, teams, events); the Worker serves every request.
  fixtures = await startTestGateway({ DATABASE_URL: edge.sqld.url, JWT_SECRET });
  const collect = (stream: Readable) => stream.on('data', (chunk: Buffer) => logged.push(...String(chunk).split('\n').filter(Boolean)));
  const worker = await edge.start(
    { DATABASE_URL: edge.sqld.url, JWT_SECRET },
    {
      handleRuntimeStdio(stdout: Readable, stderr: Readable) {
        collect(stdout);
        collect(stderr);
      },
    },
  );
  base = worker.url;
  t = await teamFixture({ ...fixtures, url: base });
  fx = await judgeFixture({ url: base });
}, 120_000);
afterAll(async () => {
  closeAll();
  await fixtures?.stop();
  await edge?.stop();
});

type Who = keyof Team['users'];
const lobbyUrl = (who: Who, extra: Record<string, string> = {}) =>
  wsUrl(base, '/ws/lobby', { team_id: String(t.teamId), user_id: t.users[who].id, token: t.tokens[who], ...extra });
const trainingUrl = (who: Who, sid = t.sid) =>
  wsUrl(base, '/ws/training', { training_session_id: sid, user_id: t.users[who].id, token: t.tokens[who] });
const leave = (who: Who) => ({ type: 'USER_LEAVE', payload: { userId: t.users[who].id } });
const closeEach = (...ps: Peer[]) => Promise.all(ps.map((p) => p.close()));

describe('the training sockets in their room objects', () => {
  it('refuses bad handshakes as on Node: 403 before the upgrade, a plain GET is FastAPI 404', async () => {
    expect(await refusal(wsUrl(base, '/ws/lobby', { user_id: t.users.ann.id, token: t.tokens.ann }))).toBe(403);
    expect(await refusal(wsUrl(base, '/ws/training', { training_session_id: 'not-a-uuid', user_id: t.users.ann.id, token: t.tokens.ann }))).toBe(403);
    expect(await refusal(lobbyUrl('ann', { token: t.tokens.bob }))).toBe(403);
    expect(await refusal(lobbyUrl('eve'))).toBe(403);
    const plain = await fetch(`${base}/ws/lobby?team_id=1&user_id=1`);
    expect([plain.status, await plain.json()]).toEqual([404, { detail: 'Not Found' }]);
  });

  it('USER_JOIN to the whole room, frames relayed verbatim to every socket in one order, USER_LEAVE to the others', async () => {
    const ann = await join(trainingUrl('ann'));
    expect(await ann.next()).toBe(JSON.stringify({ type: 'USER_JOIN', payload: { userId: t.users.ann.id } }));
    // The same room whatever the UUID's case.
    const bob = await joined(trainingUrl('bob', t.sid.toUpperCase()));
    expect(await ann.json()).toEqual({ type: 'USER_JOIN', payload: { userId: t.users.bob.id } });
    const frames = [
      '{"type":"CODE_EDITOR_UPDATE","payload":{"code":"print(\'hello\')","problemAlias":"A"}}',
      '{ "type" : "CONTROL_TAKEN",\n "payload": {"userId": "823768129"} }',
      '{"type":"COMPILER_SELECTED","payload":{"compiler":"python3"},"extra":1}',
    ];
    for (const f of frames) bob.send(f);
    for (const p of [ann, bob]) for (const f of frames) expect(await p.next()).toBe(f);
    // Invalid JSON and non-{type} frames are dropped without a reply.
    ann.send('not json');
    ann.send('[1,2]');
    ann.send('{"type":"AFTER","payload":1}');
    for (const p of [ann, bob]) expect(await p.next()).toBe('{"type":"AFTER","payload":1}');
    // Persisted before the relay: the code is readable over REST at once.
    const code = await fetch(`${base}/training-sessions/${t.sid}/code/A`, { headers: { cookie: `sessionid=${t.tokens.ann}` } });
    expect(await code.json()).toEqual({ code: "print('hello')" });
    await bob.close();
    expect(await ann.json()).toEqual(leave('bob'));
    await ann.close();
  });

  it('REST sends TRAINING_STARTED to the lobby and TRAINING_FINISHED to the training room, through the bus to the objects', async () => {
    const lobby = await joined(lobbyUrl('bob'));
    const sid = await startSession(base, t.tokens.ann, t.teamId, await contestFixture(fixtures, `Cup ${crypto.randomUUID()}`));
    const started = await lobby.json();
    expect(started).toEqual({ type: 'TRAINING_STARTED', payload: { id: sid, status: 'IN_PROCESS', dtCreated: expect.any(String) } });
    const room = await joined(trainingUrl('cat', sid));
    const done = await fetch(`${base}/training-sessions/${sid}/complete`, { method: 'POST', headers: { cookie: `sessionid=${t.tokens.cat}` } });
    expect(done.status).toBe(200);
    expect(await room.next()).toBe('{"type":"TRAINING_FINISHED","payload":null}');
    await closeEach(lobby, room);
  });

  it('a 4th socket is accepted, then closed 1008 with the reason, nothing broadcast; a leave frees its slot', async () => {
    const ann = await joined(lobbyUrl('ann'));
    const bob = await joined(lobbyUrl('bob'));
    const cat = await joined(lobbyUrl('cat'));
    await Promise.all([ann.next(), ann.next(), bob.next()]);
    const dan = await join(lobbyUrl('dan'));
    expect(await dan.closed).toEqual({ code: 1008, reason: LIMIT_REASON });
    expect(dan.inbox).toEqual([]);
    await Promise.all([ann.silent(200), bob.silent(0), cat.silent(0)]);
    await cat.close();
    expect(await ann.json()).toEqual(leave('cat'));
    expect(await bob.json()).toEqual(leave('cat'));
    const dan2 = await joined(lobbyUrl('dan'));
    expect((await ann.json()).payload.userId).toBe(t.users.dan.id);
    await closeEach(ann, bob, dan2);
  });

  it('a binary frame closes 1003 and a frame over 1 MiB closes 1009, each announced and its slot freed', async () => {
    const ann = await joined(trainingUrl('ann'));
    const bob = await joined(trainingUrl('bob'));
    const cat = await joined(trainingUrl('cat'));
    await Promise.all([ann.next(), ann.next(), bob.next()]);
    bob.send(Buffer.from([1, 2, 3]));
    expect((await bob.closed).code).toBe(1003);
    expect(await ann.json()).toEqual(leave('bob'));
    cat.send(JSON.stringify({ type: 'CODE_EDITOR_UPDATE', payload: { code: 'x'.repeat(1024 * 1024), problemAlias: 'A' } }));
    expect((await cat.closed).code).toBe(1009);
    expect(await ann.json()).toEqual(leave('cat'));
    expect(ann.inbox).toEqual([]);
    // Just under the limit still goes through; both slots are free again.
    const big = JSON.stringify({ type: 'BIG', payload: 'y'.repeat(1024 * 1024 - 100) });
    ann.send(big);
    expect(await ann.next()).toBe(big);
    const again = [await joined(trainingUrl('bob')), await joined(trainingUrl('cat'))];
    await closeEach(ann, ...again);
  });
});

describe('ROOMS_TRUST_USER_ID=1 at the edge', () => {
  it('trusts user_id without a session, whatever its characters; team_id is any string', async () => {
    const legacy = (await edge.start({ DATABASE_URL: edge.sqld.url, JWT_SECRET, ROOMS_TRUST_USER_ID: '1' })).url;
    const url = (user: string) => wsUrl(legacy, '/ws/lobby', { team_id: 'команда', user_id: user });
    const anya = await join(url('Аня'));
    expect(await anya.json()).toEqual({ type: 'USER_JOIN', payload: { userId: 'Аня' } });
    const bob = await joined(url('bob'));
    expect(await anya.json()).toEqual({ type: 'USER_JOIN', payload: { userId: 'bob' } });
    await bob.close();
    expect(await anya.json()).toEqual({ type: 'USER_LEAVE', payload: { userId: 'bob' } });
    await anya.close();
  });
});

describe('the marking sockets in their room objects', () => {
  // workerd (this version, locally) holds the connection of a hibernated socket that never wrote
  // a frame open for up to the client's close timeout after the server's close frame: a mark_me
  // socket closed after was_marked. The client has the close code at once; it waits 2 s, not 30.
  const markingOpen = async (path: Path, ev: string, who: Person | null) => {
    const p = await openMarking(base, path, ev, who, {}, { closeTimeout: 2000 } as WebSocket.ClientOptions);
    open.push(p);
    return p;
  };
  const waiting = async (ev: string) =>
    (
      await fixtures.services.deps.db.execute({ sql: 'SELECT user_id FROM marking_waiters WHERE event_id = ? ORDER BY since, rowid', args: [ev] })
    ).rows.map((r) => String(r.user_id));
  const waiter = async (ev: string, who: Person) => {
    const p = await markingOpen('/ws/mark_me', ev, who);
    await waitFor(`${who.user.username} on the list`, async () => (await waiting(ev)).includes(who.user.id));
    return p;
  };
  const marker = async (ev: string, who: Person) => {
    const p = await markingOpen('/ws/marking', ev, who);
    const f = await p.json();
    expect([f.result, f.message]).toEqual(['ok', 'marking_list']);
    return { p, list: f.params.marking_list as string[] };
  };

  it('connect checks: an error frame, then close 1000 (no event, unknown event, not a participant)', async () => {
    const [boss, ann, eve] = await people(fixtures, 3);
    const ev = await eventFixture(fixtures, boss!, [ann!]);
    const none = await connectAndRead(wsUrl(base, '/ws/mark_me', { token: ann!.token }));
    expect(none).toEqual({ frame: errorText('Выбери пару'), close: 1000 });
    const unknown = await connectAndRead(wsUrl(base, '/ws/marking', { event_id: crypto.randomUUID(), token: ann!.token }));
    expect(unknown).toEqual({ frame: errorText('Кажеся, пары не существует'), close: 1000 });
    const stranger = await connectAndRead(wsUrl(base, '/ws/mark_me', { event_id: ev, token: eve!.token }));
    expect(stranger).toEqual({ frame: errorText('Ты не участвуешь в этой паре'), close: 1000 });
  });

  it('the whole flow: list, joins, prepare, confirm, was_marked to the marked person only, karma +50', async () => {
    const [boss, ann, bob, cat, dan] = await people(fixtures, 5);
    const ev = await eventFixture(fixtures, boss!, [ann!, bob!, cat!, dan!]);
    const annW = await waiter(ev, ann!);
    const bobW = await waiter(ev, bob!);
    const m1 = await marker(ev, cat!);
    expect(m1.list).toEqual([ann!.user.id, bob!.user.id]);
    const m2 = await marker(ev, dan!);
    await markingOpen('/ws/mark_me', ev, boss!);
    for (const m of [m1, m2]) expect(await m.p.json()).toEqual(joinedFrame(boss!));
    const before = await karma(fixtures, cat!);
    prepare(m1.p, ann!);
    expect(await m1.p.next()).toBe(okText('prepared'));
    expect(await m2.p.json()).toEqual(leftFrame(ann!));
    prepare(m2.p, ann!);
    expect(await m2.p.next()).toBe(errorText('Его уже отмечают'));
    m1.p.send({ message: 'confirm_marking' });
    const marked = await m1.p.json();
    expect([marked.result, marked.message]).toEqual(['ok', 'marked']);
    expect(DISPLAY).toContain(marked.params.display_msg);
    expect(await annW.next()).toBe(okText('was_marked', { user_id: cat!.user.id }));
    expect((await annW.closed).code).toBe(1000);
    expect(await karma(fixtures, cat!)).toBe(before + 50);
    await bobW.silent(200);
    expect(await waiting(ev)).toEqual([bob!.user.id, boss!.user.id]);
    // A marker leaving while holding someone puts them back for the others.
    prepare(m2.p, bob!);
    expect(await m2.p.next()).toBe(okText('prepared'));
    expect(await m1.p.json()).toEqual(leftFrame(bob!));
    await m2.p.close();
    expect(await m1.p.json()).toEqual(joinedFrame(bob!));
  });
});

/** Opens a socket that the gateway answers with one frame and a close. */
async function connectAndRead(url: string): Promise<{ frame: string; close: number }> {
  const p = await connect(url);
  const frame = await p.next();
  return { frame, close: (await p.closed).code };
}

describe('an old judge worker on /api/websocket, served by its room object', () => {
  it('is asked for WORKER_INFO, gets a case pushed, and its CASE_RESULT judges it; a second socket is 409', async () => {
    const added = await fx.root.post('/api/admin/user/add', { username: 'oldworker', password: 'worker-pw', type: 300 });
    expect(added.status).toBe(200);
    const { uid, cookie } = await workerLogin(base, 'oldworker', 'worker-pw');
    const w = await connectRaw(base, cookie, uid);
    if (typeof w === 'number') throw new Error(`handshake refused: ${w}`);
    try {
      expect(await connectRaw(base, cookie, uid)).toBe(409);
      await w.register(1);
      const cid = (await fx.root.post('/api/judge/submit', { dataset: fx.datasetId, data: archive('good') })).json.cid as string;
      const pushed = await w.caseData();
      expect(pushed.cid).toBe(cid);
      w.judge(cid);
      const done = await waitLong('the verdict', async () => {
        const c = (await fx.root.get(`/api/judge/query?cid=${cid}`)).json;
        return c.status >= 3 && c;
      });
      expect(done).toMatchObject({ status: 3, valid: true, cost: 298, reason: 'Solution Accepted.', workerName: 'oldworker' });
    } finally {
      w.ws.terminate();
    }
  });
});

describe('hibernation', () => {
  it('a room whose object was evicted between frames is still right: relays, leaves, and its limit', async () => {
    const ann = await joined(lobbyUrl('ann'));
    const bob = await joined(lobbyUrl('bob'));
    const cat = await joined(lobbyUrl('cat'));
    await Promise.all([ann.next(), ann.next(), bob.next()]);
    const started = () => logged.filter((l) => l.includes('room actor started') && l.includes(`lobby:${t.teamId}`)).length;
    const before = started();
    // workerd evicts an object idle for 10 s; its hibernated sockets stay open.
    await new Promise((r) => setTimeout(r, 15_000));
    bob.send({ type: 'AFTER_SLEEP', payload: 1 });
    for (const p of [ann, bob, cat]) expect(await p.json()).toEqual({ type: 'AFTER_SLEEP', payload: 1 });
    expect(started()).toBe(before + 1);
    // The slots came back from the attachments: a 4th socket is still refused.
    const dan = await join(lobbyUrl('dan'));
    expect(await dan.closed).toEqual({ code: 1008, reason: LIMIT_REASON });
    await cat.close();
    expect(await ann.json()).toEqual(leave('cat'));
    await closeEach(ann, bob);
  });
});

describe('two isolates (two Workers sharing the room objects)', () => {
  /** Sockets reach an isolate by their Host header (fetch would not send one). */
  let url: string;
  /** HTTP requests to an isolate. */
  let http: Fetcher;
  const host = (isolate: 'a' | 'b') => ({ host: `${isolate}.test` });

  beforeAll(async () => {
    const two = await edge.twoIsolates({ DATABASE_URL: edge.sqld.url, JWT_SECRET });
    url = two.url;
    http = (u, init) => two.mf.dispatchFetch(u, init as never) as unknown as Promise<Response>;
  });

  it('a frame sent in a room reaches a GraphQL roomEvents subscription served by the other isolate', async () => {
    const bob = await fixtures.services.tokens.sign(t.users.bob.id);
    const room = `lobby:${t.teamId}`;
    const watch = gqlSubscribe(
      'http://b.test',
      'subscription ($room: String!) { roomEvents(room: $room) { room type frame } }',
      { room },
      { authorization: `Bearer ${bob}` },
      http,
    );
    try {
      const ann = await connect(wsUrl(url, '/ws/lobby', { team_id: String(t.teamId), user_id: t.users.ann.id, token: t.tokens.ann }), host('a'));
      open.push(ann);
      await ann.next(); // its USER_JOIN
      // The watcher's socket to the object opens as the subscription starts: frames until it has one.
      await waitFor('the watcher', () => {
        ann.send({ type: 'PING', payload: null });
        return watch.seen.length > 0;
      });
      ann.send({ type: 'MARK', payload: 7 });
      const seen = await waitFor('MARK at the watcher', () => watch.seen.find((e) => e.data?.roomEvents?.type === 'MARK'));
      expect(seen.data.roomEvents).toEqual({ room, type: 'MARK', frame: '{"type":"MARK","payload":7}' });
      await ann.close();
    } finally {
      watch.stop();
    }
  });

  it("a case submitted in one isolate reaches an old worker whose object waits in the other, and its verdict the other's caseStatus stream", async () => {
    expect((await fx.root.post('/api/admin/user/add', { username: 'worker2', password: 'worker-pw', type: 300 })).status).toBe(200);
    const { uid, cookie } = await workerLogin(base, 'worker2', 'worker-pw');
    const w = await connectRaw(url, cookie, uid, host('a'));
    if (typeof w === 'number') throw new Error(`handshake refused: ${w}`);
    try {
      await w.register(1);
      // Submitted through b once a's object waits on its claim: the WAITING event stays in b's
      // bus, and a's object looks again itself (its long poll alone would wait 30 s).
      await new Promise((r) => setTimeout(r, 1000));
      const submitted = await http('http://b.test/api/judge/submit', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `JSESSIONID=${fx.root.cookies.get('JSESSIONID')}` },
        body: JSON.stringify({ dataset: fx.datasetId, data: archive('good') }),
      });
      const cid = ((await submitted.json()) as { cid: string }).cid;
      const root = await fixtures.services.tokens.sign(String((await fixtures.services.users.byUsername('root'))!.id));
      const status = gqlSubscribe(
        'http://b.test',
        `subscription { caseStatus(id: "${cid}") { status valid cost } }`,
        {},
        { authorization: `Bearer ${root}` },
        http,
      );
      try {
        expect((await w.caseData()).cid).toBe(cid);
        const first = await waitLong('the stream of b to start', async () => status.seen[0], 10_000);
        expect(first.data.caseStatus.status).toBeLessThan(3);
        // Reported through a's object: b's stream looks again itself too.
        w.judge(cid);
        const done = await waitLong('FINISHED on the stream of b', async () => status.seen.find((e) => e.data?.caseStatus?.status === 3), 15_000);
        expect(done.data.caseStatus).toEqual({ status: 3, valid: true, cost: 298 });
      } finally {
        status.stop();
      }
    } finally {
      w.ws.terminate();
    }
  });
});
