import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, ROOT_PASSWORD } from '../helpers/gateway.js';
import { judgeLogin } from '../helpers/http.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INSTANCES = fileURLToPath(new URL('../../../shared/carp/instances/', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arena-scripts-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('npm run migrate', () => {
  it('applies what is pending, then finds the database up to date', () => {
    const run = () =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/node/migrate.ts'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: `file:${join(dir, 'm.db')}` },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const first = run();
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^applied: 0001_identity\.sql, 0002_judge\.sql/);
    const second = run();
    expect(second.stdout.trim()).toBe('database is up to date');
  });
});

describe('GET /api/system/addtestdata with TESTDATA_DIR', () => {
  it('adds every shipped instance (read in place) as a dataset, once', async () => {
    const gw = await startTestGateway({ TESTDATA_DIR: INSTANCES });
    try {
      const root = await judgeLogin(gw.url, 'root', ROOT_PASSWORD);
      expect((await root.get('/api/system/addtestdata')).text).toBe('done');
      expect((await root.get('/api/system/addtestdata')).text).toBe('done');
      const names = (await root.get('/api/dataset/all')).json.datasets.map((d: { name: string }) => d.name);
      expect(names).toHaveLength(92);
      expect(names).toEqual(expect.arrayContaining(['gdb1', 'val10D', 'egl-s4-C', 'EGL-G2-E', 'sample']));
      const user = await judgeLogin(gw.url, 'user1', 'user1');
      expect((await user.get('/api/user/info')).json).toMatchObject({ username: 'user1', type: 200 });
    } finally {
      await gw.stop();
    }
  });
});

describe('GraphiQL', () => {
  it('is served at /graphql to a browser', async () => {
    const gw = await startTestGateway();
    try {
      const res = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toMatch(/graphiql/i);
    } finally {
      await gw.stop();
    }
  });
});
