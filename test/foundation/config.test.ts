import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('configuration', () => {
  it('has embedded defaults for every variable', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 8080,
      HOST: '127.0.0.1',
      DATABASE_URL: 'file:./data/arena.db',
      BLOB_DIR: './data/blobs',
      RATE_LIMIT_PER_MINUTE: 100,
      JUDGE_RUNNER: 'bwrap',
      JUDGE_CONCURRENCY: 1,
      ROOT_USERNAME: 'root',
    });
    expect(c.REDIS_URL).toBeUndefined();
  });

  it('reads lists, numbers and URLs', () => {
    const c = loadConfig({ PORT: '9000', INTEGRATION_API_KEY: 'a, b,,c', DATABASE_URL: 'libsql://db.example.io', JUDGE_RUNNER: 'docker' });
    expect(c.PORT).toBe(9000);
    expect(c.INTEGRATION_API_KEY).toEqual(['a', 'b', 'c']);
    expect(c.DATABASE_URL).toBe('libsql://db.example.io');
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'postgres://x'],
    ['REDIS_URL', 'not a url'],
    ['JUDGE_RUNNER', 'chroot'],
    ['JWT_SECRET', 'short'],
    ['RATE_LIMIT_PER_MINUTE', '-1'],
  ])('rejects %s=%s with one line naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      expect((err as Error).message).toMatch(new RegExp(`^Invalid configuration: ${name}: `));
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('stops the real start-up with that one line and exit code 1', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/node/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: PORT: /)]);
  });
});
