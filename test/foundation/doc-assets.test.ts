// The doc pages (/docs, GraphiQL on GET /graphql) and their files, served by the gateway itself:
// no CDN link, a CSP on the pages only, every file from a fixed table with its type, a day's
// caching and gzip; any other name, traversal included, is a 404.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { graphiqlPage } from '../../src/docs/pages.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const require = createRequire(import.meta.url);
const packageFile = (pkg: string, file: string) => readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), file));

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
/** Every packaged file a page links, by name, with the installed file it must be. */
const PACKAGED: [string, string, string, string][] = [
  ['swagger-ui.css', 'swagger-ui-dist', 'swagger-ui.css', CSS],
  ['swagger-ui-bundle.js', 'swagger-ui-dist', 'swagger-ui-bundle.js', JS],
  ['graphiql.css', '@graphql-yoga/graphiql', 'dist/graphiql.css', CSS],
  ['yoga-graphiql.umd.js', '@graphql-yoga/graphiql', 'dist/yoga-graphiql.umd.js', JS],
  ['editor.worker.js', '@graphql-yoga/graphiql', 'dist/monacoeditorwork/editor.worker.bundle.js', JS],
  ['json.worker.js', '@graphql-yoga/graphiql', 'dist/monacoeditorwork/json.worker.bundle.js', JS],
  ['graphql.worker.js', '@graphql-yoga/graphiql', 'dist/monacoeditorwork/graphql.worker..bundle.js', JS],
];
const OWN = ['swagger-init.js', 'graphiql-init.js'];

/** The src and href attributes of a page. */
const links = (html: string) => [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);

/** A GET with the path sent exactly as written (fetch would normalise dot segments). */
function rawGet(path: string): Promise<number> {
  const url = new URL(gw.url);
  return new Promise((resolve, reject) => {
    request({ host: url.hostname, port: url.port, path }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    })
      .on('error', reject)
      .end();
  });
}

function expectPageHeaders(r: Response) {
  const csp = r.headers.get('content-security-policy');
  expect(csp).toMatch(/^default-src 'none'; /);
  const directives = new Map(csp!.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));
  expect(directives.get('script-src')).toEqual(["'self'"]);
  expect(directives.get('connect-src')).toEqual(["'self'"]);
  for (const d of ['base-uri', 'form-action', 'frame-ancestors']) expect(directives.get(d), d).toEqual(["'none'"]);
  expect(csp).not.toMatch(/https?:|\*/);
  expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  return directives;
}

describe('GET /docs', () => {
  it('is Swagger UI on /openapi.json from same-origin files, under a CSP without inline script or style', async () => {
    const r = await fetch(`${gw.url}/docs`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = expectPageHeaders(r);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    const html = await r.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son\w+=/);
    expect(links(html)).toEqual(['data:,', '/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-init.js']);
    expect(html).toContain('<div id="swagger-ui" data-url="/openapi.json"></div>');
  });
});

describe('GraphiQL on GET /graphql from a browser', () => {
  it('links only same-origin files, runs no inline script, and carries the CSP', async () => {
    const r = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = expectPageHeaders(r);
    expect(csp.get('worker-src')).toEqual(["'self'"]);
    const html = await r.text();
    expect(html).not.toMatch(/https?:\/\/|unpkg/);
    expect(links(html)).toEqual(['data:,', '/docs/assets/graphiql.css', '/docs/assets/graphiql-init.js', '/docs/assets/yoga-graphiql.umd.js']);
    // The only script element without src is the options block, which the browser does not run.
    expect([...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!.trim())).toEqual([
      'type="application/json" id="graphiql-options"',
      'src="/docs/assets/graphiql-init.js"',
      'src="/docs/assets/yoga-graphiql.umd.js"',
    ]);
    const init = await (await fetch(`${gw.url}/docs/assets/graphiql-init.js`)).text();
    for (const worker of ['editor.worker.js', 'json.worker.js', 'graphql.worker.js']) expect(init).toContain(`"/docs/assets/${worker}"`);
  });

  it("its options can't close their block: every < is escaped", () => {
    const title = '</script><script>alert(1)</script>';
    const html = graphiqlPage({ title });
    const block = /<script type="application\/json" id="graphiql-options">(.*?)<\/script>/s.exec(html)![1]!;
    expect(block).not.toContain('<');
    expect(JSON.parse(block)).toEqual({ title });
  });

  it('API answers carry no page CSP', async () => {
    const post = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(await post.json()).toEqual({ data: { me: null } });
    const get = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(200);
    for (const r of [post, get, await fetch(`${gw.url}/openapi.json`), await fetch(`${gw.url}/healthz`)]) {
      expect(r.headers.get('content-security-policy'), r.url).toBeNull();
    }
  });
});

describe('GET /docs/assets/:name', () => {
  it('serves each packaged file byte for byte with its type, cached for a day, gzipped when the client takes it', async () => {
    for (const [name, pkg, file, type] of PACKAGED) {
      const want = packageFile(pkg, file);
      const plain = await fetch(`${gw.url}/docs/assets/${name}`, { headers: { 'accept-encoding': 'identity' } });
      expect(plain.status, name).toBe(200);
      expect(plain.headers.get('content-type'), name).toBe(type);
      expect(plain.headers.get('cache-control'), name).toBe('public, max-age=86400');
      expect(plain.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(plain.headers.get('vary'), name).toBe('accept-encoding');
      expect(plain.headers.get('content-encoding'), name).toBeNull();
      expect(Buffer.from(await plain.arrayBuffer()).equals(want), name).toBe(true);

      // fetch asks for gzip and inflates the body itself; the headers tell what came over the wire.
      const packed = await fetch(`${gw.url}/docs/assets/${name}`);
      expect(packed.headers.get('content-encoding'), name).toBe('gzip');
      expect(Number(packed.headers.get('content-length')), name).toBeLessThan(want.length);
      expect(Buffer.from(await packed.arrayBuffer()).equals(want), name).toBe(true);
    }
    // q=0 refuses gzip, even beside a wildcard.
    const refused = await fetch(`${gw.url}/docs/assets/graphiql.css`, { headers: { 'accept-encoding': 'gzip;q=0, *' } });
    expect(refused.headers.get('content-encoding')).toBeNull();
    await refused.arrayBuffer();
  });

  it('serves our own page scripts as JavaScript', async () => {
    for (const name of OWN) {
      const r = await fetch(`${gw.url}/docs/assets/${name}`);
      expect(r.status, name).toBe(200);
      expect(r.headers.get('content-type'), name).toBe(JS);
      expect(r.headers.get('cache-control'), name).toBe('public, max-age=86400');
      expect((await r.text()).length, name).toBeGreaterThan(0);
    }
  });

  it('answers 404 to any other name: unknown, a package path, traversal, encoded slashes, object keys', async () => {
    for (const path of [
      '/docs/assets/nope.js',
      '/docs/assets/index.html',
      '/docs/assets/swagger-ui-bundle.js.map',
      '/docs/assets/swagger-ui-dist%2fswagger-ui.css',
      '/docs/assets/dist%2Fgraphiql.css',
      '/docs/assets/..%2f..%2fpackage.json',
      '/docs/assets/..%2F..%2F..%2Fetc%2Fpasswd',
      '/docs/assets/%2e%2e%2fpackage.json',
      '/docs/assets/..%5c..%5cpackage.json',
      '/docs/assets/../../package.json',
      '/docs/assets/../../../etc/passwd',
      '/docs/assets/swagger-ui.css%00',
      '/docs/assets/swagger-ui.css/',
      '/docs/assets/swagger-ui.css/x',
      '/docs/assets/',
      '/docs/assets/__proto__',
      '/docs/assets/constructor',
      '/docs/assets/hasOwnProperty',
    ]) {
      expect(await rawGet(path), path).toBe(404);
    }
  });

  it('without the host port (the edge Worker, for now) the packaged files answer 404, our scripts still 200', async () => {
    const app = createApp(gw.services, { clientIp: () => '127.0.0.1' });
    expect((await app.request('/docs/assets/swagger-ui-bundle.js')).status).toBe(404);
    expect((await app.request('/docs/assets/swagger-init.js')).status).toBe(200);
    expect((await app.request('/docs')).status).toBe(200);
  });
});
