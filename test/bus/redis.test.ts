import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trpc } from '../helpers/doors.js';
import { ROOT_PASSWORD, startPeerGateway, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { judgeLogin } from '../helpers/http.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { archive, GDB10, waitFor } from '../judge-service/support.js';
import type { Gateway } from '../../src/node/gateway.js';

let redis: TestRedis;
let a: TestGateway;
let b: Gateway;

beforeAll(async () => {
  redis = await startRedis();
  a = await startTestGateway({ REDIS_URL: redis.url });
  // A second node on the same database and the same Redis.
  b = await startPeerGateway(a, { REDIS_URL: redis.url });
});
afterAll(async () => {
  await b?.close();
  await a?.stop();
  await redis?.stop();
});

describe('two gateway nodes over one Redis bus', () => {
  it('a case submitted on one node wakes a judge long-polling on the other', async () => {
    const rootA = await judgeLogin(a.url, 'root', ROOT_PASSWORD);
    const datasetId = (await rootA.post('/api/dataset/add', { name: 'gdb10', time: 5, memory: 256, cpu: 1, data: GDB10 })).json.id;
    await rootA.post('/api/admin/user/add', { username: 'w', password: 'w-pw', type: 300 });
    const token = (await trpc(b.url).auth.login.mutate({ username: 'w', password: 'w-pw' })).token;
    const started = Date.now();
    const claim = trpc(b.url, { authorization: `Bearer ${token}` }).worker.claim.mutate({ waitMs: 20_000 });
    await new Promise((r) => setTimeout(r, 300));
    const cid = (await rootA.post('/api/judge/submit', { dataset: datasetId, data: archive('good') })).json.cid;
    expect((await claim)?.id).toBe(cid);
    expect(Date.now() - started).toBeLessThan(10_000); // woken, not timed out
  });

  it('a dataset added on one node is listed at once by the other (cache dropped over the bus)', async () => {
    const rootA = await judgeLogin(a.url, 'root', ROOT_PASSWORD);
    const rootB = await judgeLogin(b.url, 'root', ROOT_PASSWORD);
    const before = (await rootB.get('/api/dataset/all')).json.datasets.length;
    await rootA.post('/api/dataset/add', { name: 'fresh', time: 1, memory: 64, cpu: 1, data: GDB10 });
    await waitFor('node B to see the new dataset', async () => (await rootB.get('/api/dataset/all')).json.datasets.length === before + 1, 3000);
  });

  it('a session logged out on one node no longer works on the other', async () => {
    const root = await judgeLogin(a.url, 'root', ROOT_PASSWORD);
    const cookie = { cookie: `JSESSIONID=${root.cookies.get('JSESSIONID')}` };
    const onB = async () => (await fetch(`${b.url}/api/user/info`, { headers: cookie })).status;
    expect(await onB()).toBe(200); // now cached on B
    await root.get('/api/logout');
    await waitFor('node B to drop the session', async () => (await onB()) === 403, 3000);
  });

  it('keeps serving when Redis goes away, and the bus works again when it is back', async () => {
    const root = await judgeLogin(a.url, 'root', ROOT_PASSWORD);
    const datasetId = (await root.get('/api/dataset/all')).json.datasets[0].id;
    const pingRedis = async () => (await fetch(`${a.url}/health/ping-redis`)).status;
    expect(await pingRedis()).toBe(200);
    await redis.stop();
    expect(await pingRedis()).toBe(503);
    const r = await root.post('/api/judge/submit', { dataset: datasetId, data: archive('good') });
    expect(r.status).toBe(200); // stored; only the wake-up message was lost
    redis = await startRedis(redis.port);
    // Both nodes reconnect and resubscribe by themselves: a message from A reaches B again.
    const seen: unknown[] = [];
    const off = b.services.deps.bus.subscribe('test.ping', (m) => seen.push(m));
    await waitFor(
      'the bus to carry messages again',
      async () => {
        await a.services.deps.bus.publish('test.ping', { n: 1 });
        return seen.length > 0;
      },
      15_000,
    );
    off();
    expect(await pingRedis()).toBe(200);
  });
});
