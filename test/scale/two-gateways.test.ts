// Scale-out on real servers (issue #10): two gateway processes (the real Node entry, each its own
// process, so no module state is shared) on one real libSQL server (sqld) and one real Redis,
// behind no load balancer: a client may reach either. Sessions, the dataset list, lobby rooms and
// the judge queue work across them, each read through the public doors. BLOB_DIR is shared: on
// Node the archives are files, so the nodes need one volume for them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayClient, type GatewayClient } from '../../judge/gateway-client.js';
import { gql, trpc } from '../helpers/doors.js';
import { Client, judgeLogin } from '../helpers/http.js';
import { type MainProcess, startMain } from '../helpers/main-process.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startSqld, type TestSqld } from '../helpers/sqld.js';
import { expectSpringError } from '../judge-api/support.js';
import { archive, GDB10, INVALID_REPORT } from '../judge-service/support.js';
import { connect, type Peer, wsUrl } from '../rooms/support.js';

const ROOT_PASSWORD = 'scale-root-pw-1';
const PW = 'scale-user-pw';

let sqld: TestSqld;
let redis: TestRedis;
let dir: string;
let a: MainProcess;
let b: MainProcess;
let rootA: Client;
let rootB: Client;
const open: Peer[] = [];

/** The same session on another node: the cookie as the browser would send it there. */
function sameSessionOn(base: string, c: Client): Client {
  const other = new Client(base);
  other.cookies.set('JSESSIONID', c.cookies.get('JSESSIONID')!);
  return other;
}
const datasetIds = async (c: Client) => ((await c.get('/api/dataset/all')).json.datasets as { id: string }[]).map((d) => d.id);

beforeAll(async () => {
  [sqld, redis] = await Promise.all([startSqld(), startRedis()]);
  dir = await mkdtemp(join(tmpdir(), 'arena-scale-'));
  const env = {
    HOST: '127.0.0.1',
    DATABASE_URL: sqld.url,
    REDIS_URL: redis.url,
    BLOB_DIR: join(dir, 'blobs'),
    ROOT_PASSWORD,
    JWT_SECRET: 'scale-secret-scale-secret-scale-secret-01',
    RATE_LIMIT_PER_MINUTE: '0',
  };
  // One after the other: the first migrates the fresh database (no judge: the test is the worker).
  a = await startMain(env, ['--no-judge']);
  b = await startMain(env, ['--no-judge']);
  rootA = await judgeLogin(a.url, 'root', ROOT_PASSWORD);
  rootB = sameSessionOn(b.url, rootA);
  for (const [username, type] of [
    ['ann', 200],
    ['bob', 200],
    ['cat', 200],
    ['worker1', 300],
  ] as const) {
    expect((await rootA.post('/api/admin/user/add', { username, password: PW, type })).status).toBe(200);
  }
});
afterAll(async () => {
  for (const p of open.splice(0)) p.ws.terminate();
  for (const m of [a, b]) {
    if (m && m.proc.exitCode === null && m.proc.signalCode === null) {
      m.proc.kill('SIGTERM');
      await m.exited;
    }
  }
  await Promise.all([sqld?.stop(), redis?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('two gateways, one sqld, one Redis', () => {
  it('a judge session from A works on B; logged out on A, the very next request on B is refused', async () => {
    const ann = await judgeLogin(a.url, 'ann', PW);
    const onB = sameSessionOn(b.url, ann);
    const me = (await onB.get('/api/user/info')).json;
    expect(me).toMatchObject({ username: 'ann', type: 200 });
    // B has the session cached now; the logout on A must reach B's cache (by the bus), not wait it out.
    expect((await ann.get('/api/logout')).status).toBe(200);
    expectSpringError(await onB.get('/api/user/info'), 403, 'Not logged in!', '/api/user/info');
    expectSpringError(await onB.get('/api/logout'), 403, 'Not logged in!', '/api/logout');
  });

  it('a bearer token from A works on B, over tRPC and GraphQL', async () => {
    const { token, user } = await trpc(a.url).auth.login.mutate({ username: 'bob', password: PW });
    const bearer = { authorization: `Bearer ${token}` };
    expect(await trpc(b.url, bearer).auth.me.query()).toMatchObject({ id: user.id, username: 'bob' });
    expect((await gql(b.url, '{ me { username } }', {}, bearer)).data.me).toEqual({ username: 'bob' });
  });

  it('a dataset added on A is listed by B at once (its list cache dropped across nodes)', async () => {
    const before = await datasetIds(rootB); // fills B's cache
    const added = await rootA.post('/api/dataset/add', { name: 'scale-gdb10', time: 5, memory: 256, cpu: 1, data: GDB10 });
    expect(added.status).toBe(200);
    const after = await datasetIds(rootB);
    expect([...after].sort()).toEqual([...before, added.json.id].sort());
    expect(after).toEqual(await datasetIds(rootA));
  });

  it('one lobby on both nodes: frames, joins and leaves cross both ways, as on one node', async () => {
    const login = (base: string, username: string) => trpc(base).auth.login.mutate({ username, password: PW });
    const [ann, bob] = await Promise.all([login(a.url, 'ann'), login(b.url, 'bob')]);
    const team = await trpc(a.url, { authorization: `Bearer ${ann.token}` }).training.teams.create.mutate({ name: 'Owls', members: ['bob', 'cat'] });
    const lobby = async (base: string, who: typeof ann) => {
      const p = await connect(wsUrl(base, '/ws/lobby', { team_id: String(team.id), user_id: who.user.id, token: who.token }));
      open.push(p);
      expect(await p.json()).toEqual({ type: 'USER_JOIN', payload: { userId: who.user.id } });
      return p;
    };
    const onA = await lobby(a.url, ann);
    const onB = await lobby(b.url, bob);
    expect(await onA.json()).toEqual({ type: 'USER_JOIN', payload: { userId: bob.user.id } });

    // A frame from A reaches B (and its sender), and the other way round: the same text everywhere.
    const fromA = JSON.stringify({ type: 'CONTEST_SELECTED', payload: { contestId: 7 } });
    onA.send(fromA);
    expect([await onA.next(), await onB.next()]).toEqual([fromA, fromA]);
    const user = { id: bob.user.id, login: 'bob' };
    const fromB = JSON.stringify({ type: 'USER', payload: { user } });
    onB.send(fromB);
    expect([await onA.next(), await onB.next()]).toEqual([fromB, fromB]);
    // What the frames recorded is read back on the other node.
    const rest = (base: string, path: string) => fetch(base + path, { headers: { authorization: `Bearer ${ann.token}` } }).then((r) => r.json());
    expect(await rest(a.url, `/teams/${team.id}/online`)).toEqual({ users: [user] });
    expect(await rest(b.url, `/lobby/${team.id}/selected-contest`)).toEqual({ contestId: 7 });

    await onB.close();
    expect(await onA.json()).toEqual({ type: 'USER_LEAVE', payload: { userId: bob.user.id } });
    await onA.close();
  });

  it('a case submitted on A is claimed, judged and reported through B, read on A, and handed out once', async () => {
    const [dataset] = await datasetIds(rootA);
    const workerA: GatewayClient = gatewayClient(a.url, 'worker1', PW);
    const workerB: GatewayClient = gatewayClient(b.url, 'worker1', PW);
    // B's worker is already waiting (long-poll) when A takes the case: B hands it out.
    const waiting = workerB.call((c) => c.worker.claim.mutate({ waitMs: 20_000 }));
    const cid = (await rootA.post('/api/judge/submit', { dataset, data: archive('good') })).json.cid as string;
    const claimed = await waiting;
    expect(claimed).toMatchObject({ id: cid, attempt: 1, dataset: { id: dataset } });
    const lease = { id: cid, leaseId: claimed!.leaseId };
    // Not handed out again, by either node, even asked at once.
    const again = await Promise.all([workerA, workerB, workerA, workerB].map((w) => w.call((c) => c.worker.claim.mutate({}))));
    expect(again).toEqual([null, null, null, null]);

    const zip = await workerB.call((c) => c.worker.archive.query(lease));
    expect(Buffer.from(zip, 'base64').subarray(0, 2).toString()).toBe('PK');
    await workerB.call((c) => c.worker.start.mutate(lease));
    expect((await rootA.get(`/api/judge/query?cid=${cid}`)).json).toMatchObject({ id: cid, status: 2, workerName: 'worker1' });
    await workerB.call((c) => c.worker.report.mutate({ ...lease, result: INVALID_REPORT }));
    const done = (await rootA.get(`/api/judge/query?cid=${cid}`)).json;
    expect(done).toMatchObject({ id: cid, status: 3, valid: false, cost: 0, reason: INVALID_REPORT.reason, time: 0.5, workerName: 'worker1' });
    // A second report through the other node is refused and changes nothing.
    await expect(
      workerA.call((c) => c.worker.report.mutate({ ...lease, result: { ...INVALID_REPORT, valid: true, cost: 1 } })),
    ).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });
    expect((await rootB.get(`/api/judge/query?cid=${cid}`)).json).toEqual(done);
  });

  it('broken: a bad session or an unknown case on B gets the usual error and changes nothing', async () => {
    const datasets = await datasetIds(rootA);
    const cases = (await rootA.get('/api/judge/get')).json;
    const forged = new Client(b.url);
    forged.cookies.set('JSESSIONID', 'f'.repeat(32));
    const body = { name: 'forged', time: 5, memory: 256, cpu: 1, data: GDB10 };
    expectSpringError(await forged.post('/api/dataset/add', body), 403, 'Not logged in!', '/api/dataset/add');
    const [dataset] = datasets;
    expectSpringError(await forged.post('/api/judge/submit', { dataset, data: archive('good') }), 403, 'Not logged in!', '/api/judge/submit');
    const unknown = '0123456789abcdef01234567';
    expectSpringError(await rootB.get(`/api/judge/query?cid=${unknown}`), 404, 'Invalid case id!', '/api/judge/query');
    const worker = gatewayClient(b.url, 'worker1', PW);
    await expect(worker.call((c) => c.worker.report.mutate({ id: unknown, leaseId: 'forged', result: INVALID_REPORT }))).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });
    expect(await worker.call((c) => c.worker.claim.mutate({}))).toBeNull();
    expect(await datasetIds(rootB)).toEqual(datasets);
    expect((await rootB.get('/api/judge/get')).json).toEqual(cases);
  });
});
