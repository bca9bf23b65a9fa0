import type { GatewayOptions } from '../../src/node/gateway.js';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { createClient } from '@libsql/client';
import { expect } from 'vitest';
import { gql } from '../helpers/doors.js';
import { ROOT_PASSWORD, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import type { Client, HttpResult } from '../helpers/http.js';

/** The application id of spec 002's example (and of the original's tests). */
export const APP_ID = '32bfe1c505d4a2a042bafd53993f10ece3ccddca';
export const OTHER_APP_ID = 'second-app-id';

/** The tables a refused call must leave as they were. */
export const DOMAIN_TABLES = ['users', 'quiz_accounts', 'sessions'];

/** A legacy client's own MD5, not the gateway's. */
export const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
export const digestFor = (nonce: string, login: string, password: string) => md5(`${nonce}:${md5(`${login}:${password}`)}`);

export const HEX32 = /^[0-9a-f]{32}$/;
export const JSON_TYPE = 'application/json; charset=utf-8';

export function startQuizGateway(env: Record<string, string> = {}, options: GatewayOptions = {}): Promise<TestGateway> {
  return startTestGateway({ QUIZ_APP_IDS: `${APP_ID}, ${OTHER_APP_ID}`, ...env }, options);
}

export async function rootToken(gw: TestGateway): Promise<string> {
  const r = await gql(gw.url, 'mutation($p: String!) { login(username: "root", password: $p) { token } }', { p: ROOT_PASSWORD });
  return r.data.login.token;
}

const QUIZ_USER = 'id type name surname schoolId userId username';

/** A school (and its guest) through GraphQL, as a quiz admin would create it. */
export async function createSchool(gw: TestGateway, token: string, v: { name: string; login: string; password: string; accessUntil?: string }) {
  const r = await gql(
    gw.url,
    `mutation($name: String!, $login: String!, $password: String!, $accessUntil: String) {
      createQuizSchool(name: $name, login: $login, password: $password, accessUntil: $accessUntil) { ${QUIZ_USER} } }`,
    v,
    { authorization: `Bearer ${token}` },
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data.createQuizSchool;
}

export async function createStudent(
  gw: TestGateway,
  token: string,
  v: { schoolId: number; name: string; surname: string; login: string; password: string; accessUntil?: string },
) {
  const r = await gql(
    gw.url,
    `mutation($schoolId: Int!, $name: String!, $surname: String!, $login: String!, $password: String!, $accessUntil: String) {
      createQuizStudent(schoolId: $schoolId, name: $name, surname: $surname, login: $login, password: $password, accessUntil: $accessUntil) { ${QUIZ_USER} } }`,
    v,
    { authorization: `Bearer ${token}` },
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data.createQuizStudent;
}

/** GET /v1/authorize's nonce. */
export async function getNonce(c: Client): Promise<string> {
  const r = await c.get('/v1/authorize');
  expect(r.json.nonce).toMatch(HEX32);
  return r.json.nonce;
}

/** The whole legacy login: a nonce, then the digest of `password` over it. */
export async function quizLogin(
  c: Client,
  login: string,
  password: string,
  extra: Partial<Record<'appid' | 'quiz_type' | 'digest', string>> = {},
): Promise<HttpResult> {
  const nonce = await getNonce(c);
  return c.post('/v1/authorize', { nonce, login, appid: APP_ID, quiz_type: 'quiz_b', digest: digestFor(nonce, login, password), ...extra });
}

/** Any request with exactly these bytes and headers (no cookie jar, no default content type). */
export async function raw(base: string, method: string, path: string, body?: string | Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { method, headers, body: body as BodyInit | undefined, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

/** A nonce row as GET /v1/authorize stores it, for nonces a test must choose (the spec's, a numeric one). */
export async function plantNonce(gw: TestGateway, nonce: string, ttlMs = 300_000): Promise<void> {
  const db = createClient({ url: gw.dbUrl });
  try {
    await db.execute({ sql: 'INSERT INTO quiz_nonces (nonce, expires_at) VALUES (?, ?)', args: [nonce, Date.now() + ttlMs] });
  } finally {
    db.close();
  }
}

/** The original's error answer: HTTP 200, compact `{"status":N,"description":"..."}`. */
export function expectWireError(r: { status: number; headers: Headers; text: string }, status: number, description: string): void {
  expect(r.status, r.text).toBe(200);
  expect(r.headers.get('content-type')).toBe(JSON_TYPE);
  expect(r.text).toBe(JSON.stringify({ status, description }));
}

/**
 * One HTTP/1.1 exchange over a plain socket: `request` goes out exactly as given (request line,
 * header names, their case and order, body), as the original's Python clients wrote it; the
 * answer comes back as its status, header lines and body text (Content-Length framed).
 */
export function wireExchange(base: string, request: string): Promise<{ status: number; headers: Headers; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let buf = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Headers();
      for (const line of lines.slice(1)) headers.append(line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim());
      const length = Number(headers.get('content-length') ?? Number.NaN);
      if (!Number.isInteger(length)) return reject(new Error(`no Content-Length: ${lines.join(' | ')}`));
      if (buf.length < end + 4 + length) return;
      socket.destroy();
      resolve({
        status: Number(lines[0]!.split(' ')[1]),
        headers,
        text: buf.subarray(end + 4, end + 4 + length).toString('utf8'),
      });
    });
    socket.write(request, 'latin1');
  });
}
