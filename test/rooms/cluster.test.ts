// Rooms across gateway nodes sharing one libSQL file and one real redis-server: a broadcast
// crosses nodes in one order, the limit counts sockets on every node, a SIGKILLed node's slots
// are freed, and Redis stopped and restarted mid-session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/node/gateway.js';
import { publishRoomFrame } from '../../src/bus/room-frames.js';
import { ROOT_PASSWORD, startPeerGateway, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { trpc } from '../helpers/doors.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { LIMIT_REASON, connect, contestFixture, startSession, teamFixture, waitFor, wsUrl, type Peer, type Team } from './support.js';
import { startMain } from '../helpers/main-process.js';

const JWT_SECRET = 'test-secret-test-secret-test-secret-0123';

let redis: TestRedis;
let a: TestGateway;
let b: Gateway;
let t: Team;
const open: Peer[] = [];

beforeAll(async () => {
  redis = await startRedis();
  a = await startTestGateway({ REDIS_URL: redis.url });
  b = await startPeerGateway(a, { REDIS_URL: redis.url });
  t = await teamFixture(a);
});
afterAll(async () => {
  for (const p of open.splice(0)) p.ws.terminate();
  await b?.close();
  await a?.stop();
  await redis?.stop();
});

type Who = keyof Team['users'];
const room = (base: string, who: Who, sid = t.sid) =>
  wsUrl(base, '/ws/training', { training_session_id: sid, user_id: t.users[who].id, token: t.tokens[who] });

async function join(base: string, who: Who, sid?: string): Promise<Peer> {
  const p = await connect(room(base, who, sid));
  open.push(p);
  return p;
}
/** Joins and reads frames until this socket's own USER_JOIN. */
async function joined(base: string, who: Who, sid?: string): Promise<Peer> {
  const p = await join(base, who, sid);
  const f = await p.json();
  expect(f).toEqual({ type: 'USER_JOIN', payload: { userId: t.users[who].id } });
  return p;
}
/** A fresh training session of the same team (on a new contest): a room of its own per test. */
async function freshRoom(): Promise<string> {
  return startSession(a.url, t.tokens.ann, t.teamId, await contestFixture(a, `Cup ${crypto.randomUUID()}`));
}
/** Tries to join until admitted (USER_JOIN) or `timeoutMs` passes; closes refused tries. */
async function joinWhenFree(base: string, who: Who, sid: string, timeoutMs: number): Promise<Peer> {
  return waitFor(
    `a free slot for ${who}`,
    async () => {
      const p = await join(base, who, sid);
      const f = await p.json(2000).catch(() => null); // closed 1008: still full
      if (f?.type === 'USER_JOIN') return p;
      p.ws.terminate();
      return null;
    },
    timeoutMs,
  );
}

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
    },
    ['--no-judge'],
  );

describe('two gateway nodes, one Redis', () => {
  it('a broadcast crosses nodes, and every socket on every node sees one order', async () => {
    const sid = await freshRoom();
    const ann = await joined(a.url, 'ann', sid);
    const bob = await joined(b.url, 'bob', sid);
    expect(await ann.json()).toEqual({ type: 'USER_JOIN', payload: { userId: t.users.bob.id } });
    const cat = await joined(b.url, 'cat', sid);
    await ann.next();
    await bob.next();
    // Back to back from three sockets on two nodes.
    const N = 100;
    for (let i = 0; i < N; i++) {
      ann.send({ type: 'N', payload: { from: 'ann', i } });
      bob.send({ type: 'N', payload: { from: 'bob', i } });
      cat.send({ type: 'N', payload: { from: 'cat', i } });
    }
    const read = async (p: Peer) => {
      const seen: string[] = [];
      for (let i = 0; i < 3 * N; i++) seen.push(await p.next());
      return seen;
    };
    const [sa, sb, sc] = await Promise.all([read(ann), read(bob), read(cat)]);
    expect(sb).toEqual(sa);
    expect(sc).toEqual(sa);
    for (const from of ['ann', 'bob', 'cat']) {
      expect(
        sa
          .map((s) => JSON.parse(s).payload)
          .filter((p) => p.from === from)
          .map((p) => p.i),
      ).toEqual([...Array(N).keys()]);
    }
    // A server frame published on one node reaches the sockets of the other, in the same order too.
    await publishRoomFrame(a.services.deps, `training:${sid}`, { type: 'TRAINING_FINISHED', payload: null });
    for (const p of [ann, bob, cat]) expect(await p.next()).toBe('{"type":"TRAINING_FINISHED","payload":null}');
    // A leave on one node is announced on the other.
    await cat.close();
    expect(await ann.json()).toEqual({ type: 'USER_LEAVE', payload: { userId: t.users.cat.id } });
    await Promise.all([ann.close(), bob.close()]);
  });

  it('a subscription on one node sees the frames of sockets on the other', async () => {
    const sid = await freshRoom();
    const token = await a.services.tokens.sign(t.users.ann.id);
    const seen: string[] = [];
    const sub = trpc(b.url, { authorization: `Bearer ${token}` }).rooms.events.subscribe(
      { room: `training:${sid}` },
      { onData: (e) => seen.push(e.frame) },
    );
    try {
      await waitFor('the subscription to listen', async () => {
        await publishRoomFrame(a.services.deps, `training:${sid}`, { type: 'PROBE', payload: null });
        await new Promise((r) => setTimeout(r, 50));
        return seen.length > 0;
      });
      const ann = await joined(a.url, 'ann', sid);
      ann.send('{"type":"FROM_A","payload":1}');
      await ann.next();
      await waitFor('the frame on node B', () => seen.includes('{"type":"FROM_A","payload":1}'));
      await ann.close();
    } finally {
      sub.unsubscribe();
    }
  });

  it('the limit counts sockets on both nodes', async () => {
    const sid = await freshRoom();
    const ann = await joined(a.url, 'ann', sid);
    const bob = await joined(b.url, 'bob', sid);
    const cat = await joined(a.url, 'cat', sid);
    for (const node of [a.url, b.url]) {
      const dan = await join(node, 'dan', sid);
      expect(await dan.closed).toEqual({ code: 1008, reason: LIMIT_REASON });
    }
    await bob.close(); // a slot on B frees one for either node
    const dan = await joinWhenFree(a.url, 'dan', sid, 5000);
    const late = await join(b.url, 'bob', sid);
    expect((await late.closed).code).toBe(1008);
    await Promise.all([ann.close(), cat.close(), dan.close()]);
  });

  it("a SIGKILLed node's slots are freed (no leaked counts)", async () => {
    const sid = await freshRoom();
    const node = await startNode();
    try {
      const ann = await joined(a.url, 'ann', sid);
      const bob = await joined(node.url, 'bob', sid);
      const cat = await joined(node.url, 'cat', sid);
      const full = await join(a.url, 'dan', sid);
      expect((await full.closed).code).toBe(1008);
      node.proc.kill('SIGKILL');
      await Promise.all([bob.closed, cat.closed]);
      // Within the node TTL (5 s) its two slots count no more: two new sockets fit, not three.
      const started = Date.now();
      const dan = await joinWhenFree(a.url, 'dan', sid, 15_000);
      expect(Date.now() - started).toBeLessThan(12_000);
      const bob2 = await joined(a.url, 'bob', sid);
      const extra = await join(a.url, 'cat', sid);
      expect((await extra.closed).code).toBe(1008);
      await Promise.all([ann.close(), dan.close(), bob2.close()]);
    } finally {
      if (node.proc.exitCode === null && node.proc.signalCode === null) node.proc.kill('SIGKILL');
    }
  });

  it('Redis stopped mid-session: each node serves its own sockets; restarted: they rejoin', async () => {
    const sid = await freshRoom();
    const ann = await joined(a.url, 'ann', sid);
    const bob = await joined(b.url, 'bob', sid);
    await ann.next();

    await redis.stop();
    // Local broadcast: a frame from A reaches A's sockets (the sender), not B's.
    await waitFor(
      'node A to notice',
      async () => {
        ann.send({ type: 'LOCAL', payload: 'a' });
        return (await ann.json(1000).catch(() => null))?.type === 'LOCAL';
      },
      10_000,
    );
    bob.send({ type: 'LOCAL', payload: 'b' });
    expect(await bob.json()).toEqual({ type: 'LOCAL', payload: 'b' });
    // Local limit: each node counts its own sockets while Redis is away.
    const cat = await joined(a.url, 'cat', sid);
    expect((await ann.json()).type).toBe('USER_JOIN');
    const dan = await joined(a.url, 'dan', sid); // A holds 3 now (B's bob is not counted here)
    await ann.next();
    await cat.next();
    const eveTry = await join(a.url, 'ann', sid);
    expect((await eveTry.closed).code).toBe(1008);
    ann.inbox.length = 0;
    bob.inbox.length = 0;
    cat.inbox.length = 0;
    dan.inbox.length = 0;

    redis = await startRedis(redis.port);
    // Both nodes reconnect and resubscribe by themselves: frames cross nodes again.
    await waitFor(
      'frames to cross nodes again',
      async () => {
        ann.send({ type: 'BACK', payload: null });
        try {
          return (await bob.json(500)).type === 'BACK';
        } catch {
          return false;
        }
      },
      20_000,
    );
    // Both nodes' slots are back in Redis (4 sockets over a limit of 3: all kept, none admitted).
    await waitFor(
      'the slots to be written again',
      async () => {
        const p = await join(b.url, 'cat', sid);
        const r = await Promise.race([
          p.closed,
          p.json(1500).then(
            () => null,
            () => null,
          ),
        ]);
        if (r === null) p.ws.terminate();
        return r !== null && (r as { code: number }).code === 1008;
      },
      15_000,
    );
    await Promise.all([cat.close(), dan.close()]);
    // Two left: the room has 2 of 3, one more fits, on either node.
    const eve = await joinWhenFree(b.url, 'cat', sid, 10_000);
    const over = await join(a.url, 'dan', sid);
    expect((await over.closed).code).toBe(1008);
    await Promise.all([ann.close(), bob.close(), eve.close()]);
  });
});
