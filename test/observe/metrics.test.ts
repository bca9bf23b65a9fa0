// GET /metrics as Prometheus scrapes it: known traffic on a real gateway, the text parsed by a
// Prometheus text-format parser, each count checked; and who may scrape.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { trpc } from '../helpers/doors.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { judgeLogin } from '../helpers/http.js';
import { type Exposition, parseExposition, sampleValue } from '../helpers/prometheus.js';
import { startRedis } from '../helpers/redis.js';
import { archive, judgeFixture, waitFor, type JudgeFixture } from '../judge-service/support.js';

async function scrape(url: string): Promise<Exposition> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

const REPORT = { timedout: false, stdout: '', outOverflow: false, stderr: '', errOverflow: false, time: 1.5, exitcode: 0, status: 3 as const };

describe('/metrics after known traffic', () => {
  let gw: TestGateway;
  let fx: JudgeFixture;
  beforeAll(async () => {
    gw = await startTestGateway({ JUDGE_LEASE_SECONDS: '1' });
    fx = await judgeFixture(gw);
  });
  afterAll(() => gw?.stop());

  it('counts requests per door and route pattern, cases by status, claims, lease expiries, runs, sockets and the bus', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${gw.url}/healthz`);
    for (let i = 0; i < 2; i++)
      await fetch(`${gw.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"username":"root","password":"wrong"}',
      });
    const worker = trpc(gw.url, { authorization: `Bearer ${fx.workerToken}` }).worker;

    // Two cases: one claimed and left to expire, one claimed and judged.
    const lapsed = (await fx.root.post('/api/judge/submit', { dataset: fx.datasetId, data: archive('good') })).json.cid;
    const first = (await worker.claim.mutate({ waitMs: 0 }))!;
    expect(first.id).toBe(lapsed);
    await waitFor('the lease to expire', async () => (await fx.root.get(`/api/judge/query?cid=${lapsed}`)).json.status === 0, 10_000);
    const again = (await worker.claim.mutate({ waitMs: 0 }))!;
    await worker.report.mutate({ id: again.id, leaseId: again.leaseId, result: { ...REPORT, valid: false, cost: 0, reason: 'Invalid route' } });

    // An old worker's socket, open while scraped.
    await fx.root.post('/api/admin/user/add', { username: 'oldworker', password: 'old-pw', type: 300 });
    const old = await judgeLogin(gw.url, 'oldworker', 'old-pw');
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/api/websocket`, { headers: { cookie: `JSESSIONID=${old.cookies.get('JSESSIONID')}` } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

    const m = await scrape(gw.url);
    ws.close();

    const value = (name: string, labels: Record<string, string> = {}) => sampleValue(m, name, labels);
    expect(value('arena_http_requests_total', { door: 'gateway', route: '/healthz', method: 'GET', status: '200' })).toBe(3);
    expect(value('arena_http_requests_total', { door: 'judge', route: '/api/login', method: 'POST', status: '400' })).toBe(2);
    expect(value('arena_http_requests_total', { door: 'judge', route: '/api/judge/submit', method: 'POST', status: '200' })).toBe(1);
    expect(value('arena_http_requests_total', { door: 'trpc', route: '/trpc/*', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(3);
    const healthz = { door: 'gateway', route: '/healthz', method: 'GET' };
    expect(m.types.get('arena_http_request_duration_seconds')).toBe('histogram');
    expect(value('arena_http_request_duration_seconds_count', healthz)).toBe(3);
    expect(value('arena_http_request_duration_seconds_bucket', { ...healthz, le: '+Inf' })).toBe(3);
    expect(value('arena_http_request_duration_seconds_bucket', { ...healthz, le: '10' })).toBe(3);
    // No raw path or query ever becomes a label.
    for (const s of m.samples.filter((x) => x.name === 'arena_http_requests_total')) expect(s.labels.route).not.toMatch(/\?|[0-9a-f]{16}/);

    expect(value('arena_judge_claims_total')).toBe(2);
    expect(value('arena_judge_lease_expiries_total')).toBe(1);
    expect(value('arena_judge_run_seconds_count', { outcome: 'invalid' })).toBe(1);
    expect(value('arena_judge_run_seconds_sum', { outcome: 'invalid' })).toBe(1.5);
    expect(value('arena_judge_run_seconds_count', { outcome: 'valid' })).toBeNaN(); // none yet
    expect(value('arena_cases', { status: 'FINISHED' })).toBe(1);
    expect(value('arena_cases', { status: 'WAITING' })).toBe(0);
    expect(value('arena_room_sockets', { kind: 'judge-worker' })).toBe(1);
    expect(value('arena_room_sockets', { kind: 'lobby' })).toBe(0);
    expect(value('arena_bus_connected')).toBe(1);
    expect(m.types.get('arena_process_resident_memory_bytes')).toBe('gauge');
    expect(m.types.get('arena_judge_claims_total')).toBe('counter');
  });
});

describe('the bus gauge', () => {
  it('follows Redis: 1 while it answers, 0 once it is gone', async () => {
    const redis = await startRedis();
    const gw = await startTestGateway({ REDIS_URL: redis.url });
    try {
      await waitFor('the bus to connect', async () => sampleValue(await scrape(gw.url), 'arena_bus_connected') === 1, 10_000);
      await redis.stop();
      await waitFor('the bus to notice', async () => sampleValue(await scrape(gw.url), 'arena_bus_connected') === 0, 10_000);
    } finally {
      await gw.stop();
      await redis.stop();
    }
  });
});

describe('who may scrape', () => {
  it('with METRICS_TOKEN: the bearer token only (constant-time compared), from anywhere', async () => {
    const gw = await startTestGateway({ METRICS_TOKEN: 'metrics-token-0123456789' });
    try {
      expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
      const wrong = await fetch(`${gw.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456780' } });
      expect([wrong.status, wrong.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="metrics"']);
      expect((await fetch(`${gw.url}/metrics`, { headers: { authorization: 'Basic metrics-token-0123456789' } })).status).toBe(401);
      const right = await fetch(`${gw.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('# TYPE arena_http_requests_total counter');
    } finally {
      await gw.stop();
    }
  });

  it('without it: loopback callers only', async () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    const gw = await startTestGateway({ HOST: '0.0.0.0' });
    try {
      const port = new URL(gw.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      // This machine's own non-loopback address: the gateway sees a non-loopback caller.
      if (address) {
        const far = await fetch(`http://${address}:${port}/metrics`);
        expect(far.status).toBe(403);
        expect(await far.text()).toContain('METRICS_TOKEN');
      }
    } finally {
      await gw.stop();
    }
  });
});
