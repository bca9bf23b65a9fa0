import { Hono } from 'hono';
import { z } from 'zod';
import { createDocument, type ZodOpenApiObject } from 'zod-openapi';
import { DOCS_PAGE, DOCS_PAGE_HEADERS } from '../../docs/pages.js';
import type { TrainingRoute } from '../training.js';
import { integrationRoutes } from './integration.js';
import { judgeRoutes } from './judge.js';
import { quizRoutes } from './quiz.js';
import { pathsOf, type RouteDoc } from './route.js';
import { socialRoutes } from './social.js';

const GATEWAY = 'gateway';

const gatewayRoutes: RouteDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    tag: GATEWAY,
    summary: 'Liveness: the database answers',
    responses: {
      200: { description: 'Up', schema: z.object({ status: z.literal('ok'), migrations: z.int() }) },
      503: { description: 'The database does not answer', schema: z.object({ status: z.literal('unavailable') }) },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: GATEWAY,
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()) } },
  },
  {
    method: 'get',
    path: '/docs',
    tag: GATEWAY,
    summary: 'Swagger UI for this document',
    responses: { 200: { description: 'HTML', contentType: 'text/html', schema: z.string() } },
  },
  ...(['get', 'post'] as const).map(
    (method): RouteDoc => ({
      method,
      path: '/graphql',
      tag: GATEWAY,
      summary: method === 'get' ? 'GraphQL (GraphiQL in a browser; queries in the query string)' : 'GraphQL over HTTP',
      description: 'Every domain through one schema (schema/schema.graphql). Bearer JWT or any session cookie.',
      ...(method === 'post'
        ? {
            body: {
              contentType: 'application/json',
              schema: z.object({ query: z.string(), variables: z.record(z.string(), z.unknown()).optional(), operationName: z.string().optional() }),
            },
          }
        : { query: z.object({ query: z.string().optional(), variables: z.string().optional() }) }),
      responses: {
        200: { description: 'A GraphQL result', schema: z.object({ data: z.unknown().optional(), errors: z.array(z.unknown()).optional() }) },
      },
      security: ['bearer', 'sessionCookie'],
    }),
  ),
];

/**
 * Paths the app registers that are not REST and so not in the document, each with why. The
 * test that keeps the document in step with the app's routes reads this.
 */
export const UNDOCUMENTED: { path: string; why: string }[] = [
  { path: '/api/websocket', why: "the original judge workers' WebSocket" },
  { path: '/ws/', why: 'room WebSockets (prefix)' },
  { path: '/trpc/', why: 'tRPC (prefix): typed clients read its router, not OpenAPI' },
  { path: '/docs/assets/', why: "the /docs and GraphiQL pages' own scripts and stylesheets (prefix), not an API" },
  { path: '/api/auth', why: "the social API's 404 page for its bare prefix" },
  { path: '/api/profile', why: "the social API's 404 page for its bare prefix" },
  { path: '/api/friends', why: "the social API's 404 page for its bare prefix" },
  { path: '/api/events', why: "the social API's 404 page for its bare prefix" },
  { path: '/accounts', why: "the social API's 404 page for its bare prefix" },
  { path: '/media', why: "the social API's 404 page for its bare prefix" },
];

/** The gateway's OpenAPI 3.1 document: every REST API, the training API from its own route table. */
function openApiDocument(training: TrainingRoute[]): ReturnType<typeof createDocument> {
  const doc: ZodOpenApiObject = {
    openapi: '3.1.0',
    info: {
      title: 'Arena gateway',
      version: '0.1.0',
      description:
        'The five legacy APIs the gateway keeps alive, each with its own envelope and errors: training (spec 001, FastAPI-style), ' +
        'contest integration (000, JSend), quiz authorization (002), social and events (003), the CARP judge (004). ' +
        'GraphQL and tRPC serve the same data.',
    },
    tags: [
      { name: 'training (spec 001)' },
      { name: 'integration (spec 000)' },
      { name: 'quiz (spec 002)' },
      { name: 'social (spec 003)' },
      { name: 'judge (spec 004)' },
      { name: GATEWAY },
    ],
    paths: pathsOf([...training, ...integrationRoutes, ...quizRoutes, ...socialRoutes, ...judgeRoutes, ...gatewayRoutes]),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A JWT from the GraphQL/tRPC `login`, or a session id' },
        oauth: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: "`OAuth <token>`, the training frontend's scheme (spec 001): the same tokens as `bearer`",
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'sessionid',
          description: 'Any live session cookie: sessionid, JSESSIONID, QUIZSID or cms_session',
        },
        judgeSession: { type: 'apiKey', in: 'cookie', name: 'JSESSIONID' },
        socialSession: { type: 'apiKey', in: 'cookie', name: 'sessionid' },
        quizSession: { type: 'apiKey', in: 'cookie', name: 'QUIZSID' },
        integrationKey: { type: 'apiKey', in: 'header', name: 'x-integration-api-key' },
      },
    },
  };
  return createDocument(doc);
}

/** GET /openapi.json (built once, on first use) and GET /docs (Swagger UI on it, its files from /docs/assets/). */
export function openApiRouter(training: TrainingRoute[]) {
  const app = new Hono();
  let text: string | null = null;
  app.get('/openapi.json', (c) => {
    text ??= JSON.stringify(openApiDocument(training));
    return c.body(text, 200, { 'content-type': 'application/json' });
  });
  app.get('/docs', (c) => c.html(DOCS_PAGE, 200, DOCS_PAGE_HEADERS));
  return app;
}
