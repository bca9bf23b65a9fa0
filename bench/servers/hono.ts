import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/** Baseline: plain Hono on @hono/node-server, no database. */
const app = new Hono().get('/', (c) => c.text('hello'));
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  process.send?.({ url: `http://127.0.0.1:${info.port}` });
});
void server;
