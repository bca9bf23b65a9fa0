// The gateway's and its judge's log as an operator reads it: the real `npm start` process, one
// JSON object a line, request records with their fields, a case's lifecycle by its id, and no
// password, token or cookie anywhere in it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { gql, trpc } from '../helpers/doors.js';
import { consoleLogger } from '../../src/observe/logger.js';
import { ROOT_PASSWORD as TEST_ROOT_PASSWORD, startTestGateway } from '../helpers/gateway.js';
import { judgeLogin } from '../helpers/http.js';
import { type MainProcess, startMain } from '../helpers/main-process.js';
import { freePort } from '../helpers/redis.js';
import { archive, GDB10, waitFor } from '../judge-service/support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ROOT_PASSWORD = 'root-secret-pw-1';
const JUDGE_PASSWORD = 'judge-secret-pw-2';
const WORKER_PASSWORD = 'worker-secret-pw-3';
let dir: string;
let main: MainProcess;

type Line = Record<string, any>;
const lines = (): Line[] =>
  main
    .output()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
const requests = () => lines().filter((l) => l.msg === 'request');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arena-logs-'));
  main = await startMain({
    DATABASE_URL: `file:${join(dir, 'arena.db')}`,
    BLOB_DIR: join(dir, 'blobs'),
    ROOT_PASSWORD,
    JUDGE_PASSWORD,
    LOG_LEVEL: 'info',
  });
}, 60_000);
afterAll(async () => {
  main?.proc.kill('SIGTERM');
  await main?.exited;
  await rm(dir, { recursive: true, force: true });
});

describe('logs (pino, one JSON object a line)', () => {
  it('a login, a submit judged to its end, GraphQL and tRPC logins, a socket: fields, user ids, the case by id, no secret', async () => {
    const root = await judgeLogin(main.url, 'root', ROOT_PASSWORD);
    const session = root.cookies.get('JSESSIONID')!;
    const datasetId = (await root.post('/api/dataset/add', { name: 'gdb10', time: 5, memory: 256, cpu: 1, data: GDB10 })).json.id;
    const cid = (await root.post('/api/judge/submit', { dataset: datasetId, data: archive('good') })).json.cid as string;
    await waitFor('the case to be judged', async () => (await root.get(`/api/judge/query?cid=${cid}`)).json.status >= 3, 60_000);

    const login = await gql(main.url, 'mutation($p: String!) { login(username: "root", password: $p) { token } }', { p: ROOT_PASSWORD });
    const jwt = login.data.login.token as string;
    await gql(main.url, '{ datasets { id } }', {}, { authorization: `Bearer ${jwt}` });
    const trpcToken = (await trpc(main.url).auth.login.mutate({ username: 'root', password: ROOT_PASSWORD })).token;

    // An old judge worker's socket, signed in by its JSESSIONID.
    await root.post('/api/admin/user/add', { username: 'oldworker', password: WORKER_PASSWORD, type: 300 });
    const worker = await judgeLogin(main.url, 'oldworker', WORKER_PASSWORD);
    const workerSession = worker.cookies.get('JSESSIONID')!;
    const ws = new WebSocket(`${main.url.replace('http', 'ws')}/api/websocket`, { headers: { cookie: `JSESSIONID=${workerSession}` } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.close();
    await waitFor('the socket close to be logged', async () => lines().some((l) => l.msg === 'socket closed'));

    const all = lines(); // every line parses as JSON (a line that does not throws here)
    const rootId = String((await root.get('/api/user/info')).json.uid);
    const workerId = String((await worker.get('/api/user/info')).json.uid);

    // Request records: time, level, request id, method, route pattern, status, latency, door.
    const reqs = requests();
    for (const r of reqs) {
      expect(r).toMatchObject({ level: 30, service: 'gateway', reqId: expect.any(String), method: expect.any(String), status: expect.any(Number) });
      expect(typeof r.time).toBe('number');
      expect(typeof r.ms).toBe('number');
      expect(r.route).not.toContain('?');
    }
    const submitLine = reqs.find((r) => r.route === '/api/judge/submit');
    expect(submitLine).toMatchObject({ door: 'judge', method: 'POST', status: 200 });
    expect(reqs.find((r) => r.route === '/api/judge/query')).toMatchObject({ door: 'judge', method: 'GET', route: '/api/judge/query' });
    const gqlLines = reqs.filter((r) => r.route === '/graphql');
    expect(gqlLines.map((r) => r.door)).toEqual(['graphql', 'graphql']);
    expect(reqs.some((r) => r.door === 'trpc' && r.route === '/trpc/*')).toBe(true);
    const upgrade = reqs.find((r) => r.route === '/api/websocket')!;
    expect(upgrade.door).toBe('sockets');
    expect(new Set(reqs.map((r) => r.reqId)).size).toBe(reqs.length);

    // The user, once a door resolved one: ROOT on its cookie and its JWT, the worker on its socket.
    expect(submitLine!.userId).toBe(rootId);
    expect(gqlLines[1]!.userId).toBe(rootId);
    expect(gqlLines[0]!.userId).toBeUndefined(); // the login itself is anonymous
    expect(upgrade.userId).toBe(workerId);
    expect(all.find((l) => l.msg === 'socket opened')).toMatchObject({ kind: 'judge-worker', room: expect.stringMatching(/^judge-worker:/) });

    // The judge's records of this case, each with its id, in order.
    const ofCase = all.filter((l) => l.service === 'judge' && l.caseId === cid).map((l) => l.msg);
    expect(ofCase).toEqual(['claimed', 'running', 'reported: valid, cost 298']);

    // No secret in any line: passwords, session ids, tokens, cookies.
    const text = main.output();
    for (const secret of [ROOT_PASSWORD, JUDGE_PASSWORD, WORKER_PASSWORD, session, workerSession, jwt, trpcToken]) {
      expect(text).not.toContain(secret);
    }
    expect(text.toLowerCase()).not.toContain('jsessionid=');
  }, 120_000);
});

/** `cmd` with its stdout on a pseudo-terminal (util-linux `script`), as an operator's shell runs it. */
function onTerminal(cmd: string, env: Record<string, string>) {
  const proc = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  return { proc, output: () => out, exited };
}

describe('the console logger (edge, Deno)', () => {
  it('writes the request records pino writes on Node, field for field', async () => {
    const written: Line[] = [];
    const gw = await startTestGateway({}, { log: consoleLogger('info', { service: 'gateway' }, (l) => written.push(JSON.parse(l))) });
    try {
      const root = await judgeLogin(gw.url, 'root', TEST_ROOT_PASSWORD);
      await root.get('/api/user/info');
    } finally {
      await gw.stop();
    }
    const info = written.find((l) => l.msg === 'request' && l.route === '/api/user/info')!;
    const onNode = requests().find((r) => r.route === '/api/user/info')!;
    const { pid: _pid, ...nodeFields } = onNode;
    expect(Object.keys(info).sort()).toEqual(Object.keys(nodeFields).sort());
    expect(info).toMatchObject({ level: 30, service: 'gateway', door: 'judge', method: 'GET', status: 200, userId: expect.any(String) });
    expect(JSON.stringify(written)).not.toContain(TEST_ROOT_PASSWORD);
  });
});

describe('log level and forms', () => {
  it('LOG_LEVEL=warn keeps the request records (info) out', async () => {
    const port = await freePort();
    const env = { DATABASE_URL: `file:${join(dir, 'quiet.db')}`, BLOB_DIR: join(dir, 'blobs'), ROOT_PASSWORD, LOG_LEVEL: 'warn', PORT: String(port) };
    const quiet = spawn(process.execPath, ['--import', 'tsx', 'src/node/main.ts', '--no-judge'], { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    quiet.stdout.on('data', (d) => (out += d));
    try {
      await waitFor('the quiet gateway', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status === 200);
      await fetch(`http://127.0.0.1:${port}/api/dataset/all`);
      await new Promise((r) => setTimeout(r, 300));
      expect(out).not.toContain('"msg":"request"');
      expect(out).not.toContain('listening on');
    } finally {
      quiet.kill('SIGTERM');
    }
  }, 60_000);

  it('on a terminal, the same records in pino-pretty form, not JSON', async () => {
    const port = await freePort();
    const term = onTerminal('node --import tsx src/node/main.ts --no-judge', {
      DATABASE_URL: `file:${join(dir, 'tty.db')}`,
      BLOB_DIR: join(dir, 'blobs'),
      ROOT_PASSWORD,
      PORT: String(port),
    });
    try {
      await waitFor('the gateway on a terminal', async () => term.output().includes('listening on'));
      await fetch(`http://127.0.0.1:${port}/healthz`);
      await waitFor('its request record', async () => /INFO.*request/.test(term.output()));
      const plain = term.output().replace(/\x1b\[[0-9;]*m/g, '');
      expect(plain).toMatch(/INFO.*: arena gateway listening on http:\/\/127\.0\.0\.1:\d+/);
      expect(plain).toMatch(/route: "\/healthz"/);
      expect(plain).not.toContain('{"level"');
    } finally {
      term.proc.kill('SIGTERM');
      await term.exited;
    }
  }, 60_000);
});
