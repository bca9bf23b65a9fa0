// Fixtures for the marking socket tests: people with sessions, events at a chosen time, sockets.
import { expect } from 'vitest';
import type WebSocket from 'ws';
import type { Gateway } from '../../src/node/gateway.js';
import { JudgeType } from '../../src/identity/roles.js';
import type { User } from '../../src/services/users.js';
import { connect, wsUrl, type Peer } from './support.js';

export interface Person {
  user: User;
  /** A `social` session id, passed as the `token` parameter (or the `sessionid` cookie). */
  token: string;
}

let made = 0;

/** `n` users (no password hashing: a placeholder hash) with a social session each. */
export async function people(gw: Gateway, n: number): Promise<Person[]> {
  const s = gw.services;
  return Promise.all(
    Array.from({ length: n }, async () => {
      const user = await s.users.create({ username: `m${process.pid}x${made++}`, passwordHash: '!', judgeType: JudgeType.USER });
      return { user, token: (await s.sessions.create(user.id, 'social')).id };
    }),
  );
}

export type When = 'running' | 'future' | 'over';

/** An event created by `creator`, joined by `others`, then moved to the given time (UNIX seconds). */
export async function eventFixture(gw: Gateway, creator: Person, others: Person[], when: When = 'running'): Promise<string> {
  const s = gw.services;
  const now = Math.floor(Date.now() / 1000);
  const ev = await s.social.events.create(creator.user, { name: `Pair ${crypto.randomUUID()}`, timeFrom: now + 3600, timeTo: now + 7200 });
  for (const p of others) await s.social.events.join(p.user, ev.id);
  await setTimes(gw, ev.id, when);
  return ev.id;
}

export async function setTimes(gw: Gateway, eventId: string, when: When): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const [from, to] = when === 'running' ? [now - 600, now + 3600] : when === 'future' ? [now + 3600, now + 7200] : [now - 7200, now - 60];
  await gw.services.deps.db.execute({ sql: 'UPDATE social_events SET time_from = ?, time_to = ? WHERE id = ?', args: [from, to, eventId] });
}

export type Path = '/ws/mark_me' | '/ws/marking';

function markingUrl(base: string, path: Path, params: Record<string, string>): string {
  return wsUrl(base, path, params);
}

/** Opens a marking socket as `who` (by its token) for the event. */
export function open(
  base: string,
  path: Path,
  eventId: string,
  who: Person | null,
  extra: Record<string, string> = {},
  options: WebSocket.ClientOptions = {},
): Promise<Peer> {
  const params: Record<string, string> = { event_id: eventId, ...extra };
  if (who) params.token = who.token;
  return connect(markingUrl(base, path, params), {}, options);
}

/** The frame text as Django Channels' send_json wrote it (Python's json.dumps). */
export const errorText = (message: string) => py({ result: 'error', message });
export const okText = (message: string, params?: Record<string, unknown>) =>
  py(params === undefined ? { result: 'ok', message } : { result: 'ok', message, params });

function py(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(py).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${py(k)}: ${py(v)}`)
    .join(', ')}}`;
}

/** The socket got exactly this error frame, then was closed with 1000. */
export async function refused(p: Peer, message: string): Promise<void> {
  expect(await p.next()).toBe(errorText(message));
  expect((await p.closed).code).toBe(1000);
}

/** Reads `n` frames (any order is fine for the caller) as parsed JSON. */
export async function frames(p: Peer, n: number, timeoutMs = 5000): Promise<any[]> {
  const out: any[] = [];
  for (let i = 0; i < n; i++) out.push(await p.json(timeoutMs));
  return out;
}

export const joinedFrame = (u: Person) => ({ result: 'ok', message: 'user_joined', params: { user_id: u.user.id } });
export const leftFrame = (u: Person) => ({ result: 'ok', message: 'user_left', params: { user_id: u.user.id } });
export const prepare = (p: Peer, u: Person | string) =>
  p.send({ message: 'prepare_to_mark', params: { user_id: typeof u === 'string' ? u : u.user.id } });

export const DISPLAY = ["Ты такой молодец, я не могу! ^_^' +50 к карме!", 'Круто! +50 к карме!', 'Огонь! +50 к карме!', 'От души! +50 к карме!'];

export async function karma(gw: Gateway, u: Person): Promise<number> {
  const r = (await gw.services.deps.db.execute({ sql: 'SELECT karma FROM social_profiles WHERE user_id = ?', args: [u.user.id] })).rows[0];
  return Number(r!.karma);
}
