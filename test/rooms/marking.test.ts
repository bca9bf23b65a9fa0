// Spec 003's marking sockets on one gateway, with real `ws` clients: the connect checks in the
// original's order (then sign-in and participation), every message and error, disconnects,
// karma, the stored marking read back over GraphQL and tRPC, and markers racing on one node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOM_TOPIC } from '../../src/bus/room-frames.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { gql, trpc } from '../helpers/doors.js';
import {
  DISPLAY,
  errorText,
  eventFixture,
  frames,
  joinedFrame,
  karma,
  leftFrame,
  okText,
  open as openSocket,
  people,
  prepare,
  refused,
  setTimes,
  type Path,
  type Person,
} from './marking-support.js';
import { connect, waitFor, wsUrl, type Peer } from './support.js';

let gw: TestGateway;
const sockets: Peer[] = [];

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  for (const p of sockets.splice(0)) p.ws.terminate();
  await gw?.stop();
});

async function open(path: Path, eventId: string, who: Person | null, extra: Record<string, string> = {}): Promise<Peer> {
  const p = await openSocket(gw.url, path, eventId, who, extra);
  sockets.push(p);
  return p;
}
/** A marker's socket and its marking_list. */
async function marker(eventId: string, who: Person): Promise<{ p: Peer; list: string[] }> {
  const p = await open('/ws/marking', eventId, who);
  const f = await p.json();
  expect(f.result).toBe('ok');
  expect(f.message).toBe('marking_list');
  return { p, list: f.params.marking_list };
}
/** The people waiting at the event, as the database has them. */
async function waiting(eventId: string): Promise<string[]> {
  const rs = await gw.services.deps.db.execute({
    sql: 'SELECT user_id FROM marking_waiters WHERE event_id = ? ORDER BY since, rowid',
    args: [eventId],
  });
  return rs.rows.map((r) => String(r.user_id));
}
/** A mark_me socket, once the person is on the list (it gets no frame). */
/** A marker's frames up to its reply to prepare_to_mark (`prepared` or an error). */
async function replyTo(p: Peer): Promise<{ reply: any; before: any[] }> {
  const before: any[] = [];
  for (;;) {
    const f = await p.json();
    if (f.message === 'prepared' || f.result === 'error') return { reply: f, before };
    before.push(f);
  }
}
async function waiter(eventId: string, who: Person): Promise<Peer> {
  const p = await open('/ws/mark_me', eventId, who);
  await waitFor(`${who.user.username} on the list`, async () => (await waiting(eventId)).includes(who.user.id));
  return p;
}

describe('connect checks, in the original order (error frame, then close 1000)', () => {
  it('no event_id, then an unknown event: for both paths, signed in or not', async () => {
    const [ann] = await people(gw, 1);
    for (const path of ['/ws/mark_me', '/ws/marking'] as const) {
      for (const who of [ann!, null]) {
        await refused(await connect(wsUrl(gw.url, path, who ? { token: who.token } : {})), 'Выбери пару');
        await refused(await open(path, '', who), 'Выбери пару');
        await refused(await open(path, crypto.randomUUID(), who), 'Кажеся, пары не существует');
        await refused(await open(path, 'not-a-uuid', who), 'Кажеся, пары не существует');
      }
    }
  });

  it('frames are written as Django Channels wrote them (json.dumps: ", ", ": ", \\u escapes)', async () => {
    const p = await open('/ws/mark_me', '', null);
    expect(await p.next()).toBe('{"result": "error", "message": "\\u0412\\u044b\\u0431\\u0435\\u0440\\u0438 \\u043f\\u0430\\u0440\\u0443"}');
    expect(await p.closed).toEqual({ code: 1000, reason: '' });
  });

  it('already asked (waiting, or marked already) comes before the event being over or not started', async () => {
    const [boss, ann, bob, cat] = await people(gw, 4);
    const ev = await eventFixture(gw, boss!, [ann!, bob!, cat!]);
    const annWaits = await waiter(ev, ann!);
    // A second mark_me, and a marker socket, of someone waiting.
    await refused(await open('/ws/mark_me', ev, ann!), 'Нельзя так!');
    await refused(await open('/ws/marking', ev, ann!), 'Нельзя так!');
    // Marked: no second mark_me (a marker socket is fine).
    const m = await marker(ev, boss!);
    expect(m.list).toEqual([ann!.user.id]);
    prepare(m.p, ann!);
    expect(await m.p.next()).toBe(okText('prepared'));
    m.p.send({ message: 'confirm_marking' });
    expect((await m.p.json()).message).toBe('marked');
    expect((await annWaits.closed).code).toBe(1000);
    await refused(await open('/ws/mark_me', ev, ann!), 'Нельзя так!');
    (await marker(ev, ann!)).p.ws.terminate();
    // Over: the marked person still hears "Нельзя так!" first; others hear that it is over.
    await setTimes(gw, ev, 'over');
    await refused(await open('/ws/mark_me', ev, ann!), 'Нельзя так!');
    await refused(await open('/ws/mark_me', ev, bob!), 'Пара уже закончилась');
    await refused(await open('/ws/marking', ev, bob!), 'Пара уже закончилась');
    await refused(await open('/ws/marking', ev, null), 'Пара уже закончилась');
  });

  it('not started: markers are refused, waiting is fine; then sign-in, then participation', async () => {
    const [boss, ann, eve] = await people(gw, 3);
    const ev = await eventFixture(gw, boss!, [ann!], 'future');
    await refused(await open('/ws/marking', ev, ann!), 'Сейчас эта пара не идет');
    await refused(await open('/ws/marking', ev, null), 'Сейчас эта пара не идет');
    await refused(await open('/ws/marking', ev, eve!), 'Сейчас эта пара не идет');
    const early = await waiter(ev, ann!);
    await refused(await open('/ws/mark_me', ev, null), 'Сначала войди в аккаунт');
    await refused(await open('/ws/mark_me', ev, eve!), 'Ты не участвуешь в этой паре');
    await setTimes(gw, ev, 'running');
    await refused(await open('/ws/marking', ev, null), 'Сначала войди в аккаунт');
    await refused(await open('/ws/marking', ev, eve!), 'Ты не участвуешь в этой паре');
    // A bad token is not signed in; the session cookie and a bearer JWT work like the parameter.
    await refused(await open('/ws/marking', ev, null, { token: 'f'.repeat(32) }), 'Сначала войди в аккаунт');
    const viaCookie = await connect(wsUrl(gw.url, '/ws/marking', { event_id: ev }), { cookie: `sessionid=${boss!.token}` });
    sockets.push(viaCookie);
    expect(await viaCookie.json()).toEqual({ result: 'ok', message: 'marking_list', params: { marking_list: [ann!.user.id] } });
    const jwt = await gw.services.tokens.sign(boss!.user.id);
    const viaJwt = await connect(wsUrl(gw.url, '/ws/marking', { event_id: ev.toUpperCase().replace(/-/g, '') }), { authorization: `Bearer ${jwt}` });
    sockets.push(viaJwt);
    expect((await viaJwt.json()).params.marking_list).toEqual([ann!.user.id]);
    await Promise.all([early.close(), viaCookie.close(), viaJwt.close()]);
  });

  it('a plain GET on the socket paths is not a socket', async () => {
    const res = await fetch(`${gw.url}/ws/marking?event_id=x`);
    expect(res.status).toBe(404);
    await res.body?.cancel();
  });
});

describe('marking, message by message', () => {
  it('the whole flow: list, joins, prepare, confirm, was_marked to the marked person only, karma +50', async () => {
    const [boss, ann, bob, cat, dan] = await people(gw, 5);
    const ev = await eventFixture(gw, boss!, [ann!, bob!, cat!, dan!]);
    const annW = await waiter(ev, ann!);
    const bobW = await waiter(ev, bob!);
    const m1 = await marker(ev, cat!);
    expect(m1.list).toEqual([ann!.user.id, bob!.user.id]);
    const m2 = await marker(ev, dan!);
    const bossW = await open('/ws/mark_me', ev, boss!);
    for (const m of [m1, m2]) expect(await m.p.json()).toEqual(joinedFrame(boss!));

    const before = await karma(gw, cat!);
    prepare(m1.p, ann!);
    expect(await m1.p.next()).toBe(okText('prepared'));
    expect(await m2.p.json()).toEqual(leftFrame(ann!));
    // Holding someone: no second one; nobody else may take the held person.
    prepare(m1.p, bob!);
    expect(await m1.p.next()).toBe(errorText('Ты уже выбрал пользователя'));
    prepare(m2.p, ann!);
    expect(await m2.p.next()).toBe(errorText('Его уже отмечают'));

    m1.p.send({ message: 'confirm_marking' });
    const marked = await m1.p.json();
    expect(marked.result).toBe('ok');
    expect(marked.message).toBe('marked');
    expect(Object.keys(marked.params)).toEqual(['display_msg']);
    expect(DISPLAY).toContain(marked.params.display_msg);
    expect(await annW.next()).toBe(okText('was_marked', { user_id: cat!.user.id }));
    expect(await annW.closed).toEqual({ code: 1000, reason: '' });
    expect(await karma(gw, cat!)).toBe(before + 50);
    // Only ann's socket heard it; the list keeps bob and boss.
    await Promise.all([bobW.silent(200), bossW.silent(0), m2.p.silent(0)]);
    expect(await waiting(ev)).toEqual([bob!.user.id, boss!.user.id]);
    const row = (await gw.services.deps.db.execute({ sql: 'SELECT * FROM markings WHERE event_id = ?', args: [ev] })).rows;
    expect(row).toHaveLength(1);
    expect(row[0]).toMatchObject({ user_id: ann!.user.id, marker_id: cat!.user.id });

    // Confirming again holds nobody; karma once.
    m1.p.send({ message: 'confirm_marking' });
    expect(await m1.p.next()).toBe(errorText('Нельзя так!'));
    expect(await karma(gw, cat!)).toBe(before + 50);
    // A new marker sees who still waits.
    const m3 = await marker(ev, ann!);
    expect(m3.list).toEqual([bob!.user.id, boss!.user.id]);
    await Promise.all([m1.p.close(), m2.p.close(), m3.p.close(), bobW.close(), bossW.close()]);
  });

  it('errors: missing user_id, unknown messages, bad frames, nothing held, self, someone not waiting', async () => {
    const [boss, ann, bob] = await people(gw, 3);
    const ev = await eventFixture(gw, boss!, [ann!, bob!]);
    const annW = await waiter(ev, ann!);
    const m = await marker(ev, boss!);
    const expectError = async (frame: unknown, message: string) => {
      m.p.send(frame);
      expect(await m.p.next()).toBe(errorText(message));
    };
    await expectError({ message: 'prepare_to_mark' }, 'user_id is missing');
    await expectError({ message: 'prepare_to_mark', params: {} }, 'user_id is missing');
    await expectError({ message: 'prepare_to_mark', params: { user_id: '' } }, 'user_id is missing');
    await expectError({ message: 'prepare_to_mark', params: { user_id: null } }, 'user_id is missing');
    await expectError({ message: 'prepare_to_mark', params: { user_id: ['x'] } }, 'user_id is missing');
    await expectError({ message: 'confirm_marking' }, 'Нельзя так!');
    await expectError({ message: 'refuse_to_mark' }, 'Нельзя так!');
    await expectError({ message: 'what' }, 'Нет сообщения');
    await expectError({ params: {} }, 'Нет сообщения');
    await expectError('not json', 'Нет сообщения');
    await expectError('[1,2]', 'Нет сообщения');
    await expectError(Buffer.from('{"message":"confirm_marking"}'), 'Нет сообщения');
    await expectError({ message: 'prepare_to_mark', params: { user_id: boss!.user.id } }, 'Нельзя так!');
    await expectError({ message: 'prepare_to_mark', params: { user_id: bob!.user.id } }, 'Его уже отмечают');
    await expectError({ message: 'prepare_to_mark', params: { user_id: 12345 } }, 'Его уже отмечают');
    // A waiting socket has no commands; it stays open, as markers do after an error.
    annW.send({ message: 'prepare_to_mark', params: { user_id: bob!.user.id } });
    expect(await annW.next()).toBe(errorText('Нет сообщения'));
    annW.send('garbage');
    expect(await annW.next()).toBe(errorText('Нет сообщения'));
    prepare(m.p, ann!);
    expect(await m.p.next()).toBe(okText('prepared'));
    expect(annW.closeInfo).toBeNull();
    await Promise.all([m.p.close(), annW.close()]);
  });

  it('refuse_to_mark: back on the list for the others (user_joined), refused to the marker', async () => {
    const [boss, ann, bob] = await people(gw, 3);
    const ev = await eventFixture(gw, boss!, [ann!, bob!]);
    const annW = await waiter(ev, ann!);
    const m1 = await marker(ev, boss!);
    const m2 = await marker(ev, bob!);
    prepare(m1.p, ann!);
    expect(await m1.p.next()).toBe(okText('prepared'));
    expect(await m2.p.json()).toEqual(leftFrame(ann!));
    m1.p.send({ message: 'refuse_to_mark' });
    expect(await m1.p.next()).toBe(okText('refused'));
    expect(await m2.p.json()).toEqual(joinedFrame(ann!));
    await m1.p.silent(150);
    // Free again: the other marker takes and marks her.
    prepare(m2.p, ann!);
    expect(await m2.p.next()).toBe(okText('prepared'));
    expect(await m1.p.json()).toEqual(leftFrame(ann!));
    m2.p.send({ message: 'confirm_marking' });
    expect((await m2.p.json()).message).toBe('marked');
    expect(await annW.next()).toBe(okText('was_marked', { user_id: bob!.user.id }));
    await Promise.all([m1.p.close(), m2.p.close()]);
  });

  it('disconnects: a waiting person leaves the list; a marker holding someone puts them back; a held person leaving', async () => {
    const [boss, ann, bob, cat] = await people(gw, 4);
    const ev = await eventFixture(gw, boss!, [ann!, bob!, cat!]);
    const m1 = await marker(ev, boss!);
    const m2 = await marker(ev, cat!);
    const annW = await open('/ws/mark_me', ev, ann!);
    const bobW = await open('/ws/mark_me', ev, bob!);
    for (const m of [m1, m2]) expect(await frames(m.p, 2)).toEqual([joinedFrame(ann!), joinedFrame(bob!)]);

    // A waiting person disconnects: every marker hears user_left; she may come back.
    annW.ws.terminate();
    for (const m of [m1, m2]) expect(await m.p.json()).toEqual(leftFrame(ann!));
    expect(await waiting(ev)).toEqual([bob!.user.id]);
    const annAgain = await open('/ws/mark_me', ev, ann!);
    for (const m of [m1, m2]) expect(await m.p.json()).toEqual(joinedFrame(ann!));

    // A marker holding bob disconnects: bob is back for the others.
    prepare(m1.p, bob!);
    expect(await m1.p.next()).toBe(okText('prepared'));
    expect(await m2.p.json()).toEqual(leftFrame(bob!));
    m1.p.ws.terminate();
    expect(await m2.p.json()).toEqual(joinedFrame(bob!));
    expect(
      (
        await gw.services.deps.db.execute({
          sql: 'SELECT holder_socket FROM marking_waiters WHERE event_id = ? AND user_id = ?',
          args: [ev, bob!.user.id],
        })
      ).rows[0]!.holder_socket,
    ).toBeNull();

    // A held person disconnects: only the holder hears it (the others heard at the hold); the
    // holder holds nobody now: confirming fails, preparing another works.
    const m3 = await marker(ev, boss!);
    expect(m3.list).toEqual([bob!.user.id, ann!.user.id]); // joining order: ann came back after bob
    prepare(m2.p, bob!);
    expect(await m2.p.next()).toBe(okText('prepared'));
    expect(await m3.p.json()).toEqual(leftFrame(bob!));
    bobW.ws.terminate();
    expect(await m2.p.json()).toEqual(leftFrame(bob!));
    await m3.p.silent(150);
    m2.p.send({ message: 'confirm_marking' });
    expect(await m2.p.next()).toBe(errorText('Нельзя так!'));
    prepare(m2.p, ann!);
    expect(await m2.p.next()).toBe(okText('prepared'));
    expect(await m3.p.json()).toEqual(leftFrame(ann!));
    expect((await gw.services.deps.db.execute({ sql: 'SELECT COUNT(*) AS n FROM markings WHERE event_id = ?', args: [ev] })).rows[0]!.n).toBe(0);
    await Promise.all([m2.p.close(), m3.p.close(), annAgain.close()]);
    await waitFor('the list to empty', async () => (await waiting(ev)).length === 0);
  });

  it('a marker after the event ended: Пара уже закончилась, closed, the held person back on the list', async () => {
    const [boss, ann, bob] = await people(gw, 3);
    const ev = await eventFixture(gw, boss!, [ann!, bob!]);
    const annW = await waiter(ev, ann!);
    const m1 = await marker(ev, boss!);
    const m2 = await marker(ev, bob!);
    prepare(m1.p, ann!);
    expect(await m1.p.next()).toBe(okText('prepared'));
    expect(await m2.p.json()).toEqual(leftFrame(ann!));
    // The event ends while both markers are connected: the next command is refused and closes.
    await gw.services.deps.db.execute({ sql: 'UPDATE social_events SET time_to = ? WHERE id = ?', args: [Math.floor(Date.now() / 1000) - 1, ev] });
    m1.p.send({ message: 'confirm_marking' });
    await refused(m1.p, 'Пара уже закончилась');
    expect(await m2.p.json()).toEqual(joinedFrame(ann!));
    prepare(m2.p, ann!);
    await refused(m2.p, 'Пара уже закончилась');
    expect((await gw.services.deps.db.execute({ sql: 'SELECT 1 FROM markings WHERE event_id = ?', args: [ev] })).rows).toHaveLength(0);
    // The waiting socket stays (nobody can mark her now); closing it leaves the list.
    await annW.close();
    await waitFor('the list to empty', async () => (await waiting(ev)).length === 0);
  });

  it('two markers on one node racing for one person, many times: one prepared, one Его уже отмечают', async () => {
    const [boss, m1u, m2u, ...rest] = await people(gw, 13);
    const ev = await eventFixture(gw, boss!, [m1u!, m2u!, ...rest]);
    const m1 = await marker(ev, m1u!);
    const m2 = await marker(ev, m2u!);
    const k1 = await karma(gw, m1u!);
    const k2 = await karma(gw, m2u!);
    const wins = { m1: 0, m2: 0 };
    for (const w of rest) {
      const ws = await open('/ws/mark_me', ev, w);
      for (const m of [m1, m2]) expect(await m.p.json()).toEqual(joinedFrame(w));
      prepare(m1.p, w);
      prepare(m2.p, w);
      const [r1, r2] = await Promise.all([replyTo(m1.p), replyTo(m2.p)]);
      expect([r1.reply, r2.reply].filter((f) => f.message === 'prepared')).toHaveLength(1);
      expect([r1.reply, r2.reply].filter((f) => f.result === 'error' && f.message === 'Его уже отмечают')).toHaveLength(1);
      const winner = r1.reply.message === 'prepared' ? m1 : m2;
      const loser = winner === m1 ? m2 : m1;
      wins[winner === m1 ? 'm1' : 'm2']++;
      // The loser also hears that the person left the list (before or after its own reply).
      const heard = (winner === m1 ? r2 : r1).before;
      if (heard.length === 0) heard.push(await loser.p.json());
      expect(heard).toEqual([leftFrame(w)]);
      expect((winner === m1 ? r1 : r2).before).toEqual([]);
      winner.p.send({ message: 'confirm_marking' });
      expect((await winner.p.json()).message).toBe('marked');
      expect(await ws.json()).toEqual({ result: 'ok', message: 'was_marked', params: { user_id: (winner === m1 ? m1u : m2u)!.user.id } });
      await ws.closed;
    }
    const rs = await gw.services.deps.db.execute({ sql: 'SELECT user_id, marker_id FROM markings WHERE event_id = ?', args: [ev] });
    expect(rs.rows).toHaveLength(rest.length);
    expect(await karma(gw, m1u!)).toBe(k1 + 50 * wins.m1);
    expect(await karma(gw, m2u!)).toBe(k2 + 50 * wins.m2);
    await Promise.all([m1.p.close(), m2.p.close()]);
  });
});

describe('attendance over GraphQL and tRPC', () => {
  it('the creator and admins read who was marked, by whom, when; a person reads their own; others may not', async () => {
    const [boss, ann, bob, cat] = await people(gw, 4);
    const ev = await eventFixture(gw, boss!, [ann!, bob!, cat!]);
    const m = await marker(ev, cat!);
    for (const w of [ann!, bob!]) {
      const ws = await open('/ws/mark_me', ev, w);
      expect(await m.p.json()).toEqual(joinedFrame(w));
      prepare(m.p, w);
      expect(await m.p.next()).toBe(okText('prepared'));
      m.p.send({ message: 'confirm_marking' });
      expect((await m.p.json()).message).toBe('marked');
      await ws.closed;
    }
    await m.p.close();

    const token = async (p: Person | 'root') => gw.services.tokens.sign(p === 'root' ? (await gw.services.users.byUsername('root'))!.id : p.user.id);
    const query = `query($id: ID!) { eventAttendance(eventId: $id) { eventId userId markerId markedAt } }`;
    const viaGql = async (p: Person | 'root') => gql(gw.url, query, { id: ev }, { authorization: `Bearer ${await token(p)}` });
    const viaTrpc = async (p: Person | 'root') =>
      trpc(gw.url, { authorization: `Bearer ${await token(p)}` }).marking.attendance.query({ eventId: ev });

    const fromTrpc = await viaTrpc(boss!);
    expect(fromTrpc.map((a) => [a.userId, a.markerId])).toEqual([
      [ann!.user.id, cat!.user.id],
      [bob!.user.id, cat!.user.id],
    ]);
    for (const a of fromTrpc) expect(Math.abs(a.markedAt - Date.now())).toBeLessThan(60_000);
    // Parity: the same records through both doors (times ISO 8601 on GraphQL, epoch ms on tRPC).
    const asGql = fromTrpc.map((a) => ({ eventId: a.eventId, userId: a.userId, markerId: a.markerId, markedAt: new Date(a.markedAt).toISOString() }));
    expect((await viaGql(boss!)).data!.eventAttendance).toEqual(asGql);
    expect((await viaGql('root')).data!.eventAttendance).toEqual(asGql);
    expect(await viaTrpc('root')).toEqual(fromTrpc);
    // A participant who did not create the event may not; nor may nobody.
    const denied = await viaGql(ann!);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await expect(viaTrpc(ann!)).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect((await gql(gw.url, query, { id: ev })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(
      (await gql(gw.url, query, { id: crypto.randomUUID() }, { authorization: `Bearer ${await token(boss!)}` })).errors?.[0]?.extensions?.code,
    ).toBe('NOT_FOUND');

    // One's own attendance, through both doors.
    const mine = await trpc(gw.url, { authorization: `Bearer ${await token(ann!)}` }).marking.mine.query();
    expect(mine.map((a) => [a.eventId, a.userId, a.markerId])).toEqual([[ev, ann!.user.id, cat!.user.id]]);
    const mineGql = await gql(gw.url, '{ myAttendance { eventId userId markerId markedAt } }', {}, { authorization: `Bearer ${await token(ann!)}` });
    expect(mineGql.data!.myAttendance).toEqual(mine.map((a) => ({ ...a, markedAt: new Date(a.markedAt).toISOString() })));
    expect(await trpc(gw.url, { authorization: `Bearer ${await token(boss!)}` }).marking.mine.query()).toEqual([]);
  });
});

describe('room events of a marking room (rooms.events / roomEvents)', () => {
  it("the event's creator (and admins) watch the list change and the markings; participants may not", async () => {
    const [boss, ann, cat] = await people(gw, 3);
    const ev = await eventFixture(gw, boss!, [ann!, cat!]);
    const bearer = async (id: string) => ({ authorization: `Bearer ${await gw.services.tokens.sign(id)}` });
    const seen: Array<{ room: string; type: string; frame: string }> = [];
    const sub = trpc(gw.url, await bearer(boss!.user.id)).rooms.events.subscribe(
      { room: `marking:${ev.toUpperCase()}` },
      { onData: (e) => seen.push(e) },
    );
    try {
      await waitFor('the subscription to listen', async () => {
        await gw.services.deps.bus.publish(ROOM_TOPIC, { room: `marking:${ev}`, frame: { type: 'PROBE', payload: null } });
        await new Promise((r) => setTimeout(r, 50));
        return seen.length > 0;
      });
      const m = await marker(ev, cat!);
      const annW = await open('/ws/mark_me', ev, ann!);
      expect(await m.p.json()).toEqual(joinedFrame(ann!));
      prepare(m.p, ann!);
      expect(await m.p.next()).toBe(okText('prepared'));
      m.p.send({ message: 'confirm_marking' });
      expect((await m.p.json()).message).toBe('marked');
      expect(await annW.next()).toBe(okText('was_marked', { user_id: cat!.user.id }));
      const real = () => seen.filter((e) => e.type !== 'PROBE');
      await waitFor('three events', () => real().length >= 3);
      expect(real()).toEqual([
        { room: `marking:${ev}`, type: 'user_joined', frame: okText('user_joined', { user_id: ann!.user.id }) },
        { room: `marking:${ev}`, type: 'user_left', frame: okText('user_left', { user_id: ann!.user.id }) },
        { room: `marking:${ev}`, type: 'was_marked', frame: okText('was_marked', { user_id: cat!.user.id }) },
      ]);
      await m.p.close();
    } finally {
      sub.unsubscribe();
    }
    const q = 'subscription ($room: String!) { roomEvents(room: $room) { type } }';
    const code = async (room: string, headers: Record<string, string>) => (await gql(gw.url, q, { room }, headers)).errors?.[0]?.extensions?.code;
    expect(await code(`marking:${ev}`, await bearer(ann!.user.id))).toBe('FORBIDDEN');
    expect(await code(`marking:${crypto.randomUUID()}`, await bearer(boss!.user.id))).toBe('FORBIDDEN');
    expect(await code('marking:nope', await bearer(boss!.user.id))).toBe('BAD_USER_INPUT');
    expect(await code(`marking:${ev}`, {})).toBe('UNAUTHENTICATED');
    const rootId = (await gw.services.users.byUsername('root'))!.id;
    const rootSeen: unknown[] = [];
    const rootSub = trpc(gw.url, await bearer(rootId)).rooms.events.subscribe({ room: `marking:${ev}` }, { onData: (e) => rootSeen.push(e) });
    try {
      await waitFor('root to watch', async () => {
        await gw.services.deps.bus.publish(ROOM_TOPIC, { room: `marking:${ev}`, frame: { type: 'PROBE', payload: null } });
        await new Promise((r) => setTimeout(r, 50));
        return rootSeen.length > 0;
      });
    } finally {
      rootSub.unsubscribe();
    }
  });
});
