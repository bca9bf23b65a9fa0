// A scripted client of the original Python judge worker's websocket protocol (github
// imxieyi/carp_judge_worker): its login, its socket, and the frames it sends and reads.
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

  async caseData(): Promise<{ cid: string; files: Record<string, Uint8Array> }> {
    const m = await this.next();
    expect(m.type).toBe(CASE_DATA);
    expect(typeof m.payload.cid).toBe('string');
    return { cid: m.payload.cid, files: unzipSync(Buffer.from(m.payload.data, 'base64')) };
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
export function connectRaw(base: string, cookie?: string, uid = ''): Promise<OldWorker | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/websocket`, { headers: cookie ? { cookie } : {} });
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
