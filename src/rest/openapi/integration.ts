import { z } from 'zod';
import type { ResponseDoc, RouteDoc } from './route.js';

/** Spec 000, the contest integration API at the root, described (src/rest/integration.ts serves it). JSend bodies. */

const TAG = 'integration (spec 000)';

const Fail = z
  .object({
    status: z.literal('fail'),
    data: z.string().meta({ description: 'What was wrong (for a bad body: the schema violation, as jsonschema printed it)' }),
  })
  .meta({ id: 'JSendFail' });
const JSendError = z.object({ status: z.literal('error'), message: z.string(), code: z.int() }).meta({ id: 'JSendError' });
const success = (data: z.ZodType): ResponseDoc => ({ description: 'JSend success', schema: z.object({ status: z.literal('success'), data }) });
const fails = (...codes: number[]): Record<number, ResponseDoc> => ({
  ...Object.fromEntries(codes.map((c) => [c, { description: 'JSend fail', schema: Fail }])),
  405: { description: 'Another method', schema: JSendError },
});

const Standing = z
  .object({
    tasks: z.array(z.object({ score: z.number(), task_id: z.int() })),
    contest_id: z.int(),
    score: z.number(),
  })
  .meta({ id: 'IntegrationStanding' });
const IntegrationUser = z
  .object({
    username: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    user_id: z.int(),
    contest: Standing.optional().meta({ description: 'With contest_id' }),
    timezone: z.string(),
    preferred_languages: z.string(),
    email: z.string(),
  })
  .meta({ id: 'IntegrationUser' });

const security = ['integrationKey'];
const json = (schema: z.ZodType) => ({ contentType: 'application/json', schema });

export const integrationRoutes: RouteDoc[] = [
  {
    method: 'get',
    path: '/get_user',
    tag: TAG,
    summary: 'A user, with their standing in a contest',
    security,
    query: z.object({ username: z.string(), contest_id: z.int().optional() }),
    responses: { 200: success(IntegrationUser), ...fails(400, 403, 404) },
  },
  {
    method: 'post',
    path: '/create_user',
    tag: TAG,
    summary: 'Create a user (and a participation)',
    security,
    body: json(
      z.object({
        username: z.string(),
        password: z.string().meta({ description: '`plaintext:<pw>`, `bcrypt:<hash>` or a bare password' }),
        first_name: z.string().optional(),
        last_name: z.string().optional(),
        contest_id: z.int().optional(),
        timezone: z.string().optional(),
        preferred_languages: z.string().optional(),
        email: z.string().optional(),
      }),
    ),
    responses: { 200: success(z.object({ user_id: z.int(), participation_id: z.int().optional() })), ...fails(400, 403, 404, 409) },
  },
  {
    method: 'post',
    path: '/create_participation',
    tag: TAG,
    summary: 'Add a user to a contest',
    security,
    body: json(z.object({ username: z.string(), contest_id: z.int() })),
    responses: { 200: success(z.object({ participation_id: z.int() })), ...fails(400, 403, 404, 409) },
  },
  {
    method: 'post',
    path: '/create_session',
    tag: TAG,
    summary: "A session for the contest site's cms_session cookie",
    security,
    body: json(z.object({ username: z.string(), contest_id: z.int().nullable().optional() })),
    responses: { 200: success(z.object({ session_id: z.string() })), ...fails(400, 403, 404) },
  },
];
