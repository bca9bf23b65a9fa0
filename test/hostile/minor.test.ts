// Issue 13's point 9: a solver archive that cannot be unpacked is refused at submit (before the
// daily quota is spent), 405 answers name the allowed methods, and the OpenAPI document says
// what the social API really answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_INVALID, readSolverArchive } from '../../src/carp/archive.js';
import { ROOT_PASSWORD, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { judgeLogin } from '../helpers/http.js';
import { zipBase64 } from '../helpers/zip.js';
import { GDB10 } from '../judge-service/support.js';
import { createUsers, expectOk, socialLogin } from '../social-api/support.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ INTEGRATION_API_KEY: 'key-1' });
});
afterAll(() => gw?.stop());

const SOLVER = 'print("s 0")\n';

describe('an archive with a file that is also a folder (a and a/b)', () => {
  it('is invalid to the archive reader, in either order', () => {
    for (const files of <Record<string, string>[]>[
      { 'CARP_solver.py': SOLVER, a: 'x', 'a/b': 'y' },
      { 'CARP_solver.py': SOLVER, 'a/b': 'y', a: 'x' },
      { 'top/CARP_solver.py': SOLVER, 'top/a': 'x', 'top/a/b/c': 'y' },
    ]) {
      expect(readSolverArchive(Buffer.from(zipBase64(files), 'base64'))).toEqual({ ok: false, message: ARCHIVE_INVALID });
    }
    // Folders beside files are fine.
    expect(readSolverArchive(Buffer.from(zipBase64({ 'CARP_solver.py': SOLVER, 'a/b': 'y', 'a/c/d': 'z' }), 'base64')).ok).toBe(true);
  });

  it('is refused at submit with the judge’s message, and the quota is not spent', async () => {
    await gw.services.users.create({ username: 'submitter', password: 'submitter-pw', judgeType: 200 });
    const root = await judgeLogin(gw.url, 'root', ROOT_PASSWORD);
    const dataset = (await root.post('/api/dataset/add', { name: 'gdb10-minor', time: 5, memory: 256, cpu: 1, data: GDB10 })).json.id;
    const user = await judgeLogin(gw.url, 'submitter', 'submitter-pw');
    const remain = async () => (await user.get('/api/judge/remain')).json.remain;
    const before = await remain();
    expect(before).toBe(10); // JUDGE_DAILY_LIMIT's default, none spent yet
    const r = await user.post('/api/judge/submit', { dataset, data: zipBase64({ 'CARP_solver.py': SOLVER, a: 'x', 'a/b': 'y' }) });
    expect([r.status, r.json.message]).toEqual([400, ARCHIVE_INVALID]);
    expect(await remain()).toBe(before);
  });
});

describe('405 answers carry Allow', () => {
  it('the judge API: the path’s own methods, HEAD with GET (Spring)', async () => {
    const root = await judgeLogin(gw.url, 'root', ROOT_PASSWORD);
    for (const [method, path, allow] of [
      ['POST', '/api/dataset/all', 'GET, HEAD'],
      ['GET', '/api/judge/submit', 'POST'],
      ['DELETE', '/api/user/info', 'GET, HEAD'],
      ['PUT', '/', 'GET, HEAD'],
    ] as const) {
      const r = await root.request(method, path, method === 'GET' ? undefined : {});
      expect([r.status, r.headers.get('allow')], `${method} ${path}`).toEqual([405, allow]);
    }
  });

  it('the integration API: the route’s method (Tornado)', async () => {
    for (const [method, path, allow] of [
      ['POST', '/get_user', 'GET'],
      ['GET', '/create_user', 'POST'],
    ] as const) {
      const r = await fetch(`${gw.url}${path}`, { method, headers: { 'x-integration-api-key': 'key-1' } });
      expect([r.status, r.headers.get('allow')], `${method} ${path}`).toEqual([405, allow]);
      expect(await r.json()).toMatchObject({ status: 'error', message: 'Method Not Allowed' });
    }
  });
});

describe('the OpenAPI document and the social API agree', () => {
  it('FindByName answers a bare array; GetProfile’s pic can be null', async () => {
    const doc = await (await fetch(`${gw.url}/openapi.json`)).json();
    const answer = (path: string) => doc.paths[path].get.responses['200'].content['application/json'].schema.properties.response;
    expect(answer('/api/profile/FindByName')).toMatchObject({ type: 'array', items: { required: ['user_id', 'display_name'] } });
    expect(answer('/api/profile/GetProfile').properties.pic).toEqual({ type: ['string', 'null'] });

    const ids = await createUsers(gw, ['profiled']);
    const c = await socialLogin(gw, 'profiled');
    expect(expectOk(await c.get(`/api/profile/GetProfile?user_id=${ids.profiled}`)).pic).toBeNull();
    expect(Array.isArray(expectOk(await c.get('/api/profile/FindByName?display_name_part=profil')))).toBe(true);
  });
});
