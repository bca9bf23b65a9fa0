import { expect } from 'vitest';
import { JudgeType } from '../../src/identity/roles.js';
import { ROOM_TOPIC, type RoomFrameMessage } from '../../src/bus/room-frames.js';
import { gql } from '../helpers/doors.js';
import { ROOT_PASSWORD, type TestGateway } from '../helpers/gateway.js';
import { Client, type HttpResult, readResult } from '../helpers/http.js';

/** Every table the training API writes (and the judge's cases), to prove a refused call stored nothing. */
export const TABLES = [
  'teams',
  'team_members',
  'training_sessions',
  'training_problems',
  'training_code',
  'training_controllers',
  'room_online',
  'lobby_contests',
  'training_comments',
  'training_submissions',
  'cases',
];

export const PASSWORD = 'pw-123456';

/** A user made through the judge API as ROOT would, and a bearer token from the GraphQL login. */
export async function person(gw: TestGateway, username: string, type: number = JudgeType.USER): Promise<{ id: string; token: string; http: Api }> {
  const root = new Client(gw.url);
  await root.post('/api/login', { username: 'root', password: ROOT_PASSWORD });
  const add = await root.post('/api/admin/user/add', { username, password: PASSWORD, type });
  if (add.status !== 200) throw new Error(`add ${username}: ${add.text}`);
  const r = await gql(gw.url, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: username, p: PASSWORD });
  const token = r.data.login.token as string;
  return { id: add.json.id as string, token, http: new Api(gw.url, { authorization: `Bearer ${token}` }) };
}

/** The training REST API with fixed headers (a bearer token, a cookie, or none). */
export class Api {
  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    const h: Record<string, string> = { ...this.headers, ...headers };
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    return readResult(res);
  }

  get = (path: string) => this.call('GET', path);
  post = (path: string, body?: unknown) => this.call('POST', path, body);
  delete = (path: string) => this.call('DELETE', path);
}

export function expectDetail(r: HttpResult, status: number, detail?: string | RegExp): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(r.json)).toEqual(['detail']);
  if (typeof detail === 'string') expect(r.json.detail).toBe(detail);
  else if (detail) expect(r.json.detail).toMatch(detail);
  else expect(typeof r.json.detail).toBe('string');
}

/** A 422 in pydantic's shape; `errors` are matched item by item (type and loc at least). */
export function expect422(r: HttpResult, errors: { type: string; loc: (string | number)[]; msg?: string }[]): void {
  expect(r.status, r.text).toBe(422);
  expect(Object.keys(r.json)).toEqual(['detail']);
  expect(Array.isArray(r.json.detail)).toBe(true);
  for (const e of r.json.detail) {
    expect(
      Object.keys(e)
        .sort()
        .filter((k) => k !== 'ctx'),
    ).toEqual(['input', 'loc', 'msg', 'type']);
  }
  expect(r.json.detail.map((e: { type: string; loc: unknown[] }) => ({ type: e.type, loc: e.loc }))).toEqual(
    errors.map((e) => ({ type: e.type, loc: e.loc })),
  );
  for (const [i, e] of errors.entries()) if (e.msg) expect(r.json.detail[i].msg).toBe(e.msg);
}

/** Everything published on the rooms topic from now on. */
export function roomFrames(gw: TestGateway): { frames: RoomFrameMessage[]; stop: () => void; of: (room: string) => RoomFrameMessage['frame'][] } {
  const frames: RoomFrameMessage[] = [];
  const stop = gw.services.deps.bus.subscribe(ROOM_TOPIC, (m) => frames.push(m as RoomFrameMessage));
  return { frames, stop, of: (room) => frames.filter((f) => f.room === room).map((f) => f.frame) };
}

/** A contest with tasks, made by ROOT through the contests service; a task may name a CARP dataset. */
export async function contestWithTasks(
  gw: TestGateway,
  name: string,
  tasks: { name: string; datasetId?: string }[],
): Promise<{ id: number; taskIds: number[] }> {
  const root = gw.services.users.byUsername('root');
  const admin = (await root)!;
  const contest = await gw.services.contests.create(admin, { name });
  const taskIds: number[] = [];
  for (const t of tasks)
    taskIds.push((await gw.services.contests.addTask(admin, { contestId: contest.id, name: t.name, datasetId: t.datasetId ?? null })).id);
  return { id: contest.id, taskIds };
}

export const tick = () => new Promise((r) => setTimeout(r, 20));
