import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, trpc } from '../helpers/doors.js';
import { startTestGateway, ROOT_PASSWORD, type TestGateway } from '../helpers/gateway.js';
import { type Client, judgeLogin } from '../helpers/http.js';
import { GOOD_SOLVER, zipBase64 } from '../helpers/zip.js';

const INSTANCE =
  'NAME : tiny\nVERTICES : 2\nDEPOT : 1\nREQUIRED EDGES : 1\nNON-REQUIRED EDGES : 0\nVEHICLES : 1\nCAPACITY : 5\nTOTAL COST OF REQUIRED EDGES : 1\nNODES       COST         DEMAND\n1   2   1       1\nEND';

let gw: TestGateway;
let rest: Client;
let token: string;
let datasetId: string;
let caseIds: string[];

/** Jackson's +0000 form and ISO's Z form are the same instant. */
const instant = (s: string | null) => (s === null ? null : Date.parse(s.replace('+0000', 'Z')));
const normCase = (c: any) => ({ ...c, submitTime: instant(c.submitTime), judgeTime: instant(c.judgeTime) });

beforeAll(async () => {
  gw = await startTestGateway();
  const root = await judgeLogin(gw.url, 'root', ROOT_PASSWORD);
  datasetId = (await root.post('/api/dataset/add', { name: 'tiny', time: 5, memory: 128, cpu: 1, data: INSTANCE })).json.id;
  await root.post('/api/admin/user/add', { username: 'alice', password: 'alice-pw', type: 200 });
  await root.post('/api/admin/user/add', { username: 'bob', password: 'bob-pw', type: 200 });
  rest = await judgeLogin(gw.url, 'alice', 'alice-pw');
  caseIds = [];
  for (let i = 0; i < 3; i++)
    caseIds.push((await rest.post('/api/judge/submit', { dataset: datasetId, data: zipBase64({ 'CARP_solver.py': GOOD_SOLVER }) })).json.cid);
  // Finished verdicts for the leaderboard, written as the judge would.
  const db = createClient({ url: gw.dbUrl });
  await db.execute({
    sql: 'UPDATE cases SET status = 3, valid = 1, cost = 7, time = 1.5, judge_time = submit_time + 10 WHERE id = ?',
    args: [caseIds[0]!],
  });
  db.close();
  const bob = await judgeLogin(gw.url, 'bob', 'bob-pw');
  await bob.post('/api/judge/submit', { dataset: datasetId, data: zipBase64({ 'CARP_solver.py': GOOD_SOLVER }) });
  token = (await gql(gw.url, 'mutation { login(username: "alice", password: "alice-pw") { token } }')).data.login.token;
});

afterAll(() => gw?.stop());

describe('REST, GraphQL and tRPC over the same services', () => {
  it('give the same datasets', async () => {
    const viaRest = (await rest.get('/api/dataset/all')).json.datasets;
    const viaGql = (await gql(gw.url, '{ datasets { id name time memory cpu } }', {}, { authorization: `Bearer ${token}` })).data.datasets;
    const viaTrpc = await trpc(gw.url, { authorization: `Bearer ${token}` }).judge.datasets.list.query();
    expect(viaRest).toHaveLength(1);
    expect(viaGql).toEqual(viaRest);
    expect(viaTrpc).toEqual(viaRest);
  });

  it('give the same case pages, single cases, quota and identity', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const page = (await rest.get('/api/judge/get?page=0&size=2')).json;
    const fields = 'id status submitTime judgeTime timedout outOverflow errOverflow time exitcode valid cost reason datasetId userId workerName';
    const g = (await gql(gw.url, `{ cases(page: 0, size: 2) { total carpCases { ${fields} } } }`, {}, auth)).data.cases;
    const t = await trpc(gw.url, auth).judge.cases.list.query({ page: 0, size: 2 });
    expect(page.total).toBe(3);
    expect(g.total).toBe(3);
    expect(t.total).toBe(3);
    expect(g.carpCases.map(normCase)).toEqual(page.carpCases.map(normCase));
    expect(t.carpCases.map(normCase)).toEqual(page.carpCases.map(normCase));

    const one = (await rest.get(`/api/judge/query?cid=${caseIds[0]}`)).json;
    const gOne = (await gql(gw.url, `query($id: ID!) { case(id: $id) { ${fields} } }`, { id: caseIds[0] }, auth)).data.case;
    const tOne = await trpc(gw.url, auth).judge.cases.get.query({ id: caseIds[0]! });
    expect(normCase(gOne)).toEqual(normCase(one));
    expect(normCase(tOne)).toEqual(normCase(one));

    const remain = (await rest.get('/api/judge/remain')).json;
    expect(remain).toEqual({ remain: 7, total: 10 });
    expect((await gql(gw.url, '{ remain { remain total } }', {}, auth)).data.remain).toEqual(remain);
    expect(await trpc(gw.url, auth).judge.remain.query()).toEqual(remain);

    const info = (await rest.get('/api/user/info')).json;
    const me = (await gql(gw.url, '{ me { id username type } }', {}, auth)).data.me;
    expect(me).toEqual({ id: info.uid, username: info.username, type: info.type });
    expect(await trpc(gw.url, auth).auth.me.query()).toEqual({ id: info.uid, username: info.username, judgeType: info.type });
  });

  it('give the same leaderboard', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const top = (await rest.get(`/api/judge/top?did=${datasetId}`)).json.carpCases;
    const g = (await gql(gw.url, 'query($d: ID!) { leaderboard(datasetId: $d) { userName datasetId submitTime time cost } }', { d: datasetId }, auth))
      .data.leaderboard;
    const t = await trpc(gw.url, auth).judge.leaderboard.query({ datasetId });
    expect(top).toEqual([expect.objectContaining({ userName: 'alice', datasetId, cost: 7, time: 1.5 })]);
    const norm = (e: any) => ({ ...e, submitTime: instant(e.submitTime) });
    expect(g.map(norm)).toEqual(top.map(norm));
    expect(t.map(norm)).toEqual(top.map(norm));
  });

  it('accept the legacy session cookie as well as a bearer token', async () => {
    const cookie = { cookie: `JSESSIONID=${rest.cookies.get('JSESSIONID')}` };
    expect((await gql(gw.url, '{ me { username } }', {}, cookie)).data.me).toEqual({ username: 'alice' });
    expect((await trpc(gw.url, cookie).auth.me.query())?.username).toBe('alice');
    expect((await gql(gw.url, '{ me { username } }', {}, { authorization: 'Bearer not-a-token' })).data.me).toBeNull();
  });

  it('apply the same rules: anonymous, wrong role, unknown ids, bad input', async () => {
    const anon = await gql(gw.url, '{ datasets { id } }');
    expect(anon.errors?.[0]).toMatchObject({ message: 'Not logged in!', extensions: { code: 'UNAUTHENTICATED' } });
    await expect(trpc(gw.url).judge.datasets.list.query()).rejects.toMatchObject({ message: 'Not logged in!', data: { code: 'UNAUTHORIZED' } });

    const auth = { authorization: `Bearer ${token}` };
    const denied = await gql(gw.url, 'mutation { addDataset(name: "x", time: 1, memory: 1, cpu: 1, data: "d") }', {}, auth);
    expect(denied.errors?.[0]).toMatchObject({ message: 'Permission denied!', extensions: { code: 'FORBIDDEN' } });
    await expect(trpc(gw.url, auth).judge.datasets.add.mutate({ name: 'x', time: 1, memory: 1, cpu: 1, data: 'd' })).rejects.toMatchObject({
      message: 'Permission denied!',
      data: { code: 'FORBIDDEN' },
    });

    const missing = await gql(gw.url, '{ case(id: "0123456789abcdef01234567") { id } }', {}, auth);
    expect(missing.errors?.[0]).toMatchObject({ message: 'Invalid case id!', extensions: { code: 'NOT_FOUND' } });
    await expect(trpc(gw.url, auth).judge.cases.get.query({ id: 'nope' })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    await expect(trpc(gw.url, auth).judge.submit.mutate({ dataset: datasetId, data: '***' })).rejects.toMatchObject({
      message: 'Invalid base64 data!',
      data: { code: 'BAD_REQUEST' },
    });
    const wrongType = await gql(gw.url, '{ cases(page: "x") { total } }', {}, auth);
    expect(wrongType.errors?.length).toBeGreaterThan(0);
  });

  it('refuse bodies over their limit with 413, before parsing them', async () => {
    const huge = JSON.stringify({ query: `{ me { id } }`, variables: { pad: 'x'.repeat(9 * 1024 * 1024) } });
    for (const path of ['/graphql', '/trpc/auth.login']) {
      const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge });
      expect(res.status, path).toBe(413);
    }
    // A chunked body (no Content-Length) under the limit is read whole (test/doors/graphql-body-limit.test.ts refuses one over it).
    const small = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(JSON.stringify({ query: '{ __typename }' })));
        c.close();
      },
    });
    const ok = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: small,
      duplex: 'half',
    } as RequestInit);
    expect(await ok.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('submit and add through GraphQL and tRPC land in the same store REST reads', async () => {
    const rootToken = (await gql(gw.url, `mutation { login(username: "root", password: "${ROOT_PASSWORD}") { token user { type } } }`)).data.login;
    expect(rootToken.user.type).toBe(0);
    const rauth = { authorization: `Bearer ${rootToken.token}` };
    const gId = (
      await gql(gw.url, 'mutation($d: String!) { addDataset(name: "via-gql", time: 2, memory: 64, cpu: 1, data: $d) }', { d: INSTANCE }, rauth)
    ).data.addDataset;
    const tId = (await trpc(gw.url, rauth).judge.datasets.add.mutate({ name: 'via-trpc', time: 2, memory: 64, cpu: 1, data: INSTANCE })).id;
    const userId = (await gql(gw.url, 'mutation { addUser(username: "carol", password: "carol-pw", type: 200) }', {}, rauth)).data.addUser;
    const names = (await rest.get('/api/dataset/all')).json.datasets.map((d: any) => [d.id, d.name]);
    expect(names).toEqual(
      expect.arrayContaining([
        [gId, 'via-gql'],
        [tId, 'via-trpc'],
      ]),
    );
    expect(userId).toMatch(/^[0-9a-f]{24}$/);

    const auth = { authorization: `Bearer ${token}` };
    const data = zipBase64({ 'CARP_solver.py': GOOD_SOLVER });
    const g = (await gql(gw.url, 'mutation($d: ID!, $z: String!) { submit(dataset: $d, data: $z) { cid remain } }', { d: datasetId, z: data }, auth))
      .data.submit;
    const t = await trpc(gw.url, auth).judge.submit.mutate({ dataset: datasetId, data });
    expect(g.remain).toBe(6);
    expect(t.remain).toBe(5);
    expect((await rest.get(`/api/judge/query?cid=${t.cid}`)).json.status).toBe(0);
  });
});
