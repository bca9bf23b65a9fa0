// `npm run edge:dev` as a developer runs it: the Worker under workerd with its own sqld, migrated
// and given ROOT, answering on EDGE_PORT; Ctrl-C (SIGINT) stops the Worker and the database.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { judgeLogin } from '../helpers/http.js';
import { freePort } from '../helpers/redis.js';
import { waitFor } from '../rooms/support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Command lines of live processes that contain `text`. */
async function processesNaming(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(text)) found.push(cmd.replace(/\0/g, ' '));
  }
  return found;
}

describe('npm run edge:dev', () => {
  it('serves the Worker on EDGE_PORT over a sqld of its own under EDGE_DATA_DIR, and Ctrl-C stops both', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arena-edge-dev-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const dev = spawn('node_modules/.bin/tsx', ['src/node/edge-dev.ts'], {
      cwd: ROOT,
      env: { ...process.env, EDGE_PORT: String(port), EDGE_DATA_DIR: dir, ROOT_PASSWORD: 'edge-dev-root', INTEGRATION_API_KEY: 'dev-key-1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    dev.stdout.on('data', (d) => (out += d));
    dev.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));
    try {
      const up = () =>
        fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
      await waitFor('the Worker to answer', up, 90_000);
      expect(out).toMatch(/created ROOT user 'root'/);
      const root = await judgeLogin(base, 'root', 'edge-dev-root');
      expect((await root.get('/api/user/info')).json).toMatchObject({ username: 'root', type: 0 });
      // A variable passed on as a Worker var: the integration API takes its key, and no other.
      const withKey = async (key: string) => (await fetch(`${base}/get_user?username=root`, { headers: { 'x-integration-api-key': key } })).status;
      expect([await withKey('dev-key-1'), await withKey('another-key')]).toEqual([200, 403]);
      expect(await readdir(dir)).toEqual(expect.arrayContaining(['db.sqld', 'wrangler']));
      dev.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(await up()).toBe(false);
      // Nothing it started runs on: no process names its data dir (sqld's --db-path, wrangler's --persist-to).
      expect(await processesNaming(dir)).toEqual([]);
    } finally {
      if (dev.exitCode === null) dev.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
