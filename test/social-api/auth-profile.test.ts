import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, trpc } from '../helpers/doors.js';
import { startTestGateway, ROOT_PASSWORD, type TestGateway } from '../helpers/gateway.js';
import { Client, judgeLogin } from '../helpers/http.js';
import {
  b64,
  blobFiles,
  createUsers,
  expectEnvelope,
  expectOk,
  expectRefused,
  expectUnchanged,
  fileForm,
  postForm,
  postMultipart,
  socialLogin,
  tinyJpeg,
  tinyPng,
} from './support.js';

const LIMIT = 64 * 1024;
const LOGIN_FAILED = 'Please enter a correct username and password. Note that both fields may be case-sensitive.';

let gw: TestGateway;
let ids: Record<'alice' | 'bob' | 'carol' | 'ИВАНОВА', string>;
let alice: Client;
let bob: Client;
let carol: Client;
let rootCookie: Record<string, string>;

beforeAll(async () => {
  gw = await startTestGateway({ UPLOAD_LIMIT_BYTES: String(LIMIT) });
  ids = await createUsers(gw, ['alice', 'bob', 'carol', 'ИВАНОВА']);
  alice = await socialLogin(gw, 'alice');
  bob = await socialLogin(gw, 'bob');
  carol = await socialLogin(gw, 'carol');
  const root = await socialLogin(gw, 'root', ROOT_PASSWORD);
  rootCookie = { cookie: `sessionid=${root.cookies.get('sessionid')}` };
});

afterAll(() => gw?.stop());

describe('the envelope, sign-in and sign-out', () => {
  it('GetCurrentUserId answers the exact bytes the original wrote', async () => {
    const r = await alice.get('/api/auth/GetCurrentUserId');
    expect(r.text).toBe(`{"error": 0, "error_msg": "", "response": {"user_id": "${ids.alice}"}}`);
    expect(r.headers.get('content-type')).toBe('application/json');
  });

  it('POST /accounts/login/ takes JSON or a form, sets an HttpOnly sessionid, and follows a local next', async () => {
    const c = new Client(gw.url);
    const r = await postForm(c, '/accounts/login/', { username: 'carol', password: 'carol-pw' });
    expect(expectOk(r)).toEqual({ user_id: ids.carol });
    const cookie = r.headers.getSetCookie().find((h) => h.startsWith('sessionid='))!;
    expect(cookie).toMatch(/^sessionid=[0-9a-f]{32}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(expectOk(await c.get('/api/auth/GetCurrentUserId'))).toEqual({ user_id: ids.carol });

    const browser = new Client(gw.url);
    const n = await postForm(browser, '/accounts/login/', { username: 'carol', password: 'carol-pw', next: '/api/auth/GetCurrentUserId' });
    expect(n.status).toBe(302);
    expect(n.headers.get('location')).toBe('/api/auth/GetCurrentUserId');
    // Another host is never a target (no open redirect): the envelope instead.
    const evil = await postForm(new Client(gw.url), '/accounts/login/', { username: 'carol', password: 'carol-pw', next: '//evil.example/x' });
    expectOk(evil);
  });

  it('refuses wrong or missing credentials in the envelope', async () => {
    await expectRefused(gw, () => new Client(gw.url).post('/accounts/login/', { username: 'alice', password: 'nope' }), 1, LOGIN_FAILED);
    await expectRefused(gw, () => new Client(gw.url).post('/accounts/login/', { username: 'nobody', password: 'x' }), 1, LOGIN_FAILED);
    await expectRefused(gw, () => new Client(gw.url).post('/accounts/login/', { password: 'x' }), 2, 'username');
    await expectRefused(gw, () => postForm(new Client(gw.url), '/accounts/login/', { username: 'alice' }), 2, 'password');
    const r = await new Client(gw.url).request('PUT', '/accounts/login/');
    expect(r.status).toBe(405);
  });

  it('GET /accounts/login/ is a login form carrying next', async () => {
    const r = await new Client(gw.url).get('/accounts/login/?next=/api/auth/GetCurrentUserId');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.text).toContain('name="next" value="/api/auth/GetCurrentUserId"');
    expect(r.text).toContain('name="password"');
  });

  it('without a session: 302 to the login URL with the full path as next, empty body', async () => {
    const anon = new Client(gw.url);
    const r = await anon.get('/api/auth/GetCurrentUserId');
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/accounts/login/?next=/api/auth/GetCurrentUserId');
    expect(r.text).toBe('');
    const q = await anon.get(`/api/profile/GetProfile?user_id=${ids.bob}&x=%D0%B9`);
    expect(q.headers.get('location')).toBe(`/accounts/login/?next=/api/profile/GetProfile%3Fuser_id%3D${ids.bob}%26x%3D%25D0%25B9`);
    // An unknown session id is no session.
    const forged = await anon.get('/api/auth/GetCurrentUserId', { cookie: 'sessionid=00000000000000000000000000000000' });
    expect(forged.status).toBe(302);
    // The judge API's session is that API's: this one reads only `sessionid`.
    const judge = await judgeLogin(gw.url, 'bob', 'bob-pw');
    expect((await judge.get('/api/auth/GetCurrentUserId')).status).toBe(302);
  });

  it('a wrong method is a bare 405; the original checked arguments first, then the method, then the session', async () => {
    const r = await alice.post('/api/auth/GetCurrentUserId', {});
    expect(r.status).toBe(405);
    expect(r.text).toBe('');
    expect(r.headers.get('allow')).toBe('GET');
    expect((await alice.request('DELETE', '/api/profile/GetProfile')).status).toBe(405);
    expect((await alice.get('/api/profile/UpdateProfileInfo')).status).toBe(405);

    const anon = new Client(gw.url);
    expectEnvelope(await anon.get('/api/profile/GetProfile'), 2, 'user_id');
    expect((await anon.post('/api/profile/GetProfile', { user_id: ids.bob })).status).toBe(405);
    expect((await anon.get(`/api/profile/GetProfile?user_id=${ids.bob}`)).status).toBe(302);
    expect((await anon.post('/api/profile/UpdateProfileInfo', { bio: 'x' })).status).toBe(302);
  });

  it('unknown paths under this API are Django 404 pages; the judge API keeps its own', async () => {
    const r = await alice.get('/api/profile/Nope');
    expect(r.status).toBe(404);
    expect(r.text).toContain('<h1>Not Found</h1>');
    expect((await alice.get('/api/events')).status).toBe(404);
    const judge = await alice.get('/api/nope');
    expect(judge.status).toBe(404);
    expect(judge.json).toMatchObject({ status: 404, message: 'No message available', path: '/api/nope' });
  });

  it('logout ends the session on the server and clears the cookie', async () => {
    const c = await socialLogin(gw, 'carol');
    const sid = c.cookies.get('sessionid')!;
    expect((await c.get('/accounts/logout/')).status).toBe(405);
    const r = await c.post('/accounts/logout/');
    expect(r.text).toBe('{"error": 0, "error_msg": ""}');
    expect(c.cookies.has('sessionid')).toBe(false);
    const replay = await new Client(gw.url).get('/api/auth/GetCurrentUserId', { cookie: `sessionid=${sid}` });
    expect(replay.status).toBe(302);
    // Logging out without a session is harmless.
    expectOk(await new Client(gw.url).post('/accounts/logout/'));
  });
});

describe('profiles', () => {
  it('GetProfile: the original key order, defaults for a new user', async () => {
    const r = await alice.get(`/api/profile/GetProfile?user_id=${ids.carol}`);
    expect(r.text).toBe(
      '{"error": 0, "error_msg": "", "response": {"display_name": "carol", "pic": null, "confirmed": false, "bio": "", "karma": 0}}',
    );
  });

  it('GetProfile: an unknown or malformed id is code 1', async () => {
    await expectRefused(gw, () => alice.get('/api/profile/GetProfile?user_id=0123456789abcdef01234567'), 1, 'User profile does not exist');
    await expectRefused(gw, () => alice.get('/api/profile/GetProfile?user_id=%27%20OR%201%3D1'), 1, 'User profile does not exist');
  });

  it('UpdateProfileInfo: a form, JSON, either field; non-ASCII goes out escaped as Python did', async () => {
    expectOk(await postForm(bob, '/api/profile/UpdateProfileInfo', { display_name: 'Боб 😀' }));
    expectOk(await bob.post('/api/profile/UpdateProfileInfo', { bio: 'ФКН, "ВШЭ"\n2 курс' }));
    const r = await bob.get(`/api/profile/GetProfile?user_id=${ids.bob}`);
    expect(r.text).toBe(
      '{"error": 0, "error_msg": "", "response": {"display_name": "\\u0411\\u043e\\u0431 \\ud83d\\ude00", "pic": null, "confirmed": false, ' +
        '"bio": "\\u0424\\u041a\\u041d, \\"\\u0412\\u0428\\u042d\\"\\n2 \\u043a\\u0443\\u0440\\u0441", "karma": 0}}',
    );
    expect(r.json.response.display_name).toBe('Боб 😀');
  });

  it('UpdateProfileInfo: neither field is code 2 with the original message; bad values are code 1', async () => {
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfileInfo', {}), 2, 'Bio or name are required');
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfileInfo', { display_name: null }), 2, 'Bio or name are required');
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfileInfo'), 2, 'Bio or name are required');
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfileInfo', { display_name: '   ' }), 1, 'Display name is empty');
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfileInfo', { display_name: 'x'.repeat(151) }), 1, 'Display name is too long');
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfileInfo', { bio: 'x'.repeat(1001) }), 1, 'Bio is too long');
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfileInfo', { bio: ['x'] }), 1, 'Invalid value for bio');
  });

  it('bodies: malformed JSON, a JSON array or an unknown type are code 4; an oversize form is code 1', async () => {
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfileInfo', '{"bio": '), 4, 'json content expected');
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfileInfo', '["bio"]'), 4, 'json content expected');
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfileInfo', 'bio=x', { 'content-type': 'text/plain' }), 4, 'json content expected');
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfileInfo', { bio: 'x'.repeat(70_000) }), 1, 'Request body is too large');
  });

  it('FindByName: a bare array, Unicode case-insensitive ("Иван" finds "иванов"), at least 4 characters', async () => {
    expectOk(await alice.post('/api/profile/UpdateProfileInfo', { display_name: 'иванов алексей' }));
    const found = expectOk(await alice.get(`/api/profile/FindByName?display_name_part=${encodeURIComponent('Иван')}`));
    // The user named ИВАНОВА only ever had the name its account was made with (the users trigger).
    expect(found).toEqual([
      { user_id: ids.alice, display_name: 'иванов алексей' },
      { user_id: ids.ИВАНОВА, display_name: 'ИВАНОВА' },
    ]);
    expect(Object.keys(found[0])).toEqual(['user_id', 'display_name']);
    expect(expectOk(await new Client(gw.url).get(`/api/profile/FindByName?display_name_part=${encodeURIComponent('ИВАНОВ А')}`))).toEqual([
      { user_id: ids.alice, display_name: 'иванов алексей' },
    ]);
    // No sign-in needed; LIKE's wildcards are plain characters here.
    expect(expectOk(await new Client(gw.url).get('/api/profile/FindByName?display_name_part=%25%25%25%25'))).toEqual([]);
    const everyone = expectOk(await alice.get('/api/profile/FindByName'));
    expect(everyone.map((u: any) => u.user_id)).toEqual(expect.arrayContaining(Object.values(ids)));
    await expectRefused(gw, () => alice.get(`/api/profile/FindByName?display_name_part=${encodeURIComponent('Ива')}`), 1, 'Name part is too short');
    expect((await alice.post('/api/profile/FindByName', {})).status).toBe(405);
  });
});

describe('pictures and confirmation scans', () => {
  const pic = async (c: Client, userId: string) => expectOk(await c.get(`/api/profile/GetProfile?user_id=${userId}`)).pic as string | null;

  it('a real PNG (multipart) is stored, served with its type and nosniff', async () => {
    const png = tinyPng();
    expectOk(await postMultipart(carol, '/api/profile/UpdateProfilePicture', fileForm('image', png, 'me.png', 'image/png')));
    const path = await pic(alice, ids.carol);
    expect(path).toMatch(/^\/media\/avatars\/[0-9a-f]{32}\.png$/);
    const res = await fetch(gw.url + path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(png);
  });

  it('a real JPEG named .png is a JPEG; a new picture replaces the old blob', async () => {
    const before = await blobFiles(gw);
    const jpeg = tinyJpeg();
    expectOk(await postMultipart(carol, '/api/profile/UpdateProfilePicture', fileForm('image', jpeg, 'photo.png', 'image/png')));
    const path = (await pic(alice, ids.carol))!;
    expect(path).toMatch(/\.jpg$/);
    const res = await fetch(gw.url + path);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(jpeg);
    const after = await blobFiles(gw);
    expect(after).toHaveLength(before.length);
    expect(after).toContain(path.slice('/media/'.length));
  });

  it('a PNG renamed .exe is accepted by its content; HTML renamed .png is refused', async () => {
    expectOk(
      await postMultipart(bob, '/api/profile/UpdateProfilePicture', fileForm('image', tinyPng([1, 2, 3]), 'setup.exe', 'application/x-msdownload')),
    );
    expect(await pic(bob, ids.bob)).toMatch(/\.png$/);
    const html = new TextEncoder().encode('<html><script>alert(document.cookie)</script></html>');
    await expectRefused(
      gw,
      () => postMultipart(bob, '/api/profile/UpdateProfilePicture', fileForm('image', html, 'cat.png', 'image/png')),
      1,
      'Image must be PNG, JPEG, WebP or GIF',
    );
    await expectRefused(
      gw,
      () => postMultipart(bob, '/api/profile/UploadProfileConfirmation', fileForm('image', html, 'scan.jpg', 'image/jpeg')),
      1,
      'Image must be PNG, JPEG, WebP or GIF',
    );
    await expectRefused(
      gw,
      () => postMultipart(bob, '/api/profile/UpdateProfilePicture', fileForm('image', new Uint8Array(0), 'empty.png')),
      1,
      'Image must be PNG, JPEG, WebP or GIF',
    );
  });

  it('an oversize image, and an oversize body, are refused before anything is stored', async () => {
    const big = new Uint8Array(LIMIT + 1);
    big.set(tinyPng());
    await expectRefused(
      gw,
      () => postMultipart(bob, '/api/profile/UpdateProfilePicture', fileForm('image', big, 'big.png', 'image/png')),
      1,
      'Image is too large',
    );
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfilePicture', { image: b64(big), name: 'big.png' }), 1, 'Image is too large');
    const huge = new Uint8Array(LIMIT * 4);
    huge.set(tinyPng());
    await expectRefused(
      gw,
      () => postMultipart(bob, '/api/profile/UploadProfileConfirmation', fileForm('image', huge, 'huge.png')),
      1,
      'Image is too large',
    );
  });

  it('a truncated multipart body is refused', async () => {
    const boundary = 'XyZ123';
    const png = Buffer.from(tinyPng());
    const full = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const cut = full.subarray(0, full.length - 30);
    const send = () =>
      fetch(`${gw.url}/api/profile/UpdateProfilePicture`, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: `sessionid=${bob.cookies.get('sessionid')}` },
        body: cut,
      }).then(async (res) => ({ status: res.status, headers: res.headers, text: await res.text(), json: undefined as any }));
    const r = await expectUnchanged(gw, send);
    r.json = JSON.parse(r.text);
    expectEnvelope(r, 1, 'Malformed multipart body');
  });

  it('missing image is code 2 "image"; the base64 form also needs "name"; bad base64 is code 1', async () => {
    const form = new FormData();
    form.append('picture', new Blob([tinyPng() as Uint8Array<ArrayBuffer>]), 'a.png');
    await expectRefused(gw, () => postMultipart(bob, '/api/profile/UpdateProfilePicture', form), 2, 'image');
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfilePicture', { name: 'a.png' }), 2, 'image');
    await expectRefused(gw, () => bob.post('/api/profile/UploadProfileConfirmation', { image: b64(tinyPng()) }), 2, 'name');
    await expectRefused(gw, () => bob.post('/api/profile/UpdateProfilePicture', { image: '***', name: 'a.png' }), 1, 'Invalid base64 image');
    // Arguments first, then the method, then the session (the original's decorator order).
    expectEnvelope(await new Client(gw.url).get('/api/profile/UpdateProfilePicture'), 2, 'image');
    expect((await new Client(gw.url).post('/api/profile/UpdateProfilePicture', { image: b64(tinyPng()), name: 'a.png' })).status).toBe(302);
  });

  it("the later clients' JSON form: base64 image and name", async () => {
    expectOk(await alice.post('/api/profile/UpdateProfilePicture', { image: `data:image/png;base64,${b64(tinyPng([9, 9, 9]))}`, name: 'x.gif' }));
    const path = (await pic(alice, ids.alice))!;
    expect(path).toMatch(/\.png$/);
    expect(new Uint8Array(await (await fetch(gw.url + path)).arrayBuffer())).toEqual(tinyPng([9, 9, 9]));
  });

  it('only pictures are served: no scans, no paths outside, 404 for unknown files', async () => {
    expect((await fetch(`${gw.url}/media/avatars/${'0'.repeat(32)}.png`)).status).toBe(404);
    expect((await fetch(`${gw.url}/media/avatars/..%2F..%2Farena.db`)).status).toBe(404);
    expect((await fetch(`${gw.url}/media/confirmations/x.png`)).status).toBe(404);
  });

  it('a scan waits for an admin (GraphQL, tRPC); a new scan replaces the old one and clears confirmed', async () => {
    const sid = { cookie: `sessionid=${alice.cookies.get('sessionid')}` };
    expectOk(await postMultipart(alice, '/api/profile/UploadProfileConfirmation', fileForm('image', tinyJpeg(), 'scan.jpg')));
    const pending = (await gql(gw.url, '{ pendingConfirmations { userId displayName contentType } }', {}, rootCookie)).data.pendingConfirmations;
    expect(pending).toEqual([{ userId: ids.alice, displayName: 'иванов алексей', contentType: 'image/jpeg' }]);
    const scan = (await gql(gw.url, 'query($u: ID!) { confirmationScan(userId: $u) { contentType dataBase64 } }', { u: ids.alice }, rootCookie)).data
      .confirmationScan;
    expect(scan).toEqual({ contentType: 'image/jpeg', dataBase64: b64(tinyJpeg()) });

    // Not for ordinary users.
    const denied = await gql(gw.url, 'mutation($u: ID!) { confirmProfile(userId: $u) { confirmed } }', { u: ids.alice }, sid);
    expect(denied.errors?.[0]).toMatchObject({ message: 'Permission denied', extensions: { code: 'FORBIDDEN' } });
    await expect(trpc(gw.url, sid).social.profiles.confirm.mutate({ userId: ids.alice })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect(
      (await gql(gw.url, 'mutation($u: ID!) { confirmProfile(userId: $u) { confirmed } }', { u: ids.carol }, rootCookie)).errors?.[0]?.message,
    ).toBe('No confirmation scan uploaded');

    const ok = await gql(gw.url, 'mutation($u: ID!) { confirmProfile(userId: $u) { userId confirmed } }', { u: ids.alice }, rootCookie);
    expect(ok.data.confirmProfile).toEqual({ userId: ids.alice, confirmed: true });
    expect(expectOk(await bob.get(`/api/profile/GetProfile?user_id=${ids.alice}`)).confirmed).toBe(true);

    const before = (await blobFiles(gw)).filter((f) => f.startsWith('confirmations/'));
    expect(before).toHaveLength(1);
    expectOk(await alice.post('/api/profile/UploadProfileConfirmation', { image: b64(tinyPng()), name: 'scan2.png' }));
    expect(expectOk(await bob.get(`/api/profile/GetProfile?user_id=${ids.alice}`)).confirmed).toBe(false);
    const after = (await blobFiles(gw)).filter((f) => f.startsWith('confirmations/'));
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);

    expect(await trpc(gw.url, rootCookie).social.profiles.confirm.mutate({ userId: ids.alice })).toMatchObject({ confirmed: true });
    expect(expectOk(await bob.get(`/api/profile/GetProfile?user_id=${ids.alice}`)).confirmed).toBe(true);
  });
});
