import { createHash } from 'node:crypto';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { hashPassword, isCurrentHash, registerPasswordScheme, verifyPassword } from '../../src/identity/password.js';
import { startTestGateway } from '../helpers/gateway.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

async function userRow(dbUrl: string, username: string) {
  const db = createClient({ url: dbUrl });
  try {
    return (await db.execute({ sql: 'SELECT password_hash, ha1 FROM users WHERE username = ?', args: [username] })).rows[0]!;
  } finally {
    db.close();
  }
}

describe('passwords', () => {
  it('are PBKDF2-SHA256 with a random salt, never stored in clear', async () => {
    const a = await hashPassword('secret');
    const b = await hashPassword('secret');
    expect(a).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret');
    expect(await verifyPassword('secret', a)).toBe(true);
    expect(await verifyPassword('Secret', a)).toBe(false);
    expect(await verifyPassword('secret', 'garbage')).toBe(false);
    expect(isCurrentHash(a)).toBe(true);
  });

  it('keep the quiz HA1 = MD5(login:password) beside the hash while QUIZ_HA1 is on, and not when off', async () => {
    for (const [flag, expected] of [
      ['on', md5('alice:pw-1')],
      ['off', null],
    ] as const) {
      const gw = await startTestGateway({ QUIZ_HA1: flag });
      try {
        const u = await gw.services.users.create({ username: 'alice', password: 'pw-1', judgeType: 200 });
        expect((await userRow(gw.dbUrl, 'alice')).ha1).toBe(expected);
        await gw.services.users.setPassword(u.id, 'pw-2');
        expect((await userRow(gw.dbUrl, 'alice')).ha1).toBe(flag === 'on' ? md5('alice:pw-2') : null);
      } finally {
        await gw.stop();
      }
    }
  });

  it('upgrade a foreign hash to PBKDF2 (and write HA1) at the first successful login', async () => {
    // A scheme registered the way the integration API registers bcrypt.
    registerPasswordScheme('test$', (pw, stored) => stored === `test$${pw}`);
    const gw = await startTestGateway();
    try {
      await gw.services.users.create({ username: 'bob', passwordHash: 'test$hunter2', judgeType: 200 });
      expect((await userRow(gw.dbUrl, 'bob')).ha1).toBeNull();
      expect(await gw.services.users.verify('bob', 'wrong')).toBeNull();
      expect(await gw.services.users.verify('bob', 'hunter2')).toMatchObject({ username: 'bob' });
      const row = await userRow(gw.dbUrl, 'bob');
      expect(isCurrentHash(String(row.password_hash))).toBe(true);
      expect(row.ha1).toBe(md5('bob:hunter2'));
      expect(await gw.services.users.verify('bob', 'hunter2')).toMatchObject({ username: 'bob' });
    } finally {
      await gw.stop();
    }
  });
});
