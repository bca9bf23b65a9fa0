import { inspectRoutes } from 'hono/dev';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { UNDOCUMENTED } from '../../src/rest/openapi/index.js';
import { toOpenApiPath } from '../../src/rest/openapi/route.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let doc: any;

beforeAll(async () => {
  gw = await startTestGateway();
  const r = await fetch(`${gw.url}/openapi.json`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  doc = JSON.parse(await r.text());
});
afterAll(() => gw?.stop());

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every route the gateway's Hono app registers: path (OpenAPI style) -> methods (ALL = any). */
function appRoutes(): Map<string, Set<string>> {
  const app = createApp(gw.services, { clientIp: () => '127.0.0.1' });
  const out = new Map<string, Set<string>>();
  for (const r of inspectRoutes(app)) {
    if (r.isMiddleware || r.path.includes('*')) continue;
    if (UNDOCUMENTED.some((u) => (u.path.endsWith('/') ? r.path.startsWith(u.path) : r.path === u.path))) continue;
    const path = toOpenApiPath(r.path);
    const m = r.method.toLowerCase();
    if (m === 'options' || m === 'head') continue;
    out.set(path, (out.get(path) ?? new Set()).add(m));
  }
  return out;
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document whose every $ref resolves and every operation is complete', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref') refs.push(x as string);
          else walk(x);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
    const ids = new Set<string>();
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries<any>(item)) {
        expect(METHODS).toContain(method);
        expect(op.operationId).toEqual(expect.any(String));
        expect(ids.has(op.operationId), op.operationId).toBe(false);
        ids.add(op.operationId);
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const code of Object.keys(op.responses)) expect(code).toMatch(/^[1-5]\d\d$/);
        const inPath = (op.parameters ?? []).filter((p: any) => p.in === 'path');
        expect(inPath.map((p: any) => p.name).sort(), `${method} ${path}`).toEqual([...templated].sort());
        for (const p of inPath) expect(p.required).toBe(true);
        for (const s of op.security ?? []) for (const name of Object.keys(s)) expect(doc.components.securitySchemes[name], name).toBeDefined();
      }
    }
  });

  it('describes exactly the routes the app serves: every REST route of every API, and nothing else', () => {
    const served = appRoutes();
    const documented = new Map<string, Set<string>>(Object.entries<any>(doc.paths).map(([p, item]) => [p, new Set(Object.keys(item))]));
    for (const [path, methods] of served) {
      expect(documented.has(path), `${path} is served but not documented`).toBe(true);
      for (const m of methods) if (m !== 'all') expect(documented.get(path)!.has(m), `${m.toUpperCase()} ${path} not documented`).toBe(true);
    }
    for (const [path, methods] of documented) {
      expect(served.has(path), `${path} is documented but not served`).toBe(true);
      const s = served.get(path)!;
      for (const m of methods) expect(s.has(m) || s.has('all'), `${m.toUpperCase()} ${path} documented but not served`).toBe(true);
    }
    // One spot check per API.
    for (const p of [
      '/training-sessions/{sid}/submissions',
      '/get_user',
      '/v1/authorize',
      '/api/events/CreateEvent',
      '/api/judge/submit',
      '/healthz',
    ]) {
      expect(documented.has(p), p).toBe(true);
    }
  });

  it('the training routes carry their schemas: bodies, parameters, the FastAPI errors', () => {
    const start = doc.paths['/training-sessions'].post;
    expect(start.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/StartTrainingSession');
    expect(Object.keys(start.responses).sort()).toEqual(['201', '401', '403', '404', '422']);
    expect(doc.components.schemas.StartTrainingSession.required.sort()).toEqual(['contest_id', 'team_id']);
    expect(doc.paths['/training-sessions/{sid}/submissions'].post.requestBody.content['multipart/form-data']).toBeDefined();
    expect(doc.components.schemas.HTTPValidationError.properties.detail.type).toBe('array');
    // The original's `team_id: str` / `contest_id: str` (integers accepted too).
    for (const f of ['team_id', 'contest_id']) {
      expect(doc.components.schemas.StartTrainingSession.properties[f].anyOf.map((s: any) => s.type)).toEqual(['string', 'integer']);
    }
    // {"problems": [...]}, as the original passed Yandex's object through.
    expect(doc.paths['/contests/{sid}/problems'].get.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ProblemList',
    );
    expect(doc.components.schemas.ProblemList.required).toEqual(['problems']);
    expect(doc.paths['/contests/{contest_id}'].get.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ContestDetail',
    );
    expect(doc.paths['/lobby/{team_id}/online'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/Online');
    expect(doc.paths['/lobby/{team_id}/selected-contest'].get.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/SelectedContest',
    );
    // Signed in by Bearer, the original's `OAuth` scheme, or a session cookie.
    expect(doc.paths['/user/me'].get.security).toEqual([{ bearer: [] }, { oauth: [] }, { sessionCookie: [] }]);
    expect(doc.components.securitySchemes.oauth).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    const find = doc.paths['/training-sessions'].get.parameters.map((p: any) => [p.in, p.name, p.schema.type]);
    expect(find).toEqual([
      ['query', 'contest_id', 'integer'],
      ['query', 'team_id', 'integer'],
    ]);
  });

  it('GET /docs serves Swagger UI on the document', async () => {
    const r = await fetch(`${gw.url}/docs`);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('swagger-ui');
    expect(html).toContain('/openapi.json');
  });
});
