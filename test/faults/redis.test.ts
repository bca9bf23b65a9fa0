// Two gateway nodes on one libSQL file and one real redis-server, under a steady load of HTTP writes
// and reads on both and training-room sockets on both. Redis SIGKILLed mid-load: HTTP keeps
// answering (none of it needs Redis), each node serves its own sockets alone and counts the room
// limit alone; restarted on the same port: both nodes resubscribe and resync by themselves, comments
// broadcast across nodes again, the cluster-wide limit holds again, and no acknowledged write is
// lost. Hung (SIGSTOP): nothing waits on it past the Redis command timeout.
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/node/gateway.js';
import { ROOT_PASSWORD, startPeerGateway, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { judgeLogin } from '../helpers/http.js';
import { ANSWER_WITHIN_MS, type Answer, describeAnswer, startLanes, timedFetch } from '../helpers/load.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { archive, GDB10 } from '../judge-service/support.js';
import { connect, LIMIT_REASON, type Peer, type Team, teamFixture, waitFor, wsUrl } from '../rooms/support.js';

let redis: TestRedis;
let a: TestGateway;
let b: Gateway;
let t: Team;
let rootCookie: string;
let dataset: string;
const open: Peer[] = [];

beforeAll(async () => {
  redis = await startRedis();
  a = await startTestGateway({ REDIS_URL: redis.url });
  b = await startPeerGateway(a, { REDIS_URL: redis.url });
  t = await teamFixture(a);
  const root = await judgeLogin(a.url, 'root', ROOT_PASSWORD);
  rootCookie = `JSESSIONID=${root.cookies.get('JSESSIONID')}`;
  dataset = (await root.post('/api/dataset/add', { name: 'gdb10', time: 5, memory: 256, cpu: 1, data: GDB10 })).json.id;
});
afterAll(async () => {
  for (const p of open.splice(0)) p.ws.terminate();
  redis?.resume();
  await b?.close();
  await a?.stop();
  await redis?.stop();
});

type Node = 'a' | 'b';
const urlOf = (node: Node) => (node === 'a' ? a.url : b.url);
type Who = keyof Team['users'];

/** A training-room socket as `who` on a node, kept to be closed in afterAll. */
async function join(node: Node, who: Who): Promise<Peer> {
  const p = await connect(wsUrl(urlOf(node), '/ws/training', { training_session_id: t.sid, user_id: t.users[who].id, token: t.tokens[who] }));
  open.push(p);
  return p;
}
/** Joins and waits for its own USER_JOIN (admitted), or for its close (refused); either within the no-hang bound. */
async function tryJoin(node: Node, who: Who): Promise<{ peer: Peer; admitted: boolean; closed: { code: number; reason: string } | null }> {
  const peer = await join(node, who);
  const admitted = await peer.until('USER_JOIN', ANSWER_WITHIN_MS).then(
    () => true,
    () => false,
  );
  return { peer, admitted, closed: peer.closeInfo };
}

/** A socket admitted to the room (its USER_JOIN seen). */
async function joined(node: Node, who: Who): Promise<Peer> {
  const j = await tryJoin(node, who);
  expect(j.admitted, `${who} on ${node}`).toBe(true);
  return j.peer;
}

/** The comment texts a socket heard (PROBLEM_COMMENT_RECEIVED), whatever else it gets. */
function commentsHeard(peer: Peer): Set<string> {
  const heard = new Set<string>();
  peer.ws.on('message', (data) => {
    const f = JSON.parse(String(data));
    if (f.type === 'PROBLEM_COMMENT_RECEIVED') heard.add(f.payload.content);
  });
  return heard;
}

interface Write {
  kind: 'case' | 'comment';
  node: Node;
  key: string;
  answer: Answer;
}

const ok = (x: Answer) => x.status >= 200 && x.status < 300;

/** A judge submission as ROOT through a node (a row, and a case event on the bus). */
const submitCase = (node: Node) =>
  timedFetch(`${urlOf(node)}/api/judge/submit`, {
    method: 'POST',
    headers: { cookie: rootCookie, 'content-type': 'application/json' },
    body: JSON.stringify({ dataset, data: archive('good') }),
  });
/** A comment in the room through a node (a row, and PROBLEM_COMMENT_RECEIVED on the bus). */
const postComment = (node: Node, who: Who, content: string) =>
  timedFetch(`${urlOf(node)}/training-sessions/${t.sid}/problem/A/comments/send`, {
    method: 'POST',
    headers: { cookie: `sessionid=${t.tokens[who]}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content }),
  });

/**
 * On each node: judge submissions (ROOT), comments in the room (cat on A, dan on B: each a row
 * and a frame on the bus), and reads (the dataset list, /healthz). None of it needs Redis.
 */
function startLoad() {
  const writes: Write[] = [];
  const reads: Answer[] = [];
  let n = 0;
  const submit = (node: Node) => async () => {
    const answer = await submitCase(node);
    writes.push({ kind: 'case', node, key: answer.json?.cid ?? `refused-${n++}`, answer });
  };
  const comment = (node: Node, who: Who) => async () => {
    const key = `${node}-${n++}`;
    writes.push({ kind: 'comment', node, key, answer: await postComment(node, who, key) });
  };
  const read = (node: Node) => async () => {
    for (const path of ['/api/dataset/all', '/healthz']) reads.push(await timedFetch(`${urlOf(node)}${path}`, { headers: { cookie: rootCookie } }));
  };
  const lanes = startLanes([submit('a'), submit('b'), comment('a', 'cat'), comment('b', 'dan'), read('a'), read('b')]);
  return {
    writes,
    /** Comments acknowledged on `node` among those asked after `t0` (and answered before `t1`). */
    comments: (node: Node, t0: number, t1 = Number.POSITIVE_INFINITY) =>
      writes
        .filter((w) => w.kind === 'comment' && w.node === node && ok(w.answer) && w.answer.started >= t0 && w.answer.ended <= t1)
        .map((w) => w.key),
    all: () => [...writes.map((w) => w.answer), ...reads],
    stop: lanes.stop,
  };
}

const pingRedis = (node: Node) => timedFetch(`${urlOf(node)}/health/ping-redis`);

describe('Redis fails under load on two nodes', () => {
  it('SIGKILLed and restarted: HTTP answers throughout, rooms go node-local then rejoin, slots resync, no acknowledged write lost', async () => {
    const ann = await joined('a', 'ann');
    const bob = await joined('b', 'bob');
    const annHeard = commentsHeard(ann);
    const bobHeard = commentsHeard(bob);
    const load = startLoad();
    let down = 0;
    let settled = 0;
    let restarting = 0;
    const sockets: Peer[] = [];
    try {
      // Up: a comment posted on either node reaches the socket on the other.
      await waitFor(
        'comments across nodes',
        () => load.comments('a', 0).some((k) => bobHeard.has(k)) && load.comments('b', 0).some((k) => annHeard.has(k)),
        15_000,
      );

      await redis.kill();
      down = Date.now();
      for (const node of ['a', 'b'] as const) {
        const ping = await pingRedis(node);
        expect(ping.status, describeAnswer(ping)).toBe(503);
        expect(ping.json).toEqual({ detail: 'Redis is unavailable' });
      }
      // Each node delivers its own frames to its own sockets.
      await waitFor(
        'comments heard on their own node',
        () => load.comments('a', down).some((k) => annHeard.has(k)) && load.comments('b', down).some((k) => bobHeard.has(k)),
        15_000,
      );
      settled = Date.now();

      // Room admission without Redis: counted by each node alone, not refused outright. A Redis blip
      // must not lock a team out of its training; the overshoot is bounded (nodes x limit, here
      // A's 3 beside B's 1) and undone when Redis is back: the resync writes every held slot again
      // and no socket is admitted until the room is under its limit.
      const cat = await tryJoin('a', 'cat');
      const dan = await tryJoin('a', 'dan');
      expect([cat.admitted, dan.admitted]).toEqual([true, true]);
      sockets.push(cat.peer, dan.peer);
      const fourth = await tryJoin('a', 'bob');
      expect(fourth.closed).toEqual({ code: 1008, reason: LIMIT_REASON });
      await new Promise((r) => setTimeout(r, 1000)); // a second of load with Redis away

      restarting = Date.now();
      redis = await startRedis(redis.port);
      await waitFor(
        'comments across nodes again',
        () => load.comments('a', restarting).some((k) => bobHeard.has(k)) && load.comments('b', restarting).some((k) => annHeard.has(k)),
        20_000,
      );
      for (const node of ['a', 'b'] as const) expect((await pingRedis(node)).status).toBe(200);
      // The slots are back in Redis: A's 3 and B's 1 count together, so B admits no one ...
      await waitFor(
        'the room full across nodes again',
        async () => {
          const late = await tryJoin('b', 'cat');
          late.peer.ws.terminate();
          return late.closed?.code === 1008;
        },
        15_000,
      );
      // ... until two leave: then one more fits, on either node.
      await Promise.all([cat.peer.close(), dan.peer.close()]);
      const again = await waitFor(
        'a free slot',
        async () => {
          const j = await tryJoin('b', 'cat');
          if (!j.admitted) j.peer.ws.terminate();
          return j.admitted && j;
        },
        10_000,
      );
      sockets.push(again.peer);
      expect((await tryJoin('a', 'dan')).closed?.code).toBe(1008);
    } finally {
      await load.stop();
      await Promise.all([ann, bob, ...sockets].map((p) => p.close()));
    }

    // HTTP never needed Redis: every answer a success, and in time.
    for (const x of load.all()) {
      expect(ok(x), describeAnswer(x)).toBe(true);
      expect(x.ended - x.started, x.what).toBeLessThan(ANSWER_WITHIN_MS);
    }
    // A comment posted while Redis was away reached the sockets of its own node only.
    const awayA = load.comments('a', settled, restarting);
    const awayB = load.comments('b', settled, restarting);
    expect(awayA.length).toBeGreaterThan(0);
    expect(awayB.length).toBeGreaterThan(0);
    for (const k of awayA) expect([annHeard.has(k), bobHeard.has(k)], k).toEqual([true, false]);
    for (const k of awayB) expect([annHeard.has(k), bobHeard.has(k)], k).toEqual([false, true]);

    // Every acknowledged write is in the database (before, during and after the outage).
    const db = createClient({ url: a.dbUrl });
    try {
      const cases = new Set((await db.execute('SELECT id FROM cases')).rows.map((r) => r.id));
      const comments = new Set((await db.execute('SELECT content FROM training_comments')).rows.map((r) => r.content));
      const acknowledged = load.writes.filter((w) => ok(w.answer));
      for (const w of acknowledged) expect(w.kind === 'case' ? cases.has(w.key) : comments.has(w.key), `${w.kind} ${w.key} on ${w.node}`).toBe(true);
      const during = acknowledged.filter((w) => w.answer.started >= down && w.answer.ended <= restarting);
      expect(new Set(during.map((w) => `${w.kind} ${w.node}`)).size).toBe(4);
    } finally {
      db.close();
    }
  });

  it('hung (SIGSTOP): HTTP writes, socket handshakes and the Redis ping answered within bounds; going on (SIGCONT): comments cross nodes again', async () => {
    // Joined (not only open): the room's actor has nothing left to do when Redis stops answering.
    const ann = await joined('a', 'ann');
    const bob = await joined('b', 'bob');
    const bobHeard = commentsHeard(bob);
    redis.pause();
    try {
      const [submitted, commented, ping, cat] = await Promise.all([
        submitCase('a'),
        postComment('a', 'cat', 'while hung'),
        pingRedis('b'),
        tryJoin('b', 'cat'),
      ]);
      expect([submitted.status, commented.status], describeAnswer(submitted)).toEqual([200, 200]);
      for (const x of [submitted, commented]) expect(x.ended - x.started, x.what).toBeLessThan(ANSWER_WITHIN_MS);
      expect(ping.status, describeAnswer(ping)).toBe(503);
      expect(cat.admitted).toBe(true); // by B alone: 2 of 3
      await cat.peer.close();
    } finally {
      redis.resume();
    }
    await waitFor(
      'comments across nodes again',
      async () => {
        const key = `after-${crypto.randomUUID()}`;
        await postComment('a', 'cat', key);
        await new Promise((r) => setTimeout(r, 200));
        return bobHeard.has(key);
      },
      15_000,
    );
    await Promise.all([ann.close(), bob.close()]);
  });
});
