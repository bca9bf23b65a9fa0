import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client } from '../helpers/http.js';
import { expectRejected, makeActors, OBJECT_ID, type Actors } from './support.js';

let gw: TestGateway;
let a: Actors;
const P = '/api/dataset/add';
const good = { name: 'gdb1', time: 10, memory: 256, cpu: 1, data: 'NAME : gdb1\n' };

beforeAll(async () => {
  gw = await startTestGateway();
  a = await makeActors(gw);
  expect((await a.root.post(P, good)).status).toBe(200);
});
afterAll(async () => {
  await gw?.stop();
});

describe('POST /api/dataset/add', () => {
  const with_ = (patch: Record<string, unknown>) => {
    const b: Record<string, unknown> = { ...good, name: 'fresh', ...patch };
    for (const k of Object.keys(b)) if (b[k] === undefined) delete b[k];
    return b;
  };

  const cases: [string, unknown, number, string | RegExp][] = [
    ['no name', with_({ name: undefined }), 400, 'No name specified!'],
    ['empty name', with_({ name: '' }), 400, 'No name specified!'],
    ['null name', with_({ name: null }), 400, 'No name specified!'],
    ['name too long', with_({ name: 'n'.repeat(129) }), 400, 'Name too long!'],
    ['duplicate name', with_({ name: 'gdb1' }), 409, 'Dataset name already exists!'],
    ['no data', with_({ data: undefined }), 400, 'No data!'],
    ['empty data', with_({ data: '' }), 400, 'No data!'],
    ['no cpu', with_({ cpu: undefined }), 400, 'No cpu!'],
    ['zero cpu', with_({ cpu: 0 }), 400, 'No cpu!'],
    ['negative cpu', with_({ cpu: -1 }), 400, 'No cpu!'],
    ['no memory', with_({ memory: undefined }), 400, 'No memory!'],
    ['zero memory', with_({ memory: 0 }), 400, 'No memory!'],
    ['no time', with_({ time: undefined }), 400, 'No time!'],
    ['negative time', with_({ time: -10 }), 400, 'No time!'],
    ['too many cpus', with_({ cpu: 65 }), 400, 'Too many cpus!'],
    ['too much memory', with_({ memory: 65537 }), 400, 'Too much memory!'],
    ['too much time', with_({ time: 3601 }), 400, 'Too much time!'],
    ['string time', with_({ time: '10' }), 400, /./],
    ['fractional cpu', with_({ cpu: 1.5 }), 400, /./],
    ['huge memory', with_({ memory: 1e300 }), 400, /./],
    ['boolean memory', with_({ memory: true }), 400, /./],
    ['number name', with_({ name: 12 }), 400, /./],
    ['number data', with_({ data: 12 }), 400, /./],
    ['object data', with_({ data: { a: 1 } }), 400, /./],
    ['a JSON array', [good], 400, /./],
    ['bad JSON', '{"name": "x", ', 400, /./],
    ['not JSON', 'name=x&time=1', 400, /./],
  ];
  it.each(cases)('%s -> %#', async (_n, body, status, message) => {
    await expectRejected(gw, () => a.admin.post(P, body), status, message, P);
  });

  it('the session is checked before the body', async () => {
    await expectRejected(gw, () => new Client(gw.url).post(P, {}), 403, 'Not logged in!', P);
    await expectRejected(gw, () => a.user.post(P, {}), 403, 'Permission denied!', P);
    await expectRejected(gw, () => a.worker.post(P, good), 403, 'Permission denied!', P);
  });

  it('the name is checked for duplicates before the other fields (as the original)', async () => {
    await expectRejected(gw, () => a.admin.post(P, { name: 'gdb1' }), 409, 'Dataset name already exists!', P);
  });

  it('bounds are inclusive; ADMIN may add; the list shows each once, in creation order, without data', async () => {
    const r = await a.admin.post(P, { name: 'n'.repeat(128), time: 3600, memory: 65536, cpu: 64, data: 'x' });
    expect(r.status, r.text).toBe(200);
    expect(r.json.id).toMatch(OBJECT_ID);
    const all = await a.user.get('/api/dataset/all');
    expect(all.status).toBe(200);
    expect(all.json.datasets.map((d: { name: string }) => d.name)).toEqual(['gdb1', 'n'.repeat(128)]);
    expect(all.json.datasets[1]).toEqual({ id: r.json.id, name: 'n'.repeat(128), time: 3600, memory: 65536, cpu: 64 });
  });

  it('two parallel adds of the same name: one 200, one 409, one row', async () => {
    const body = { ...good, name: 'race' };
    const rs = await Promise.all([a.root.post(P, body), a.admin.post(P, body), a.root.post(P, body)]);
    expect(rs.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const all = await a.root.get('/api/dataset/all');
    expect(all.json.datasets.filter((d: { name: string }) => d.name === 'race')).toHaveLength(1);
  });
});

describe('GET /api/dataset/all', () => {
  it('ignores a body and query string; is 405 for POST', async () => {
    expect((await a.user.get('/api/dataset/all?x=1')).status).toBe(200);
    await expectRejected(gw, () => a.root.post('/api/dataset/all', good), 405, "Request method 'POST' not supported", '/api/dataset/all');
  });
});
