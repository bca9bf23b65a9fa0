import { z } from 'zod';
import type { ResponseDoc, RouteDoc } from './route.js';

/** Spec 004, the CARP judge API under /api, described (src/rest/judge.ts serves it). */

const TAG = 'judge (spec 004)';

const SpringError = z
  .object({
    timestamp: z.string().meta({ example: '2018-10-29T04:46:26.091+0000' }),
    status: z.int(),
    error: z.string(),
    message: z.string(),
    path: z.string(),
  })
  .meta({ id: 'SpringError', description: "The judge's error body (Spring Boot's)" });

const Uid = z.object({ uid: z.string() }).meta({ id: 'JudgeUid' });
const UserInfo = z.object({ uid: z.string(), username: z.string(), type: z.int() }).meta({ id: 'JudgeUserInfo' });
const Login = z.object({ uid: z.string(), type: z.int() }).meta({ id: 'JudgeLogin' });
const Dataset = z.object({ id: z.string(), name: z.string(), time: z.int(), memory: z.int(), cpu: z.int() }).meta({ id: 'JudgeDataset' });
const CarpCase = z
  .object({
    id: z.string(),
    status: z.int().meta({ description: '0 WAITING, 1 QUEUED, 2 RUNNING, 3 FINISHED' }),
    submitTime: z.string().nullable(),
    judgeTime: z.string().nullable(),
    timedout: z.boolean(),
    outOverflow: z.boolean(),
    errOverflow: z.boolean(),
    time: z.number(),
    exitcode: z.int(),
    valid: z.boolean(),
    cost: z.number(),
    reason: z.string().nullable(),
    datasetId: z.string(),
    userId: z.string(),
    workerName: z.string().nullable(),
  })
  .meta({ id: 'CarpCase' });
const TopEntry = z
  .object({ userName: z.string(), datasetId: z.string(), submitTime: z.string(), time: z.number(), cost: z.number() })
  .meta({ id: 'JudgeTopEntry' });

const json = (schema: z.ZodType) => ({ contentType: 'application/json', schema });
const text: ResponseDoc = { description: '`done`', contentType: 'text/plain', schema: z.string() };
const errors = (...codes: number[]): Record<number, ResponseDoc> =>
  Object.fromEntries(codes.map((c) => [c, { description: 'Error', schema: SpringError }]));
const ok = (schema: z.ZodType): ResponseDoc => ({ description: 'OK', schema });
const security = ['judgeSession'];

const home = (path: string): RouteDoc => ({
  method: 'get',
  path,
  tag: TAG,
  summary: 'A small page that sets the CSRF cookie',
  description:
    "What an old worker's `init_url` names: 200 with `Set-Cookie: XSRF-TOKEN=<uuid>; Path=/` (Spring's cookie CSRF repository), a fresh token each time. Other methods: 405.",
  responses: { 200: { description: 'OK', contentType: 'text/html', schema: z.string() }, ...errors(405) },
});

export const judgeRoutes: RouteDoc[] = [
  home('/'),
  home('/api'),
  home('/api/'),
  {
    method: 'post',
    path: '/api/login',
    tag: TAG,
    summary: 'Log in (sets JSESSIONID)',
    description:
      'The CSRF pair is optional: send neither the `XSRF-TOKEN` cookie nor the `X-XSRF-TOKEN` header, or both, equal (from `GET /`); anything in between is 403 `Forbidden`.',
    headers: z.object({ 'X-XSRF-TOKEN': z.string().optional() }),
    cookies: z.object({ 'XSRF-TOKEN': z.string().optional() }),
    body: json(z.object({ username: z.string(), password: z.string() })),
    responses: { 200: ok(Login), ...errors(400, 403) },
  },
  { method: 'get', path: '/api/logout', tag: TAG, summary: 'Log out', security, responses: { 200: ok(Uid), ...errors(403) } },
  { method: 'get', path: '/api/user/info', tag: TAG, summary: 'The logged-in user', security, responses: { 200: ok(UserInfo), ...errors(403) } },
  {
    method: 'post',
    path: '/api/user/change/password',
    tag: TAG,
    summary: "Change one's own password",
    security,
    body: json(z.object({ old: z.string(), new: z.string() })),
    responses: { 200: text, ...errors(400, 403) },
  },
  {
    method: 'post',
    path: '/api/admin/user/add',
    tag: TAG,
    summary: 'Add a user (ROOT: ADMIN, WORKER, USER; ADMIN: USER)',
    security,
    body: json(z.object({ username: z.string(), password: z.string(), type: z.int() })),
    responses: { 200: ok(z.object({ id: z.string() })), ...errors(400, 403, 409) },
  },
  {
    method: 'post',
    path: '/api/admin/user/change/password',
    tag: TAG,
    summary: "Set a user's password",
    security,
    body: json(z.object({ username: z.string(), password: z.string() })),
    responses: { 200: text, ...errors(400, 403, 404) },
  },
  {
    method: 'get',
    path: '/api/system/addtestdata',
    tag: TAG,
    summary: 'Add the test datasets (ROOT)',
    security,
    responses: { 200: text, ...errors(403) },
  },
  {
    method: 'post',
    path: '/api/dataset/add',
    tag: TAG,
    summary: 'Add a dataset (ROOT, ADMIN)',
    security,
    body: json(z.object({ name: z.string(), time: z.int(), memory: z.int(), cpu: z.int(), data: z.string() })),
    responses: { 200: ok(z.object({ id: z.string() })), ...errors(400, 403, 409) },
  },
  {
    method: 'get',
    path: '/api/dataset/all',
    tag: TAG,
    summary: 'Every dataset',
    security,
    responses: { 200: ok(z.object({ datasets: z.array(Dataset) })), ...errors(403) },
  },
  {
    method: 'get',
    path: '/api/judge/get',
    tag: TAG,
    summary: "The user's cases, newest first",
    security,
    query: z.object({ page: z.int().min(0).optional(), size: z.int().min(1).max(100).optional() }),
    responses: { 200: ok(z.object({ carpCases: z.array(CarpCase), total: z.int() })), ...errors(400, 403) },
  },
  {
    method: 'get',
    path: '/api/judge/query',
    tag: TAG,
    summary: 'One case (its owner)',
    security,
    query: z.object({ cid: z.string() }),
    responses: { 200: ok(CarpCase), ...errors(400, 403, 404) },
  },
  {
    method: 'get',
    path: '/api/judge/top',
    tag: TAG,
    summary: "A dataset's leaderboard",
    security,
    query: z.object({
      did: z.string().optional(),
      dataset: z.string().optional().meta({ description: 'What the original server read; `did` (the document) works too' }),
    }),
    responses: { 200: ok(z.object({ carpCases: z.array(TopEntry) })), ...errors(400, 403, 404) },
  },
  {
    method: 'get',
    path: '/api/judge/remain',
    tag: TAG,
    summary: 'Submissions left today',
    security,
    responses: { 200: ok(z.object({ remain: z.int(), total: z.int() })), ...errors(403) },
  },
  {
    method: 'post',
    path: '/api/judge/submit',
    tag: TAG,
    summary: 'Submit a base64 zip for judging',
    security,
    body: json(z.object({ dataset: z.string(), data: z.string().meta({ description: 'Base64 of the solver zip' }) })),
    responses: { 200: ok(z.object({ cid: z.string(), remain: z.int() })), ...errors(400, 403, 404) },
  },
];
