import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { deflateSync } from 'node:zlib';
import { createClient } from '@libsql/client';
import { expect } from 'vitest';
import { snapshot } from '../helpers/db.js';
import type { TestGateway } from '../helpers/gateway.js';
import { Client, type HttpResult } from '../helpers/http.js';
import { crc32 } from '../helpers/zip.js';

/** Every table spec 003 writes, plus users: a refused call must leave all of them as they were. */
const SOCIAL_TABLES = ['users', 'social_profiles', 'social_friend_requests', 'social_friendships', 'social_events', 'social_event_participants'];

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The envelope's exact bytes, as Python's json.dumps wrote them (`", "`, `": "`, ASCII only). */
export function expectEnvelope(r: HttpResult, code: number, message: string, where = ''): void {
  const at = `${where} -> ${r.status} ${r.text}`;
  expect(r.status, at).toBe(200);
  expect(r.headers.get('content-type'), at).toBe('application/json');
  expect(r.text, at).toMatch(/^[\x20-\x7e]*$/);
  expect(Object.keys(r.json ?? {}), at).toEqual(
    code === 0 && r.json && 'response' in r.json ? ['error', 'error_msg', 'response'] : ['error', 'error_msg'],
  );
  expect(r.json.error, at).toBe(code);
  expect(r.json.error_msg, at).toBe(message);
}

/** A success; returns `response` (undefined when the original sent none). */
export function expectOk(r: HttpResult, where = ''): any {
  expectEnvelope(r, 0, '', where);
  return r.json.response;
}

/** Runs a call that must be refused and proves no table changed (and no blob was written). */
export async function expectUnchanged<T>(gw: TestGateway, call: () => Promise<T>): Promise<T> {
  const before = await snapshot(gw.dbUrl, SOCIAL_TABLES);
  const blobsBefore = await blobFiles(gw);
  const result = await call();
  expect(await snapshot(gw.dbUrl, SOCIAL_TABLES)).toBe(before);
  expect(await blobFiles(gw)).toEqual(blobsBefore);
  return result;
}

/** A refusal in the envelope, with nothing stored. */
export async function expectRefused(gw: TestGateway, call: () => Promise<HttpResult>, code: number, message: string): Promise<void> {
  const r = await expectUnchanged(gw, call);
  expectEnvelope(r, code, message);
}

export async function blobFiles(gw: TestGateway): Promise<string[]> {
  const root = join(gw.dir, 'blobs');
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(relative(root, p));
    }
  }
  await walk(root);
  return out.sort();
}

/** Users made straight through the identity service (PBKDF2 ~50 ms each: make them once per file). */
export async function createUsers<const N extends string>(
  gw: TestGateway,
  names: readonly N[],
  judgeType: 0 | 100 | 200 | 300 = 200,
): Promise<Record<N, string>> {
  const ids = {} as Record<N, string>;
  for (const name of names) ids[name] = (await gw.services.users.create({ username: name, password: `${name}-pw`, judgeType })).id;
  return ids;
}

/** Logs in through POST /accounts/login/ (JSON) and returns the client holding `sessionid`. */
export async function socialLogin(gw: TestGateway, username: string, password = `${username}-pw`): Promise<Client> {
  const c = new Client(gw.url);
  const r = await c.post('/accounts/login/', { username, password });
  if (r.json?.error !== 0 || !c.cookies.get('sessionid')) throw new Error(`login ${username} failed: ${r.status} ${r.text}`);
  return c;
}

/** A urlencoded form POST, as a browser or the legacy clients send one. */
export function postForm(c: Client, path: string, fields: Record<string, string>): Promise<HttpResult> {
  return c.post(path, new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
}

/** A multipart POST built by fetch's own FormData (a real encoder), with the client's cookies. */
export const postMultipart = (c: Client, path: string, form: FormData): Promise<HttpResult> => c.request('POST', path, form);

export function fileForm(field: string, bytes: Uint8Array, filename: string, type = 'application/octet-stream'): FormData {
  const form = new FormData();
  form.append(field, new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), filename);
  return form;
}

/** Moves an event's start and end (UNIX seconds) by SQL, as time passing would. */
export async function setEventTimes(gw: TestGateway, eventId: string, from: number, to: number): Promise<void> {
  const db = createClient({ url: gw.dbUrl });
  try {
    await db.execute({ sql: 'UPDATE social_events SET time_from = ?, time_to = ? WHERE id = ?', args: [from, to, eventId] });
  } finally {
    db.close();
  }
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

// ---- Tiny real images -----------------------------------------------------------------------

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function pngChunk(type: string, data: Uint8Array): number[] {
  const td = new Uint8Array([...Buffer.from(type, 'ascii'), ...data]);
  return [...be32(data.length), ...td, ...be32(crc32(td))];
}

/** A valid 1x1 RGB PNG (signature, IHDR, zlib IDAT, IEND, real CRCs). */
export function tinyPng(rgb: [number, number, number] = [200, 30, 30]): Uint8Array {
  const ihdr = new Uint8Array([...be32(1), ...be32(1), 8, 2, 0, 0, 0]);
  const idat = new Uint8Array(deflateSync(Buffer.from([0, ...rgb])));
  return new Uint8Array([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...pngChunk('IHDR', ihdr),
    ...pngChunk('IDAT', idat),
    ...pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * A valid baseline JPEG: one 8x8 grey block. Both Huffman tables hold one symbol (DC category 0,
 * AC end-of-block), so the whole scan is two 0 bits padded with 1s.
 */
export function tinyJpeg(): Uint8Array {
  const seg = (marker: number, body: number[]) => [0xff, marker, ((body.length + 2) >> 8) & 0xff, (body.length + 2) & 0xff, ...body];
  const bits = (len1count: number) => [len1count, ...new Array(15).fill(0)];
  return new Uint8Array([
    0xff,
    0xd8, // SOI
    ...seg(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // APP0 JFIF
    ...seg(0xdb, [0x00, ...new Array(64).fill(1)]), // DQT 0, all ones
    ...seg(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]), // SOF0: 8 bit, 8x8, one component
    ...seg(0xc4, [0x00, ...bits(1), 0x00]), // DHT DC 0: category 0 -> "0"
    ...seg(0xc4, [0x10, ...bits(1), 0x00]), // DHT AC 0: EOB -> "0"
    ...seg(0xda, [1, 1, 0x00, 0, 63, 0]), // SOS
    0x3f, // DC diff 0 ("0"), EOB ("0"), padded with ones
    0xff,
    0xd9, // EOI
  ]);
}

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
