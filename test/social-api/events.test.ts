import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client } from '../helpers/http.js';
import { createUsers, expectEnvelope, expectOk, expectRefused, nowSeconds, postForm, setEventTimes, socialLogin, UUID } from './support.js';

let gw: TestGateway;
let ids: Record<'ann' | 'ben', string>;
let ann: Client;
let ben: Client;

const HOUR = 3600;

beforeAll(async () => {
  gw = await startTestGateway();
  ids = await createUsers(gw, ['ann', 'ben']);
  ann = await socialLogin(gw, 'ann');
  ben = await socialLogin(gw, 'ben');
});

afterAll(() => gw?.stop());

async function create(c: Client, name: string, from = nowSeconds() + HOUR, to = from + HOUR): Promise<string> {
  const r = await postForm(c, '/api/events/CreateEvent', { name, time_from: String(from), time_to: String(to) });
  const id = expectOk(r).event_id;
  expect(id).toMatch(UUID);
  return id;
}

describe('CreateEvent and GetEventByID', () => {
  it('creates an event (form or JSON; time_from is the start, time_to the end, UNIX seconds)', async () => {
    const from = nowSeconds() + HOUR;
    const r = await postForm(ann, '/api/events/CreateEvent', { name: 'Матанализ, лекция', time_from: String(from), time_to: String(from + 5400) });
    expect(r.text).toMatch(/^\{"error": 0, "error_msg": "", "response": \{"event_id": "[0-9a-f-]{36}"\}\}$/);
    const id = r.json.response.event_id;
    const got = await new Client(gw.url).get(`/api/events/GetEventByID?event_id=${id}`);
    expect(got.text).toBe(
      `{"error": 0, "error_msg": "", "response": {"name": "\\u041c\\u0430\\u0442\\u0430\\u043d\\u0430\\u043b\\u0438\\u0437, \\u043b\\u0435\\u043a\\u0446\\u0438\\u044f", ` +
        `"event_id": "${id}", "time_to": ${from + 5400}, "time_from": ${from}, "creator_id": "${ids.ann}"}}`,
    );
    const json = expectOk(await ben.post('/api/events/CreateEvent', { name: 'JSON event', time_from: from, time_to: from + 60 }));
    expect(json.event_id).toMatch(UUID);
    // The creator takes part in it.
    expect(expectOk(await ann.get('/api/events/GetJoinedEvents')).map((e: any) => e.event_id)).toContain(id);
  });

  it("refuses with the original's checks and messages, storing nothing", async () => {
    const from = nowSeconds() + HOUR;
    await create(ann, 'Taken name');
    const send = (fields: Record<string, string>) => () => postForm(ann, '/api/events/CreateEvent', fields);
    await expectRefused(gw, send({ time_from: String(from), time_to: String(from + 1) }), 2, 'name');
    await expectRefused(gw, send({ name: 'x1', time_from: String(from) }), 2, 'time_to');
    await expectRefused(gw, send({ name: 'x2', time_from: 'tomorrow', time_to: String(from) }), 1, 'time_from must be a UNIX timestamp in seconds');
    await expectRefused(gw, send({ name: 'x3', time_from: String(from), time_to: '1e9' }), 1, 'time_to must be a UNIX timestamp in seconds');
    await expectRefused(gw, send({ name: 'x4', time_from: String(from + 10), time_to: String(from) }), 1, 'time_from comes after time_to');
    await expectRefused(gw, send({ name: 'x5', time_from: String(nowSeconds() - 60), time_to: String(from) }), 1, 'time_from has passed');
    await expectRefused(gw, send({ name: 'Taken name', time_from: String(from), time_to: String(from + 1) }), -1, 'Could not create new event');
    await expectRefused(gw, send({ name: '  ', time_from: String(from), time_to: String(from + 1) }), 1, 'Name is empty');
    // The cast runs first, then the arguments, then the method, then the session.
    expectEnvelope(await new Client(gw.url).get('/api/events/CreateEvent?time_from=x'), 1, 'time_from must be a UNIX timestamp in seconds');
    expectEnvelope(await new Client(gw.url).get('/api/events/CreateEvent'), 2, 'name');
    expect((await ann.get(`/api/events/CreateEvent?name=a&time_from=${from}&time_to=${from + 1}`)).status).toBe(405);
    expect(
      (await postForm(new Client(gw.url), '/api/events/CreateEvent', { name: 'a', time_from: String(from), time_to: String(from + 1) })).status,
    ).toBe(302);
  });

  it('GetEventByID: missing is code 2; unknown or malformed is code 1; any UUID spelling finds it', async () => {
    const id = await create(ann, 'Spelling');
    expectEnvelope(await ann.get('/api/events/GetEventByID'), 2, 'event_id');
    expectEnvelope(await ann.get('/api/events/GetEventByID?event_id=00000000-0000-4000-8000-000000000000'), 1, 'Event does not exist');
    expectEnvelope(await ann.get('/api/events/GetEventByID?event_id=nope'), 1, 'Event does not exist');
    expect(expectOk(await ann.get(`/api/events/GetEventByID?event_id=${id.toUpperCase().replace(/-/g, '')}`)).event_id).toBe(id);
  });
});

describe('GetEvents', () => {
  it('is a bare array, Unicode case-insensitive, at least 3 characters, all events without a name', async () => {
    const id = await create(ben, 'ЛЕКЦИЯ по Физике');
    const anon = new Client(gw.url);
    const found = expectOk(await anon.get(`/api/events/GetEvents?name=${encodeURIComponent('лекция ПО')}`));
    expect(found).toEqual([{ name: 'ЛЕКЦИЯ по Физике', event_id: id, time_from: expect.any(Number), time_to: expect.any(Number) }]);
    expect(Object.keys(found[0])).toEqual(['name', 'event_id', 'time_from', 'time_to']);
    expect(expectOk(await anon.get('/api/events/GetEvents?name=%25%25%25'))).toEqual([]);
    const all = expectOk(await anon.get('/api/events/GetEvents'));
    expect(all.length).toBeGreaterThan(3);
    await expectRefused(gw, () => anon.get('/api/events/GetEvents?name=ab'), 1, 'Name is too short');
    expect((await anon.post('/api/events/GetEvents', {})).status).toBe(405);
  });
});

describe('JoinEvent, LeaveEvent, DeleteEvent', () => {
  it('join and leave, with the original refusals in its order', async () => {
    const id = await create(ann, 'Seminar');
    expectOk(await ben.post('/api/events/JoinEvent', { event_id: id }));
    await expectRefused(gw, () => ben.post('/api/events/JoinEvent', { event_id: id }), 3, 'Already joined the event');
    await expectRefused(gw, () => ann.post('/api/events/JoinEvent', { event_id: id }), 3, 'Already joined the event');
    await expectRefused(gw, () => ben.post('/api/events/JoinEvent', {}), 2, 'event_id');
    await expectRefused(gw, () => ben.post('/api/events/JoinEvent', { event_id: 'f'.repeat(32) }), 1, 'Event does not exist');
    expect((await ben.get(`/api/events/JoinEvent?event_id=${id}`)).status).toBe(405);
    expect((await new Client(gw.url).post('/api/events/JoinEvent', { event_id: id })).status).toBe(302);

    const joined = expectOk(await ben.get('/api/events/GetJoinedEvents'));
    const mine = joined.find((e: any) => e.event_id === id);
    expect(Object.keys(mine)).toEqual(['name', 'creator', 'event_id', 'time_from', 'time_to']);
    expect(mine.creator).toBe(false);
    expect(expectOk(await ann.get('/api/events/GetJoinedEvents')).find((e: any) => e.event_id === id).creator).toBe(true);

    expectOk(await postForm(ben, '/api/events/LeaveEvent', { event_id: id }));
    await expectRefused(gw, () => ben.post('/api/events/LeaveEvent', { event_id: id }), 3, 'You are not in the event');
    await expectRefused(gw, () => ben.post('/api/events/LeaveEvent', { event_id: 'nope' }), 1, 'Event does not exist');
  });

  it('joining an event that began, or one that is over, is refused; leaving one that is over too', async () => {
    const id = await create(ann, 'Running now');
    expectOk(await ben.post('/api/events/JoinEvent', { event_id: id }));
    await setEventTimes(gw, id, nowSeconds() - 60, nowSeconds() + HOUR);
    const late = await socialLogin(gw, 'ann'); // ann is in it already: the time check comes first
    await expectRefused(gw, () => late.post('/api/events/JoinEvent', { event_id: id }), 3, 'Event already began');
    expectOk(await ben.post('/api/events/LeaveEvent', { event_id: id })); // a running event can be left

    const over = await create(ann, 'Over');
    expectOk(await ben.post('/api/events/JoinEvent', { event_id: over }));
    await setEventTimes(gw, over, nowSeconds() - 2 * HOUR, nowSeconds() - HOUR);
    // The original checked "began" first, so a finished event is refused as having begun.
    await expectRefused(gw, () => ben.post('/api/events/JoinEvent', { event_id: over }), 3, 'Event already began');
    await expectRefused(gw, () => ben.post('/api/events/LeaveEvent', { event_id: over }), 3, 'Event already over');
  });

  it('only the creator deletes, and only before the start; participants go with it', async () => {
    const id = await create(ann, 'To delete');
    expectOk(await ben.post('/api/events/JoinEvent', { event_id: id }));
    await expectRefused(gw, () => ben.post('/api/events/DeleteEvent', { event_id: id }), 3, 'Only the creator can delete the event');
    await expectRefused(gw, () => ann.post('/api/events/DeleteEvent', { event_id: 'x' }), 1, 'Event does not exist');
    expectOk(await ann.post('/api/events/DeleteEvent', { event_id: id }));
    expectEnvelope(await ann.get(`/api/events/GetEventByID?event_id=${id}`), 1, 'Event does not exist');
    expect(expectOk(await ben.get('/api/events/GetJoinedEvents')).some((e: any) => e.event_id === id)).toBe(false);

    const started = await create(ann, 'Started');
    await setEventTimes(gw, started, nowSeconds() - 1, nowSeconds() + HOUR);
    await expectRefused(gw, () => ann.post('/api/events/DeleteEvent', { event_id: started }), 3, 'Event has already started');
  });

  it('GetCreatedEvents lists what the caller made, joined or not', async () => {
    const id = await create(ben, 'Ben alone');
    expectOk(await ben.post('/api/events/LeaveEvent', { event_id: id }));
    const created = expectOk(await ben.get('/api/events/GetCreatedEvents'));
    const e = created.find((x: any) => x.event_id === id);
    expect(Object.keys(e)).toEqual(['name', 'event_id', 'time_from', 'time_to']);
    expect(e.name).toBe('Ben alone');
    expect(created.every((x: any) => x.event_id !== undefined)).toBe(true);
    expect(expectOk(await ann.get('/api/events/GetCreatedEvents')).some((x: any) => x.event_id === id)).toBe(false);
    expect((await new Client(gw.url).get('/api/events/GetCreatedEvents')).status).toBe(302);
    expect((await new Client(gw.url).get('/api/events/GetJoinedEvents')).status).toBe(302);
  });

  it('ten simultaneous joins by one user: one succeeds', async () => {
    const id = await create(ann, 'Race');
    const results = await Promise.all(Array.from({ length: 10 }, () => ben.post('/api/events/JoinEvent', { event_id: id })));
    const codes = results.map((r) => r.json.error).sort();
    expect(codes).toEqual([0, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
  });
});
