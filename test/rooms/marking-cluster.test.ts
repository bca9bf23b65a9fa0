// Marking rooms across gateway nodes sharing one libSQL file and one real redis-server: two
// markers on two nodes racing for one person many times (the database decides: one prepared, one
// "Его уже отмечают", one marking, karma +50 once), every marker on every node seeing the list
// change in the database's order, disconnects across nodes, a SIGKILLed node's waiting people and
// holds swept after their lease, and a marking reaching the other node with Redis stopped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/node/gateway.js';
import { ROOT_PASSWORD, startPeerGateway, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import {
  eventFixture,
  frames,
  joinedFrame,
  karma,
  leftFrame,
  okText,
  open as openSocket,
  people,
  prepare,
  type Path,
  type Person,
} from './marking-support.js';
import { waitFor, type Peer } from './support.js';
import { startMain } from '../helpers/main-process.js';

const JWT_SECRET = 'test-secret-test-secret-test-secret-0123';
/** Short leases: a killed node's rows are swept within seconds. */
const LEASE = '2';

let redis: TestRedis;
let a: TestGateway;
let b: Gateway;
const sockets: Peer[] = [];

beforeAll(async () => {
  redis = await startRedis();
  a = await startTestGateway({ REDIS_URL: redis.url, MARKING_LEASE_SECONDS: LEASE });
  b = await startPeerGateway(a, { REDIS_URL: redis.url, MARKING_LEASE_SECONDS: LEASE });
});
afterAll(async () => {
  for (const p of sockets.splice(0)) p.ws.terminate();
  await b?.close();
  await a?.stop();
  await redis?.stop();
});

async function open(base: string, path: Path, eventId: string, who: Person): Promise<Peer> {
  const p = await openSocket(base, path, eventId, who);
  sockets.push(p);
  return p;
}
async function marker(base: string, eventId: string, who: Person): Promise<{ p: Peer; list: string[] }> {
  const p = await open(base, '/ws/marking', eventId, who);
  const f = await p.json();
  expect(f.message).toBe('marking_list');
  return { p, list: f.params.marking_list };
}
async function replyTo(p: Peer): Promise<{ reply: any; before: any[] }> {
  const before: any[] = [];
  for (;;) {
    const f = await p.json();
    if (f.message === 'prepared' || f.result === 'error') return { reply: f, before };
    before.push(f);
  }
}
const db = () => a.services.deps.db;
const count = async (sql: string, args: string[]) => Number((await db().execute({ sql, args })).rows[0]!.n);

/** The real Node entry as a separate process on the same database and Redis (to be SIGKILLed). */
const startNode = () =>
  startMain(
    {
      HOST: '127.0.0.1',
      DATABASE_URL: a.dbUrl,
      BLOB_DIR: `${a.dir}/blobs`,
      REDIS_URL: redis.url,
      JWT_SECRET,
      ROOT_PASSWORD,
      MARKING_LEASE_SECONDS: LEASE,
    },
    ['--no-judge'],
  );

describe('marking across two nodes, one Redis, one database', () => {
  it('two markers on two nodes race for the same person, 30 times: exactly one wins each time', async () => {
    const [boss, u1, u2, ...rest] = await people(a, 33);
    const ev = await eventFixture(a, boss!, [u1!, u2!, ...rest]);
    const m1 = await marker(a.url, ev, u1!);
    const m2 = await marker(b.url, ev, u2!);
    const k1 = await karma(a, u1!);
    const k2 = await karma(a, u2!);
    const wins = new Map<Person, number>([
      [u1!, 0],
      [u2!, 0],
    ]);
    for (const [i, w] of rest.entries()) {
      const ws = await open(i % 2 ? a.url : b.url, '/ws/mark_me', ev, w);
      for (const m of [m1, m2]) expect(await m.p.json()).toEqual(joinedFrame(w));
      // Alternate who sends first, so either node may win.
      const order = i % 3 === 0 ? [m2, m1] : [m1, m2];
      for (const m of order) prepare(m.p, w);
      const [r1, r2] = await Promise.all([replyTo(m1.p), replyTo(m2.p)]);
      const replies = [r1.reply, r2.reply];
      expect(replies.filter((f) => f.result === 'ok' && f.message === 'prepared')).toHaveLength(1);
      expect(replies.filter((f) => f.result === 'error' && f.message === 'Его уже отмечают')).toHaveLength(1);
      const [winner, loser, who] = r1.reply.message === 'prepared' ? [m1, r2, u1!] : [m2, r1, u2!];
      wins.set(who, wins.get(who)! + 1);
      const heard = loser.before.length > 0 ? loser.before : [await (winner === m1 ? m2 : m1).p.json()];
      expect(heard).toEqual([leftFrame(w)]);
      winner.p.send({ message: 'confirm_marking' });
      expect((await winner.p.json()).message).toBe('marked');
      expect(await ws.next()).toBe(okText('was_marked', { user_id: who.user.id }));
      expect((await ws.closed).code).toBe(1000);
    }
    expect(await count('SELECT COUNT(*) AS n FROM markings WHERE event_id = ?', [ev])).toBe(rest.length);
    expect(await count('SELECT COUNT(DISTINCT user_id) AS n FROM markings WHERE event_id = ?', [ev])).toBe(rest.length);
    expect(await count('SELECT COUNT(*) AS n FROM marking_waiters WHERE event_id = ?', [ev])).toBe(0);
    expect(await karma(a, u1!)).toBe(k1 + 50 * wins.get(u1!)!);
    expect(await karma(a, u2!)).toBe(k2 + 50 * wins.get(u2!)!);
    await Promise.all([m1.p.close(), m2.p.close()]);
  });

  it('racing without waiting for the list: prepares and confirms fired at once from both nodes, many rounds', async () => {
    const [boss, u1, u2, ...rest] = await people(a, 22);
    const ev = await eventFixture(a, boss!, [u1!, u2!, ...rest]);
    const waiters = await Promise.all(rest.map((w, i) => open(i % 2 ? a.url : b.url, '/ws/mark_me', ev, w)));
    await waitFor(
      'everyone on the list',
      async () => (await count('SELECT COUNT(*) AS n FROM marking_waiters WHERE event_id = ?', [ev])) === rest.length,
    );
    const m1 = await marker(a.url, ev, u1!);
    const m2 = await marker(b.url, ev, u2!);
    // Both markers go down the same list at full speed: prepare, confirm (if prepared), next.
    const run = async (m: { p: Peer }) => {
      const got: string[] = [];
      for (const w of rest) {
        prepare(m.p, w);
        const { reply } = await replyTo(m.p);
        if (reply.message !== 'prepared') continue;
        m.p.send({ message: 'confirm_marking' });
        for (;;) {
          const f = await m.p.json();
          if (f.message === 'marked') break;
          expect(f.message).toMatch(/^user_(left|joined)$/);
        }
        got.push(w.user.id);
      }
      return got;
    };
    const k1 = await karma(a, u1!);
    const k2 = await karma(a, u2!);
    const [g1, g2] = await Promise.all([run(m1), run(m2)]);
    // Everyone marked exactly once, by one of the two.
    expect([...g1, ...g2].sort()).toEqual(rest.map((w) => w.user.id).sort());
    const rows = (await db().execute({ sql: 'SELECT user_id, marker_id FROM markings WHERE event_id = ?', args: [ev] })).rows;
    expect(rows).toHaveLength(rest.length);
    for (const r of rows) expect(r.marker_id).toBe(g1.includes(String(r.user_id)) ? u1!.user.id : u2!.user.id);
    expect(await karma(a, u1!)).toBe(k1 + 50 * g1.length);
    expect(await karma(a, u2!)).toBe(k2 + 50 * g2.length);
    for (const [i, w] of waiters.entries()) {
      const f = JSON.parse(await w.next());
      expect(f).toEqual({ result: 'ok', message: 'was_marked', params: { user_id: g1.includes(rest[i]!.user.id) ? u1!.user.id : u2!.user.id } });
      expect((await w.closed).code).toBe(1000);
    }
    await Promise.all([m1.p.close(), m2.p.close()]);
  });

  it('markers on both nodes see the list change in one order: the order the database decided', async () => {
    const [boss, u1, u2, ...rest] = await people(a, 14);
    const ev = await eventFixture(a, boss!, [u1!, u2!, ...rest]);
    const m1 = await marker(a.url, ev, u1!);
    const m2 = await marker(b.url, ev, u2!);
    // Joins and leaves from both nodes at once.
    const ws = await Promise.all(rest.map((w, i) => open(i % 2 ? a.url : b.url, '/ws/mark_me', ev, w)));
    await Promise.all(ws.filter((_, i) => i % 3 === 0).map((w) => w.close()));
    const n = rest.length + Math.ceil(rest.length / 3);
    const [s1, s2] = await Promise.all([frames(m1.p, n), frames(m2.p, n)]);
    expect(s2).toEqual(s1);
    const log = (await db().execute({ sql: 'SELECT kind, user_id FROM marking_log WHERE event_id = ? ORDER BY seq', args: [ev] })).rows;
    expect(s1.map((f) => [f.message, f.params.user_id])).toEqual(log.map((r) => [r.kind === 'joined' ? 'user_joined' : 'user_left', r.user_id]));
    await Promise.all([m1.p.close(), m2.p.close(), ...ws.filter((_, i) => i % 3 !== 0).map((w) => w.close())]);
  });

  it('disconnects cross nodes: a waiting person on B leaves; a marker on A holding someone on B goes', async () => {
    const [boss, u1, u2, ann, bob] = await people(a, 5);
    const ev = await eventFixture(a, boss!, [u1!, u2!, ann!, bob!]);
    const m1 = await marker(a.url, ev, u1!);
    const m2 = await marker(b.url, ev, u2!);
    const annW = await open(b.url, '/ws/mark_me', ev, ann!);
    const bobW = await open(b.url, '/ws/mark_me', ev, bob!);
    for (const m of [m1, m2]) expect(await frames(m.p, 2)).toEqual([joinedFrame(ann!), joinedFrame(bob!)]);
    annW.ws.terminate();
    for (const m of [m1, m2]) expect(await m.p.json()).toEqual(leftFrame(ann!));
    prepare(m1.p, bob!);
    expect(await m1.p.next()).toBe(okText('prepared'));
    expect(await m2.p.json()).toEqual(leftFrame(bob!));
    m1.p.ws.terminate();
    expect(await m2.p.json()).toEqual(joinedFrame(bob!));
    prepare(m2.p, bob!);
    expect(await m2.p.next()).toBe(okText('prepared'));
    m2.p.send({ message: 'confirm_marking' });
    expect((await m2.p.json()).message).toBe('marked');
    expect(await bobW.next()).toBe(okText('was_marked', { user_id: u2!.user.id }));
    await m2.p.close();
  });

  it("a SIGKILLed node's waiting people leave the list and its holds are released, after the lease", async () => {
    const [boss, u1, u2, ann, bob] = await people(a, 5);
    const ev = await eventFixture(a, boss!, [u1!, u2!, ann!, bob!]);
    const node = await startNode();
    try {
      const m1 = await marker(a.url, ev, u1!);
      const annW = await open(node.url, '/ws/mark_me', ev, ann!); // waits on the doomed node
      expect(await m1.p.json()).toEqual(joinedFrame(ann!));
      const bobW = await open(a.url, '/ws/mark_me', ev, bob!);
      expect(await m1.p.json()).toEqual(joinedFrame(bob!));
      const doomed = await marker(node.url, ev, u2!); // holds bob from the doomed node
      prepare(doomed.p, bob!);
      expect(await doomed.p.next()).toBe(okText('prepared'));
      expect(await m1.p.json()).toEqual(leftFrame(bob!));
      node.proc.kill('SIGKILL');
      await Promise.all([annW.closed, doomed.p.closed]);
      // Nothing announced it (the node died); within a lease or two the nodes left sweep it.
      const started = Date.now();
      expect((await frames(m1.p, 2, 8000)).sort((x, y) => x.message.localeCompare(y.message))).toEqual([joinedFrame(bob!), leftFrame(ann!)]);
      expect(Date.now() - started).toBeLessThan(7000);
      // Ann may wait again (her old row does not block her), and bob can be marked.
      const annAgain = await open(a.url, '/ws/mark_me', ev, ann!);
      expect(await m1.p.json()).toEqual(joinedFrame(ann!));
      prepare(m1.p, bob!);
      expect(await m1.p.next()).toBe(okText('prepared'));
      m1.p.send({ message: 'confirm_marking' });
      expect((await m1.p.json()).message).toBe('marked');
      expect(await bobW.next()).toBe(okText('was_marked', { user_id: u1!.user.id }));
      await Promise.all([m1.p.close(), annAgain.close()]);
    } finally {
      if (node.proc.exitCode === null && node.proc.signalCode === null) node.proc.kill('SIGKILL');
    }
  });

  it('Redis stopped: a marking on A still reaches the marked person on B (read back from the database)', async () => {
    const [boss, u1, ann] = await people(a, 3);
    const ev = await eventFixture(a, boss!, [u1!, ann!]);
    const m1 = await marker(a.url, ev, u1!);
    const annW = await open(b.url, '/ws/mark_me', ev, ann!);
    expect(await m1.p.json()).toEqual(joinedFrame(ann!));
    await redis.stop();
    try {
      prepare(m1.p, ann!);
      expect(await m1.p.next()).toBe(okText('prepared'));
      m1.p.send({ message: 'confirm_marking' });
      expect((await m1.p.json()).message).toBe('marked');
      // B never hears it on the bus; its next tick finds the room's log ahead of its socket.
      expect(await annW.next(5000)).toBe(okText('was_marked', { user_id: u1!.user.id }));
      expect((await annW.closed).code).toBe(1000);
      await m1.p.close();
    } finally {
      redis = await startRedis(redis.port);
    }
  });
});
