// A scripted client of the original Python judge worker's websocket protocol (github
// imxieyi/carp_judge_worker): its login, its socket, and the frames it sends and reads.
import { connect } from 'node:net';
import { unzipSync } from 'fflate';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { GDB10_OUTPUT } from './support.js';

export const WORKER_INFO = 0,
  WORKER_TICK = 1,
  CASE_DATA = 2,
  CASE_START = 3,
  CASE_RESULT = 4,
  CASE_ERROR = 5;

/** Logs in the way the Python worker did: POST /api/login, then the Set-Cookie header as is. */
export async function workerLogin(base: string, username: string, password: string): Promise<{ uid: string; cookie: string }> {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { uid: string; type: number };
  expect(body.type).toBe(300);
  return { uid: body.uid, cookie: res.headers.get('set-cookie')! };
}

/** One HTTP/1.1 answer as a client reads it off the wire: headers in order, repeated ones kept. */
export interface RawAnswer {
  status: number;
  headers: [string, string][];
  body: string;
}

/** The first value of a header, as aiohttp's `resp.headers[name]` (a CIMultiDict) gives it. */
export const first = (a: RawAnswer, name: string): string | undefined => a.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
export const all = (a: RawAnswer, name: string): string[] => a.headers.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);

/** Sends `request` byte for byte on a fresh TCP connection and reads one answer (Content-Length or chunked; none to HEAD). */
export function rawHttp(base: string, request: string, head = false): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let buf = Buffer.alloc(0);
    const done = (a: RawAnswer) => {
      socket.destroy();
      resolve(a);
    };
    socket.on('error', reject);
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`no whole answer to ${request.split('\r\n')[0]}`));
    });
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers = lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as [string, string]);
      const answer = { status: Number(statusLine!.split(' ')[1]), headers, body: '' };
      let rest = buf.subarray(end + 4);
      if (head) return done(answer);
      const length = first(answer, 'content-length');
      if (length !== undefined) {
        if (rest.length < Number(length)) return;
        return done({ ...answer, body: rest.subarray(0, Number(length)).toString('utf8') });
      }
      if (first(answer, 'transfer-encoding') === 'chunked') {
        const parts: Buffer[] = [];
        for (;;) {
          const eol = rest.indexOf('\r\n');
          if (eol < 0) return;
          const size = Number.parseInt(rest.subarray(0, eol).toString(), 16);
          if (size === 0) return done({ ...answer, body: Buffer.concat(parts).toString('utf8') });
          if (rest.length < eol + 2 + size + 2) return;
          parts.push(rest.subarray(eol + 2, eol + 2 + size));
          rest = rest.subarray(eol + 2 + size + 2);
        }
      }
      done(answer);
    });
  });
}

/** aiohttp 3.4.4 (the worker's requirements.txt) on Python 3.6, as its requests name it. */
const AIOHTTP_UA = 'Python/3.6 aiohttp/3.4.4';

/** What the final worker's login did on the wire, step by step, for a test to check. */
export interface FinalLogin {
  init: RawAnswer;
  /** Absent when the init page was not a 200 (main.py logs and tries again). */
  login?: RawAnswer;
  /** The login's first Set-Cookie, whole: main.py's Cookie header for /api/websocket (absent unless the login was a 200). */
  cookie?: string;
  uid?: string;
}

/**
 * The final worker's login (main.py since 424fcd0, through HEAD), replayed as aiohttp 3.4.4
 * writes it: `GET <init_url>`; the FIRST Set-Cookie of that answer, `XSRF-TOKEN=` read out of it
 * (`cookie.split('XSRF-TOKEN=')[1].split(';')[0]`); `POST <login_url>` with `json=` and
 * `headers={'Cookie': cookie, 'X-XSRF-TOKEN': token}`; the FIRST Set-Cookie of that answer.
 * aiohttp puts the caller's headers first, then Accept, Accept-Encoding, Host, User-Agent,
 * Content-Length, Content-Type. Its cookie jar refuses cookies from an IP host, so on
 * `http://127.0.0.1:...` the Set-Cookie text goes out verbatim (`XSRF-TOKEN=t; Path=/`); on a
 * host name the jar holds the cookie and aiohttp rebuilds the header from it and the caller's
 * (SimpleCookie: `XSRF-TOKEN=t`, moved after User-Agent). `host` picks which; the socket goes
 * to the gateway either way. Stops where main.py would log and try again.
 */
export async function finalWorkerLogin(
  base: string,
  username: string,
  password: string,
  { initPath = '/', host = 'ip' }: { initPath?: string; host?: 'ip' | 'name' } = {},
): Promise<FinalLogin> {
  const { port } = new URL(base);
  const hostHeader = host === 'ip' ? `127.0.0.1:${port}` : `localhost:${port}`;
  const init = await rawHttp(
    base,
    `GET ${initPath} HTTP/1.1\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nHost: ${hostHeader}\r\nUser-Agent: ${AIOHTTP_UA}\r\n\r\n`,
  );
  if (init.status !== 200) return { init };
  const initCookie = first(init, 'set-cookie')!;
  const token = initCookie.split('XSRF-TOKEN=')[1]!.split(';')[0]!;
  // Python's json.dumps of the dict, in its insertion order, with its default separators.
  const body = `{"username": ${JSON.stringify(username)}, "password": ${JSON.stringify(password)}}`;
  const common = `Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nHost: ${hostHeader}\r\nUser-Agent: ${AIOHTTP_UA}\r\n`;
  const headers =
    host === 'ip'
      ? `Cookie: ${initCookie}\r\nX-XSRF-TOKEN: ${token}\r\n${common}`
      : `X-XSRF-TOKEN: ${token}\r\n${common}Cookie: XSRF-TOKEN=${token}\r\n`;
  const login = await rawHttp(
    base,
    `POST /api/login HTTP/1.1\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\n\r\n${body}`,
  );
  if (login.status !== 200) return { init, login };
  const obj = JSON.parse(login.body) as { uid: string; type: number };
  expect(obj.type).toBe(300);
  return { init, login, cookie: first(login, 'set-cookie')!, uid: obj.uid };
}

/** A scripted old worker: every frame it receives is queued; `next` waits for the next one. */
export class OldWorker {
  private inbox: any[] = [];
  private waiting: { resolve: (m: any) => void; reject: (e: Error) => void } | null = null;
  /** Frames in both directions, in the order this client saw them ('in 2', 'out 4', ...). */
  readonly events: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(
    readonly ws: WebSocket,
    readonly uid: string,
  ) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      this.events.push(`in ${m.type}${m.payload ? ` ${m.payload.cid}` : ''}`);
      const w = this.waiting;
      this.waiting = null;
      if (w) w.resolve(m);
      else this.inbox.push(m);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.waiting?.reject(new Error('socket closed'));
        this.waiting = null;
        resolve({ code, reason: String(reason) });
      }),
    );
  }

  next(timeoutMs = 10_000): Promise<any> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no message from the gateway')), timeoutMs);
      this.waiting = {
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      };
    });
  }

  pending(): number {
    return this.inbox.length;
  }

  send(m: unknown): void {
    if (typeof m === 'object' && m !== null) this.events.push(`out ${(m as any).type} ${(m as any).cid ?? ''}`.trim());
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  /** Answers the gateway's WORKER_INFO request, as main.py's message handler does. */
  async register(maxTasks: number): Promise<void> {
    expect(await this.next()).toEqual({ type: WORKER_INFO });
    this.send({ uid: this.uid, type: WORKER_INFO, maxTasks });
  }

  /** The next CASE_DATA: its case id, its zip as sent and the files in it. */
  async caseData(): Promise<{ cid: string; zip: Uint8Array; files: Record<string, Uint8Array> }> {
    const m = await this.next();
    expect(m.type).toBe(CASE_DATA);
    expect(typeof m.payload.cid).toBe('string');
    const zip = new Uint8Array(Buffer.from(m.payload.data, 'base64'));
    return { cid: m.payload.cid, zip, files: unzipSync(zip) };
  }

  /** CASE_START then CASE_RESULT, with Python's time.time() style float timestamps. */
  judge(cid: string, stdout = GDB10_OUTPUT, start = Date.now() / 1000, seconds = 1.5): void {
    this.send({ type: CASE_START, cid, timestamp: start });
    this.send(result(cid, stdout, start + seconds));
  }
}

export const result = (cid: string, stdout: string, timestamp: number, extra: object = {}) => ({
  cid,
  type: CASE_RESULT,
  timedout: false,
  stdout,
  stdout_overflow: false,
  stderr: '',
  stderr_overflow: false,
  exitcode: 0,
  timestamp,
  ...extra,
});

/** Opens the socket; resolves with the handshake's HTTP status when the gateway refuses it. */
export function connectRaw(base: string, cookie?: string, uid = '', headers: Record<string, string> = {}): Promise<OldWorker | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/websocket`, { headers: cookie ? { ...headers, cookie } : headers });
    // Listening from the start: the gateway's first frame may come with the handshake.
    const w = new OldWorker(ws, uid);
    ws.once('open', () => resolve(w));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}
