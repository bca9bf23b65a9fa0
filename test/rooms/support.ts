import { expect } from 'vitest';
import WebSocket from 'ws';
import type { Gateway } from '../../src/node/gateway.js';
import { JudgeType } from '../../src/identity/roles.js';
import type { User } from '../../src/services/users.js';

export const LIMIT_REASON = 'Превышен лимит подключений';

/** A real `ws` client on a room socket: every frame it gets is queued; `next` waits for one. */
export class Peer {
  readonly inbox: string[] = [];
  private waiting: ((text: string | null) => void) | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;
  closeInfo: { code: number; reason: string } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? `<binary>` : String(data);
      const w = this.waiting;
      this.waiting = null;
      if (w) w(text);
      else this.inbox.push(text);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: String(reason) };
        const w = this.waiting;
        this.waiting = null;
        w?.(null);
        resolve(this.closeInfo);
      }),
    );
    ws.on('error', () => undefined);
  }

  /** The next frame's text; fails after `timeoutMs` or when the socket closes first. */
  next(timeoutMs = 10_000): Promise<string> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closeInfo) return Promise.reject(new Error(`socket closed (${this.closeInfo.code}) with no frame waiting`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting = null;
        reject(new Error('no frame from the gateway'));
      }, timeoutMs);
      this.waiting = (text) => {
        clearTimeout(t);
        if (text === null) reject(new Error(`socket closed (${this.closeInfo?.code}) with no frame waiting`));
        else resolve(text);
      };
    });
  }

  async json(timeoutMs?: number): Promise<any> {
    return JSON.parse(await this.next(timeoutMs));
  }

  /** Frames until one of `type` arrives (the others returned alongside). */
  async until(type: string, timeoutMs = 10_000): Promise<{ frame: any; skipped: any[] }> {
    const skipped: any[] = [];
    const end = Date.now() + timeoutMs;
    for (;;) {
      const f = JSON.parse(await this.next(Math.max(1, end - Date.now())));
      if (f.type === type) return { frame: f, skipped };
      skipped.push(f);
    }
  }

  /** Nothing arrives for `ms`. */
  async silent(ms = 300): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    expect(this.inbox).toEqual([]);
  }

  send(data: unknown): void {
    this.ws.send(typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data));
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close(1000);
    return this.closed;
  }
}

/** The socket URL for a gateway's http URL. */
export const wsUrl = (base: string, path: string, params: Record<string, string>) =>
  `${base.replace(/^http/, 'ws')}${path}?${new URLSearchParams(params)}`;

/** Opens a socket; resolves once open (accepted), rejects with the HTTP status if the upgrade is refused. */
export function connect(url: string, headers: Record<string, string> = {}, options: WebSocket.ClientOptions = {}): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ...options, headers });
    const peer = new Peer(ws);
    ws.once('open', () => resolve(peer));
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`handshake refused: ${res.statusCode}`), { status: res.statusCode }));
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

/**
 * Sockets a test opens, each closed at its end (`closeAll` in an afterEach): `join` opens one,
 * `joined` also reads the joiner's own USER_JOIN.
 */
export function peers() {
  const open: Peer[] = [];
  const join = async (url: string): Promise<Peer> => {
    const p = await connect(url);
    open.push(p);
    return p;
  };
  return {
    open,
    join,
    async joined(url: string): Promise<Peer> {
      const p = await join(url);
      expect((await p.json()).type).toBe('USER_JOIN');
      return p;
    },
    closeAll() {
      for (const p of open.splice(0)) p.ws.terminate();
    },
  };
}

/** Stops a peer's socket reading (its TCP socket paused, so the server's sends pile up); returns what resumes it. */
export function stall(peer: Peer): () => void {
  const raw = (peer.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  raw.pause();
  return () => raw.resume();
}

/** `count` frames of ~1 MB each from `peer`, at once: what a socket that stopped reading cannot keep up with. */
export function flood(peer: Peer, count = 40): void {
  const chunk = JSON.stringify({ type: 'BULK', payload: 'z'.repeat(1_000_000) });
  for (let i = 0; i < count; i++) peer.send(chunk);
}

/** The HTTP status a refused handshake answered (fails if the socket was accepted). */
export async function refusal(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const peer = await connect(url, headers);
    peer.ws.terminate();
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status) return status;
    throw err;
  }
  throw new Error(`${url}: accepted, expected a refusal`);
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | false | null | undefined> | T | false | null | undefined,
  timeoutMs = 5000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Team {
  users: Record<'ann' | 'bob' | 'cat' | 'dan' | 'eve', User>;
  /** A session id (the `token` parameter) per user. */
  tokens: Record<'ann' | 'bob' | 'cat' | 'dan' | 'eve', string>;
  teamId: number;
  sid: string;
}

let seq = 0;

/** Starts a training session over REST (POST /training-sessions) as a team member; its id. */
export async function startSession(base: string, token: string, teamId: number, contestId: number): Promise<string> {
  const res = await fetch(`${base}/training-sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `sessionid=${token}` },
    body: JSON.stringify({ team_id: teamId, contest_id: contestId }),
  });
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.id;
}

/** A contest with two tasks (problems A and B of a session started on it). */
export async function contestFixture(gw: Gateway, name: string): Promise<number> {
  const s = gw.services;
  const root = (await s.users.byUsername('root'))!;
  const contest = await s.contests.create(root, { name });
  await s.contests.addTask(root, { contestId: contest.id, name: 'one' });
  await s.contests.addTask(root, { contestId: contest.id, name: 'two' });
  return contest.id;
}

/**
 * A team (ann, bob, cat, dan; eve is not in it) with a training session started over REST on a
 * contest with problems A and B; each user gets a session id to pass as `token`.
 */
export async function teamFixture(gw: Gateway): Promise<Team> {
  const s = gw.services;
  const tag = `${process.pid}${seq++}`;
  const names = ['ann', 'bob', 'cat', 'dan', 'eve'] as const;
  const list = await Promise.all(names.map((n) => s.users.create({ username: `${n}${tag}`, password: 'pw-123456', judgeType: JudgeType.USER })));
  const users = Object.fromEntries(names.map((n, i) => [n, list[i]!])) as Team['users'];
  const tokens = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, (await s.sessions.create(users[n].id, 'social')).id])),
  ) as Team['tokens'];
  const team = await s.training.teams.create(users.ann, { name: `Owls ${tag}`, members: [`bob${tag}`, `cat${tag}`, `dan${tag}`] });
  const sid = await startSession(gw.url, tokens.ann, team.id, await contestFixture(gw, `Cup ${tag}`));
  return { users, tokens, teamId: team.id, sid };
}
