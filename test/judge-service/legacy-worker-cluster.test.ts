// The old workers' one-socket-per-worker rule across two gateway nodes sharing one libSQL file
// and one real redis-server: a second socket of the same account is refused with the judge
// API's 409 on either node, and a case submitted on one node is pushed to a worker on the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/node/gateway.js';
import { startPeerGateway, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { connectRaw, type OldWorker, WORKER_INFO, workerLogin } from './old-worker.js';
import { archive, judgeFixture, type JudgeFixture, waitFor } from './support.js';

let redis: TestRedis;
let a: TestGateway;
let b: Gateway;
let fx: JudgeFixture;
const open: OldWorker[] = [];

beforeAll(async () => {
  redis = await startRedis();
  a = await startTestGateway({ REDIS_URL: redis.url });
  b = await startPeerGateway(a, { REDIS_URL: redis.url });
  fx = await judgeFixture(a);
}, 60_000);
afterAll(async () => {
  for (const w of open.splice(0)) w.ws.terminate();
  await b?.close();
  await a?.stop();
  await redis?.stop();
});

async function connectTo(base: string): Promise<OldWorker> {
  const { uid, cookie } = await workerLogin(base, 'worker1', 'worker-pw');
  const w = await connectRaw(base, cookie, uid);
  if (typeof w === 'number') throw new Error(`handshake refused: ${w}`);
  open.push(w);
  return w;
}

const noWorkerRoom = () =>
  waitFor('both nodes to drop the socket', async () => a.rooms.stats('judge-worker').rooms + b.rooms.stats('judge-worker').rooms === 0, 10_000);

describe('one socket per old worker, across nodes', () => {
  for (const [first, second] of [
    ['a', 'b'],
    ['b', 'a'],
  ] as const) {
    it(`refuses a second socket on node ${second} while the worker is connected to node ${first}`, async () => {
      const node = { a: () => a.url, b: () => b.url };
      const w = await connectTo(node[first]());
      expect(await w.next()).toEqual({ type: WORKER_INFO });

      // Logged in on the other node: its session is good there, its socket is not.
      const { cookie } = await workerLogin(node[second](), 'worker1', 'worker-pw');
      // (The Node host answers a refused upgrade with its status and headers, no body.)
      expect(await connectRaw(node[second](), cookie)).toBe(409);
      // Nor on its own node.
      expect(await connectRaw(node[first](), cookie)).toBe(409);

      // Once the socket is gone, either node takes the worker again.
      w.ws.close();
      await noWorkerRoom();
      const again = await connectTo(node[second]());
      expect(await again.next()).toEqual({ type: WORKER_INFO });
      again.ws.close();
      await noWorkerRoom();
    });
  }

  it('pushes a case submitted on one node to the worker connected to the other', async () => {
    const w = await connectTo(b.url);
    await w.register(1);
    const cid = (await fx.root.post('/api/judge/submit', { dataset: fx.datasetId, data: archive('good') })).json.cid;
    expect((await w.caseData()).cid).toBe(cid);
    expect((await fx.root.get(`/api/judge/query?cid=${cid}`)).json).toMatchObject({ status: 1, workerName: 'worker1' });
  });
});
