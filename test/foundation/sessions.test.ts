import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const rows = async () => {
  const db = createClient({ url: gw.dbUrl });
  try {
    return (await db.execute('SELECT id_hash, expires_at FROM sessions')).rows;
  } finally {
    db.close();
  }
};

describe('sessions', () => {
  it('store only a hash of the id, expire, and are purged once expired', async () => {
    const root = (await gw.services.users.byUsername('root'))!;
    const live = await gw.services.sessions.create(root.id, 'judge');
    const short = await gw.services.sessions.create(root.id, 'judge', 50);
    expect(live.id).toMatch(/^[0-9a-f]{32}$/);
    const stored = await rows();
    expect(stored.map((r) => r.id_hash)).not.toContain(live.id);
    expect(await gw.services.sessions.resolve(short.id)).toMatchObject({ username: 'root' });
    await new Promise((r) => setTimeout(r, 80));
    expect(await gw.services.sessions.resolve(short.id)).toBeNull(); // the cache keeps no session past its expiry
    await gw.services.sessions.purgeExpired();
    expect(await rows()).toHaveLength(1);
    expect(await gw.services.sessions.resolve(live.id)).toMatchObject({ username: 'root' });
    await gw.services.sessions.revoke(live.id);
    expect(await gw.services.sessions.resolve(live.id)).toBeNull();
  });

  it('ignore ids that are not 32 lowercase hex characters', async () => {
    for (const bad of ['', 'x', 'A'.repeat(32), '0'.repeat(31), `${'0'.repeat(32)}'--`]) {
      expect(await gw.services.sessions.resolve(bad)).toBeNull();
    }
  });
});
