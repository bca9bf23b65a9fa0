import { Hono } from 'hono';
import { secretsEqual } from '../identity/encoding.js';
import type { ClientIp } from './rate-limit.js';

/** What the host offers to scrape (Node: prom-client's registry); a host without one serves no /metrics. */
export type Scrape = () => Promise<{ contentType: string; body: string }>;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * GET /metrics in the Prometheus text format: with METRICS_TOKEN, for `Authorization: Bearer
 * <token>` only (from anywhere); without it, for loopback callers only (a scraper on the host).
 */
export function metricsRouter(scrape: Scrape, token: string | undefined, clientIp: ClientIp) {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    if (token !== undefined) {
      const sent = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
      if (!(await secretsEqual(sent, token))) return c.text('Unauthorized', 401, { 'www-authenticate': 'Bearer realm="metrics"' });
    } else if (!LOOPBACK.test(clientIp(c))) {
      return c.text('Forbidden: set METRICS_TOKEN to scrape from another host', 403);
    }
    const { contentType, body } = await scrape();
    return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
  });
  return app;
}
