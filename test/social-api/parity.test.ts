import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, trpc } from '../helpers/doors.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import type { Client } from '../helpers/http.js';
import { b64, createUsers, expectOk, nowSeconds, setEventTimes, socialLogin, tinyPng } from './support.js';

let gw: TestGateway;
let ids: Record<'una' | 'vic' | 'wes', string>;
let una: Client; // REST
let vic: Client;
let unaAuth: Record<string, string>; // the same person on GraphQL/tRPC (bearer token)
let vicAuth: Record<string, string>; // and by the REST session cookie

const HOUR = 3600;
const iso = (s: number) => new Date(s * 1000).toISOString();
const seconds = (isoText: string) => Date.parse(isoText) / 1000;

beforeAll(async () => {
  gw = await startTestGateway();
  ids = await createUsers(gw, ['una', 'vic', 'wes']);
  una = await socialLogin(gw, 'una');
  vic = await socialLogin(gw, 'vic');
  const token = (await gql(gw.url, 'mutation { login(username: "una", password: "una-pw") { token } }')).data.login.token;
  unaAuth = { authorization: `Bearer ${token}` };
  vicAuth = { cookie: `sessionid=${vic.cookies.get('sessionid')}` };
});

afterAll(() => gw?.stop());

const PROFILE = 'userId displayName pic confirmed bio karma';
const EVENT = 'id name timeFrom timeTo creatorId creator';
const restProfile = (p: any, userId: string) => ({
  userId,
  displayName: p.display_name,
  pic: p.pic,
  confirmed: p.confirmed,
  bio: p.bio,
  karma: p.karma,
});

describe('GraphQL and tRPC over the same social services as REST', () => {
  it('identity: GetCurrentUserId is me.id', async () => {
    const restId = expectOk(await una.get('/api/auth/GetCurrentUserId')).user_id;
    expect((await gql(gw.url, '{ me { id } }', {}, unaAuth)).data.me.id).toBe(restId);
    expect((await trpc(gw.url, vicAuth).auth.me.query())?.id).toBe(ids.vic);
  });

  it('profiles: changes made on one door read the same on the others', async () => {
    const g = await gql(gw.url, `mutation { updateProfileInfo(displayName: "Уна Ф.", bio: "ФКН") { ${PROFILE} } }`, {}, unaAuth);
    expect(g.errors).toBeUndefined();
    await trpc(gw.url, unaAuth).social.profiles.updatePicture.mutate({ image: b64(tinyPng()) });
    const rest = expectOk(await vic.get(`/api/profile/GetProfile?user_id=${ids.una}`));
    expect(rest.pic).toMatch(/^\/media\/avatars\/[0-9a-f]{32}\.png$/);
    const viaGql = (await gql(gw.url, `query($u: ID!) { profile(userId: $u) { ${PROFILE} } }`, { u: ids.una }, vicAuth)).data.profile;
    const viaTrpc = await trpc(gw.url, vicAuth).social.profiles.get.query({ userId: ids.una });
    expect(viaGql).toEqual(restProfile(rest, ids.una));
    expect(viaTrpc).toEqual(restProfile(rest, ids.una));
    expect((await fetch(gw.url + rest.pic)).headers.get('content-type')).toBe('image/png');

    const found = expectOk(await vic.get(`/api/profile/FindByName?display_name_part=${encodeURIComponent('уна ф')}`));
    expect(found).toEqual([{ user_id: ids.una, display_name: 'Уна Ф.' }]);
    const gFound = (await gql(gw.url, '{ findProfiles(namePart: "УНА Ф") { userId displayName } }')).data.findProfiles;
    const tFound = await trpc(gw.url).social.profiles.find.query({ namePart: 'уНа ф' });
    const asRest = (l: any[]) => l.map((u) => ({ user_id: u.userId, display_name: u.displayName }));
    expect(asRest(gFound)).toEqual(found);
    expect(asRest(tFound)).toEqual(found);
    expect(asRest(await trpc(gw.url).social.profiles.find.query())).toEqual(expectOk(await vic.get('/api/profile/FindByName')));
  });

  it('friends: requests sent on GraphQL and tRPC are the ones REST lists', async () => {
    expect((await gql(gw.url, 'mutation($u: ID!) { sendFriendRequest(userId: $u) }', { u: ids.vic }, unaAuth)).data.sendFriendRequest).toBe(
      'PENDING',
    );
    const restList = expectOk(await una.get('/api/friends/GetFriendList')).friends;
    expect(restList).toEqual([{ user_id: ids.vic, display_name: 'vic', pending: true }]);
    const gList = (await gql(gw.url, '{ friends { userId displayName pending } }', {}, unaAuth)).data.friends;
    const tList = await trpc(gw.url, unaAuth).social.friends.list.query();
    const asRest = (l: any[]) => l.map((f) => ({ user_id: f.userId, display_name: f.displayName, pending: f.pending }));
    expect(asRest(gList)).toEqual(restList);
    expect(asRest(tList)).toEqual(restList);

    const restReq = expectOk(await vic.get('/api/friends/GetFriendRequests')).requests;
    expect((await gql(gw.url, '{ friendRequests }', {}, vicAuth)).data.friendRequests).toEqual(restReq);
    expect(await trpc(gw.url, vicAuth).social.friends.requests.query()).toEqual(restReq);

    expect(await trpc(gw.url, vicAuth).social.friends.send.mutate({ userId: ids.una })).toEqual({ status: 'friends' });
    expect(expectOk(await una.get('/api/friends/GetFriendList')).friends).toEqual([{ user_id: ids.vic, display_name: 'vic', pending: false }]);
    expect((await gql(gw.url, 'mutation($u: ID!) { removeFriend(userId: $u) }', { u: ids.vic }, unaAuth)).data.removeFriend).toBe('REMOVED');
    expect(expectOk(await vic.get('/api/friends/GetFriendList')).friends).toEqual([]);
  });

  it('events: created on each door, read the same on each door', async () => {
    const from = nowSeconds() + HOUR;
    const viaRest = expectOk(await una.post('/api/events/CreateEvent', { name: 'REST event', time_from: from, time_to: from + HOUR })).event_id;
    const g = await gql(
      gw.url,
      `mutation($f: String!, $t: String!) { createEvent(name: "Событие GraphQL", timeFrom: $f, timeTo: $t) { ${EVENT} } }`,
      { f: iso(from), t: iso(from + 2 * HOUR) },
      unaAuth,
    );
    const viaGql = g.data.createEvent;
    expect(viaGql).toMatchObject({ name: 'Событие GraphQL', creatorId: ids.una, creator: true, timeFrom: iso(from) });
    const viaTrpc = await trpc(gw.url, vicAuth).social.events.create.mutate({ name: 'tRPC event', timeFrom: from, timeTo: from + 60 });
    expect(viaTrpc).toMatchObject({ name: 'tRPC event', timeFrom: from, timeTo: from + 60, creatorId: ids.vic });

    for (const id of [viaRest, viaGql.id, viaTrpc.id]) {
      const rest = expectOk(await vic.get(`/api/events/GetEventByID?event_id=${id}`));
      const ge = (await gql(gw.url, `query($id: ID!) { socialEvent(id: $id) { ${EVENT} } }`, { id }, vicAuth)).data.socialEvent;
      const te = await trpc(gw.url).social.events.get.query({ id });
      expect({ name: ge.name, event_id: ge.id, time_to: seconds(ge.timeTo), time_from: seconds(ge.timeFrom), creator_id: ge.creatorId }).toEqual(
        rest,
      );
      expect({ name: te.name, event_id: te.id, time_to: te.timeTo, time_from: te.timeFrom, creator_id: te.creatorId }).toEqual(rest);
    }

    const restAll = expectOk(await vic.get('/api/events/GetEvents?name=EVENT'));
    expect(restAll.map((e: any) => e.name)).toEqual(['REST event', 'tRPC event']);
    const gAll = (await gql(gw.url, '{ socialEvents(name: "event") { id name timeFrom timeTo } }')).data.socialEvents;
    const tAll = await trpc(gw.url).social.events.search.query({ name: 'Event' });
    expect(gAll.map((e: any) => ({ name: e.name, event_id: e.id, time_from: seconds(e.timeFrom), time_to: seconds(e.timeTo) }))).toEqual(restAll);
    expect(tAll.map((e) => ({ name: e.name, event_id: e.id, time_from: e.timeFrom, time_to: e.timeTo }))).toEqual(restAll);

    // Joining through the doors shows in REST's joined list, with the creator flag.
    expect((await gql(gw.url, 'mutation($id: ID!) { joinEvent(id: $id) }', { id: viaRest }, vicAuth)).data.joinEvent).toBe(true);
    const restJoined = expectOk(await vic.get('/api/events/GetJoinedEvents'));
    expect(restJoined.map((e: any) => [e.event_id, e.creator])).toEqual([
      [viaRest, false],
      [viaTrpc.id, true],
    ]);
    const gJoined = (await gql(gw.url, `{ joinedEvents { ${EVENT} } }`, {}, vicAuth)).data.joinedEvents;
    const tJoined = await trpc(gw.url, vicAuth).social.events.joined.query();
    expect(gJoined.map((e: any) => [e.id, e.creator])).toEqual(restJoined.map((e: any) => [e.event_id, e.creator]));
    expect(tJoined.map((e) => [e.id, e.creator])).toEqual(restJoined.map((e: any) => [e.event_id, e.creator]));
    const restCreated = expectOk(await una.get('/api/events/GetCreatedEvents')).map((e: any) => e.event_id);
    expect((await gql(gw.url, '{ createdEvents { id } }', {}, unaAuth)).data.createdEvents.map((e: any) => e.id)).toEqual(restCreated);
    expect((await trpc(gw.url, unaAuth).social.events.created.query()).map((e) => e.id)).toEqual(restCreated);

    expect(await trpc(gw.url, vicAuth).social.events.leave.mutate({ id: viaRest })).toEqual({ ok: true });
    expect(await trpc(gw.url, unaAuth).social.events.delete.mutate({ id: viaGql.id })).toEqual({ ok: true });
    expect(expectOk(await vic.get('/api/events/GetEvents')).map((e: any) => e.event_id)).toEqual([viaRest, viaTrpc.id]);
  });

  it('the same refusals, with the same messages, on every door', async () => {
    // Thunks, so each call starts only when checked (no rejection left unobserved meanwhile).
    type Call<T> = () => Promise<T>;
    const check = async (rest: Call<any>, gqlCall: Call<any>, trpcCall: Call<unknown>, message: string, gCode: string, tCode: string) => {
      expect((await rest()).json.error_msg).toBe(message);
      expect((await gqlCall()).errors?.[0]).toMatchObject({ message, extensions: { code: gCode } });
      await expect(trpcCall()).rejects.toMatchObject({ message, data: { code: tCode } });
    };
    await check(
      () => una.get('/api/profile/FindByName?display_name_part=abc'),
      () => gql(gw.url, '{ findProfiles(namePart: "abc") { userId } }'),
      () => trpc(gw.url).social.profiles.find.query({ namePart: 'abc' }),
      'Name part is too short',
      'BAD_USER_INPUT',
      'BAD_REQUEST',
    );
    await check(
      () => una.post('/api/friends/SendFriendRequest', { user_id: 'nobody' }),
      () => gql(gw.url, 'mutation { sendFriendRequest(userId: "nobody") }', {}, unaAuth),
      () => trpc(gw.url, unaAuth).social.friends.send.mutate({ userId: 'nobody' }),
      'User profile does not exist',
      'NOT_FOUND',
      'NOT_FOUND',
    );
    const from = nowSeconds() + HOUR;
    const id = expectOk(await una.post('/api/events/CreateEvent', { name: 'Began', time_from: from, time_to: from + HOUR })).event_id;
    await setEventTimes(gw, id, nowSeconds() - 10, nowSeconds() + HOUR);
    await check(
      () => vic.post('/api/events/JoinEvent', { event_id: id }),
      () => gql(gw.url, 'mutation($id: ID!) { joinEvent(id: $id) }', { id }, vicAuth),
      () => trpc(gw.url, vicAuth).social.events.join.mutate({ id }),
      'Event already began',
      'FORBIDDEN',
      'FORBIDDEN',
    );
    await check(
      () => una.post('/api/events/CreateEvent', { name: 'Began', time_from: from, time_to: from + 1 }),
      () => gql(gw.url, 'mutation($f: String!) { createEvent(name: "Began", timeFrom: $f, timeTo: $f) { id } }', { f: iso(from) }, unaAuth),
      () => trpc(gw.url, unaAuth).social.events.create.mutate({ name: 'Began', timeFrom: from, timeTo: from + 1 }),
      'Could not create new event',
      'CONFLICT',
      'CONFLICT',
    );
    // Not signed in: REST redirects to the login page, the doors say so.
    expect((await gql(gw.url, '{ friends { userId } }')).errors?.[0]).toMatchObject({
      message: 'Not logged in',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    await expect(trpc(gw.url).social.events.created.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });
});
