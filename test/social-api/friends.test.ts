import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client } from '../helpers/http.js';
import { createUsers, expectEnvelope, expectOk, expectRefused, postForm, socialLogin } from './support.js';

let gw: TestGateway;
let ids: Record<string, string>;
const c: Record<string, Client> = {};
const NAMES = ['ann', 'ben', 'cat', 'dan', 'eve', 'fay', 'gus', 'hal'];

beforeAll(async () => {
  gw = await startTestGateway();
  ids = await createUsers(gw, NAMES);
  for (const n of NAMES) c[n] = await socialLogin(gw, n);
});

afterAll(() => gw?.stop());

const list = async (who: string) => expectOk(await c[who]!.get('/api/friends/GetFriendList')).friends;
const requests = async (who: string) => expectOk(await c[who]!.get('/api/friends/GetFriendRequests')).requests;
const send = (from: string, to: string) => c[from]!.post('/api/friends/SendFriendRequest', { user_id: ids[to] });
const remove = (from: string, to: string) => postForm(c[from]!, '/api/friends/RemoveFriend', { user_id: ids[to]! });

async function count(sql: string, args: string[] = []): Promise<number> {
  const db = createClient({ url: gw.dbUrl });
  try {
    return Number((await db.execute({ sql, args })).rows[0]!.n);
  } finally {
    db.close();
  }
}

describe('friends', () => {
  it('a request is pending for the sender and listed for the receiver; asking back makes friends', async () => {
    const r = await send('ann', 'ben');
    expect(r.text).toBe('{"error": 0, "error_msg": ""}');
    const annList = await c.ann!.get('/api/friends/GetFriendList');
    expect(annList.text).toBe(
      `{"error": 0, "error_msg": "", "response": {"friends": [{"user_id": "${ids.ben}", "display_name": "ben", "pending": true}]}}`,
    );
    expect(await list('ben')).toEqual([]);
    const benReq = await c.ben!.get('/api/friends/GetFriendRequests');
    expect(benReq.text).toBe(`{"error": 0, "error_msg": "", "response": {"requests": ["${ids.ann}"]}}`);
    expect(await requests('ann')).toEqual([]);

    expectOk(await postForm(c.ben!, '/api/friends/SendFriendRequest', { user_id: ids.ann! }));
    expect(await list('ann')).toEqual([{ user_id: ids.ben, display_name: 'ben', pending: false }]);
    expect(await list('ben')).toEqual([{ user_id: ids.ann, display_name: 'ann', pending: false }]);
    expect(await requests('ben')).toEqual([]);
  });

  it('yourself, unknown users, duplicates and missing ids get clear errors, storing nothing', async () => {
    await expectRefused(gw, () => send('ann', 'ben'), 3, 'Already friends');
    await expectRefused(gw, () => send('cat', 'cat'), 1, 'You cannot send a friend request to yourself');
    await expectRefused(
      gw,
      () => c.cat!.post('/api/friends/SendFriendRequest', { user_id: '0123456789abcdef01234567' }),
      1,
      'User profile does not exist',
    );
    await expectRefused(gw, () => c.cat!.post('/api/friends/SendFriendRequest', {}), 2, 'user_id');
    expectOk(await send('cat', 'dan'));
    await expectRefused(gw, () => send('cat', 'dan'), 3, 'Friend request already sent');
    await expectRefused(gw, () => remove('cat', 'cat'), 1, 'You cannot remove yourself from friends');
    await expectRefused(gw, () => remove('cat', 'eve'), 3, 'Not a friend and no friend request');
    await expectRefused(gw, () => c.cat!.post('/api/friends/RemoveFriend', { user_id: 'nobody' }), 1, 'User profile does not exist');
    await expectRefused(gw, () => c.cat!.post('/api/friends/RemoveFriend', {}), 2, 'user_id');
    // Methods and sessions as everywhere in this API.
    expect((await c.cat!.get(`/api/friends/SendFriendRequest?user_id=${ids.dan}`)).status).toBe(405);
    expect((await c.cat!.post('/api/friends/GetFriendList', {})).status).toBe(405);
    expect((await new Client(gw.url).get('/api/friends/GetFriendList')).status).toBe(302);
    expect((await new Client(gw.url).get('/api/friends/GetFriendRequests')).status).toBe(302);
    expectEnvelope(await new Client(gw.url).post('/api/friends/RemoveFriend', {}), 2, 'user_id');
  });

  it('RemoveFriend cancels your request, declines theirs, or ends a friendship', async () => {
    // cat -> dan is pending (previous test): cat withdraws it.
    expectOk(await remove('cat', 'dan'));
    expect(await list('cat')).toEqual([]);
    expect(await requests('dan')).toEqual([]);
    // eve -> fay: fay declines.
    expectOk(await send('eve', 'fay'));
    expectOk(await remove('fay', 'eve'));
    expect(await list('eve')).toEqual([]);
    // ann and ben are friends: either ends it.
    expectOk(await remove('ben', 'ann'));
    expect(await list('ann')).toEqual([]);
    expect(await list('ben')).toEqual([]);
    await expectRefused(gw, () => remove('ann', 'ben'), 3, 'Not a friend and no friend request');
  });

  it('two people asking each other at the same moment become friends, once', async () => {
    const pairs: [string, string][] = [
      ['ann', 'cat'],
      ['ben', 'dan'],
      ['eve', 'gus'],
      ['fay', 'hal'],
    ];
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(pairs.flatMap(([x, y]) => [send(x, y), send(y, x)]));
      for (const r of results) expectOk(r);
      for (const [x, y] of pairs) {
        expect(await list(x)).toEqual([{ user_id: ids[y], display_name: y, pending: false }]);
        expect(await list(y)).toEqual([{ user_id: ids[x], display_name: x, pending: false }]);
      }
      expect(await count('SELECT COUNT(*) AS n FROM social_friendships')).toBe(pairs.length);
      expect(await count('SELECT COUNT(*) AS n FROM social_friend_requests')).toBe(0);
      // Back to strangers for the next round.
      for (const [x, y] of pairs) expectOk(await remove(x, y));
    }
  });
});
