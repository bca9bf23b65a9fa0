import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { SESSION_COOKIES, cookieValue, resolveActor } from '../identity/request-auth.js';
import type { Services } from '../services/index.js';
import type { TrainingComment } from '../services/training/comments.js';
import { pyIso } from '../services/training/format.js';
import type { TrainingProblem, TrainingSession } from '../services/training/sessions.js';
import type { TrainingSubmission } from '../services/training/submissions.js';
import type { User } from '../services/users.js';
import { readCappedBody } from './body.js';
import {
  DetailSchema,
  INVALID_CREDENTIALS,
  NOT_AUTHENTICATED,
  ValidationErrorSchema,
  ValidationFailed,
  detail,
  fastapiError,
  BodyUnreadable,
  jsonInvalid,
  validate,
} from './fastapi.js';
import { toHonoPath, type Method, type ResponseDoc, type RouteDoc } from './openapi/route.js';
import * as S from './training-schema.js';
import { JsonTooDeep, parseJson } from '../wire/bounded-json.js';

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

interface Call<P, Q, B> {
  c: Context;
  /** The signed-in user; routes with `auth: false` get null. */
  actor: User;
  params: P;
  query: Q;
  body: B;
}

/** A route of the training API: its OpenAPI description and its handler, from one object. */
export interface TrainingRoute extends RouteDoc {
  auth: boolean;
  run(call: Call<unknown, unknown, unknown>): Promise<Response>;
}

const TAG = 'training (spec 001)';
const JSON_TYPE = 'application/json';
const MULTIPART = 'multipart/form-data';

const authErrors: Record<number, ResponseDoc> = {
  401: { description: 'Credentials sent but not valid (expired session, bad token)', schema: DetailSchema },
  403: { description: '`Not authenticated` without credentials; or not a member of the team', schema: DetailSchema },
};

function route<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(r: {
  method: Method;
  path: string;
  summary: string;
  description?: string;
  auth?: boolean;
  params?: P;
  query?: Q;
  body?: { contentType: string; schema: B & z.ZodType };
  ok: { status?: number; schema: z.ZodType; description?: string };
  errors?: Record<number, string>;
  run: (call: Call<Out<P>, Out<Q>, Out<B>>) => Promise<unknown>;
}): TrainingRoute {
  const auth = r.auth ?? true;
  const status = r.ok.status ?? 200;
  const responses: Record<number, ResponseDoc> = { [status]: { description: r.ok.description ?? 'OK', schema: r.ok.schema } };
  if (auth) Object.assign(responses, authErrors);
  for (const [code, description] of Object.entries(r.errors ?? {})) responses[Number(code)] = { description, schema: DetailSchema };
  if (r.params || r.query || r.body) responses[422] = { description: 'Validation error', schema: ValidationErrorSchema };
  return {
    method: r.method,
    path: r.path,
    tag: TAG,
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    ...(r.params ? { params: r.params } : {}),
    ...(r.query ? { query: r.query } : {}),
    ...(r.body ? { body: { contentType: r.body.contentType, schema: r.body.schema } } : {}),
    responses,
    ...(auth ? { security: ['bearer', 'oauth', 'sessionCookie'] } : {}),
    auth,
    async run(call) {
      const result = await r.run(call as Call<Out<P>, Out<Q>, Out<B>>);
      return result instanceof Response ? result : call.c.json(result, status as ContentfulStatusCode);
    },
  };
}

const sessionJson = (s: TrainingSession) => ({ id: s.id, status: s.status, dt_created: pyIso(s.createdUs) });
const problemJson = (p: TrainingProblem) => ({
  id: p.taskId,
  alias: p.alias,
  name: p.name,
  datasetId: p.datasetId,
  status: p.status,
  attempts: p.attempts,
  assignedUser: p.assignedUser,
});
const briefJson = (s: TrainingSubmission) => ({
  id: s.id,
  problemAlias: s.problemAlias,
  problemId: s.problemId,
  submissionTime: s.submissionTime,
  timeFromStart: s.timeFromStart,
  verdict: s.verdict,
  score: s.score,
  compiler: s.compiler,
  compileLog: s.compileLog,
  diff: s.diff,
  source: s.source,
  authorId: s.authorId,
  author: s.author,
});
const listJson = (list: TrainingSubmission[]) => ({ count: list.length, submissions: list.map(briefJson) });
const commentJson = (c: TrainingComment) => c;

/** Every route of the training API (spec 001), in registration order. */
export function trainingRoutes(services: Services): TrainingRoute[] {
  const { training: t, health } = services;
  const S404 = { 404: 'Unknown session, team, contest or problem' };

  return [
    // Health (no auth, as the original).
    route({
      method: 'get',
      path: '/health/ping-application',
      summary: 'The application answers',
      auth: false,
      ok: { schema: S.Message },
      run: async () => ({ message: 'pong' }),
    }),
    route({
      method: 'get',
      path: '/health/ping-database',
      summary: 'The database answers',
      auth: false,
      ok: { schema: S.Message },
      errors: { 503: 'The database does not answer' },
      run: async ({ c }) => ((await health.pingDatabase()) ? { message: 'pong' } : detail(c, 503, 'Database is unavailable')),
    }),
    route({
      method: 'get',
      path: '/health/ping-redis',
      summary: 'The bus (Redis when REDIS_URL is set) answers',
      description: 'Without REDIS_URL the gateway runs one node with an in-process bus: always pong.',
      auth: false,
      ok: { schema: S.Message },
      errors: { 503: 'Redis does not answer' },
      run: async ({ c }) => ((await health.pingBus()) ? { message: 'pong' } : detail(c, 503, 'Redis is unavailable')),
    }),

    route({
      method: 'get',
      path: '/user/me',
      summary: 'The signed-in person',
      ok: { schema: S.Person },
      run: ({ actor }) => t.teams.person(actor),
    }),

    // Teams.
    route({
      method: 'get',
      path: '/teams',
      summary: "The caller's teams",
      ok: { schema: z.array(S.Team) },
      run: async ({ actor }) => t.teams.mine(actor),
    }),
    route({
      method: 'post',
      path: '/teams',
      summary: 'Create a team',
      description: 'The caller becomes its first member and its owner; `members` (logins) join it too.',
      body: { contentType: JSON_TYPE, schema: S.NewTeam },
      ok: { status: 201, schema: S.Team },
      errors: { 400: 'Bad name or too many members', 404: 'A member login is unknown' },
      run: async ({ actor, body }) => t.teams.create(actor, body),
    }),
    route({
      method: 'get',
      path: '/teams/{team_id}',
      summary: 'A team (its members and admins)',
      params: S.TeamParams,
      ok: { schema: S.Team },
      errors: S404,
      run: async ({ actor, params }) => t.teams.get(actor, params.team_id),
    }),
    route({
      method: 'get',
      path: '/teams/{team_id}/members',
      summary: "A team's members",
      params: S.TeamParams,
      ok: { schema: z.array(S.Person) },
      errors: S404,
      run: async ({ actor, params }) => (await t.teams.get(actor, params.team_id)).members,
    }),
    route({
      method: 'post',
      path: '/teams/{team_id}/members',
      summary: 'Add a member (the owner or an admin)',
      params: S.TeamParams,
      body: { contentType: JSON_TYPE, schema: S.NewMember },
      ok: { schema: S.Team },
      errors: { ...S404, 400: 'The team is full', 409: 'Already a member' },
      run: async ({ actor, params, body }) => t.teams.addMember(actor, params.team_id, body.username),
    }),
    route({
      method: 'delete',
      path: '/teams/{team_id}/members/{username}',
      summary: 'Remove a member (the owner or an admin), or leave (oneself)',
      params: z.object({ team_id: S.TeamParams.shape.team_id, username: z.string().min(1).max(64) }),
      ok: { schema: S.Team },
      errors: S404,
      run: async ({ actor, params }) => t.teams.removeMember(actor, params.team_id, params.username),
    }),
    route({
      method: 'get',
      path: '/teams/{team_id}/online',
      summary: "Who is in the team's lobby (its USER frames)",
      params: S.TeamParams,
      ok: { schema: S.Online },
      errors: S404,
      run: async ({ actor, params }) => ({ users: await t.sessions.lobbyOnline(actor, params.team_id) }),
    }),

    // The lobby (the backend's later versions, which the frontend calls).
    route({
      method: 'get',
      path: '/lobby/{team_id}/online',
      summary: "Who is in the team's lobby (its USER frames), as /teams/{team_id}/online",
      params: S.LobbyParams,
      ok: { schema: S.Online },
      errors: { 404: 'Unknown team (or a team_id that is no id)' },
      run: async ({ actor, params }) => ({ users: await t.sessions.lobbyOnline(actor, params.team_id) }),
    }),
    route({
      method: 'get',
      path: '/lobby/{team_id}/selected-contest',
      summary: "The contest the team's lobby selected (its last CONTEST_SELECTED); null when none",
      params: S.LobbyParams,
      ok: { schema: S.SelectedContest },
      errors: { 404: 'Unknown team (or a team_id that is no id)' },
      run: async ({ actor, params }) => ({ contestId: await t.sessions.lobbyContest(actor, params.team_id) }),
    }),

    // Contests and problems.
    route({
      method: 'get',
      path: '/contests',
      summary: 'The contests a training can run on',
      ok: { schema: z.array(S.Contest) },
      run: async ({ actor }) => t.contests(actor),
    }),
    route({
      method: 'get',
      path: '/contests/{contest_id}',
      summary: 'A contest: id, name and its tasks (the contests model, as GraphQL `contest` and tRPC `contests.get`)',
      description: "The original fetched Yandex's contest and saved it; the gateway's contests are its own.",
      params: S.ContestParams,
      ok: { schema: S.ContestDetail },
      errors: { 404: 'Unknown contest' },
      run: async ({ actor, params }) => t.contest(actor, params.contest_id),
    }),
    route({
      method: 'get',
      path: '/contests/{sid}/problems',
      summary: "A session's problems (the contest's tasks as A, B, ...) with status, attempts, assignedUser",
      description: '`{"problems": [...]}`, the object the original passed through from Yandex (the frontend reads `.problems`).',
      params: S.SessionParams,
      ok: { schema: S.ProblemList },
      errors: S404,
      run: async ({ actor, params }) => ({ problems: (await t.sessions.problemList(actor, params.sid)).map(problemJson) }),
    }),
    route({
      method: 'get',
      path: '/contests/{sid}/problems/{alias}',
      summary: "One problem's state in a session",
      params: S.SessionAliasParams,
      ok: { schema: S.ProblemState },
      errors: S404,
      run: async ({ actor, params }) => {
        const p = await t.sessions.problem(actor, params.sid, params.alias);
        return { problemAlias: p.alias, status: p.status, attempts: p.attempts };
      },
    }),

    // Sessions.
    route({
      method: 'get',
      path: '/training-sessions',
      summary: "The team's session on the contest",
      query: S.FindSessionQuery,
      ok: { schema: S.TrainingSession },
      errors: { 400: 'Unknown contest or team', 404: 'No session' },
      run: async ({ actor, query }) => sessionJson(await t.sessions.find(actor, { contestId: query.contest_id, teamId: query.team_id })),
    }),
    route({
      method: 'post',
      path: '/training-sessions',
      summary: "Start (or get) the team's session on the contest; TRAINING_STARTED to the lobby",
      body: { contentType: JSON_TYPE, schema: S.StartSession },
      ok: { status: 201, schema: S.TrainingSession },
      errors: { 404: 'Unknown contest or team' },
      run: async ({ actor, body }) => sessionJson(await t.sessions.start(actor, { teamId: body.team_id, contestId: body.contest_id })),
    }),
    route({
      method: 'get',
      path: '/training-sessions/team/{team_id}/reconnect',
      summary: "The team's running session",
      params: S.TeamParams,
      ok: { schema: S.TrainingSession },
      errors: { 404: 'No running session, or no such team' },
      run: async ({ actor, params }) => sessionJson(await t.sessions.reconnect(actor, params.team_id)),
    }),
    route({
      method: 'get',
      path: '/training-sessions/{sid}',
      summary: 'A session',
      params: S.SessionParams,
      ok: { schema: S.TrainingSession },
      errors: S404,
      run: async ({ actor, params }) => sessionJson(await t.sessions.get(actor, params.sid)),
    }),
    route({
      method: 'post',
      path: '/training-sessions/{sid}/complete',
      summary: 'Finish the session; TRAINING_FINISHED to its room',
      params: S.SessionParams,
      ok: { schema: S.TrainingSession },
      errors: S404,
      run: async ({ actor, params }) => sessionJson(await t.sessions.complete(actor, params.sid)),
    }),

    // Submissions.
    route({
      method: 'post',
      path: '/training-sessions/{sid}/submissions',
      summary: "Submit a solver archive for a problem (to the judge, on the problem's CARP dataset)",
      description: 'SUBMISSION_VERDICT_PENDING goes to the room; the verdict follows as SUBMISSION_VERDICT_RETRIEVED, then PROBLEM_STATUS_UPDATED.',
      params: S.SessionParams,
      body: { contentType: MULTIPART, schema: S.SubmitForm },
      ok: { schema: S.RunId },
      errors: {
        400: 'Finished session, problem without a dataset, or an archive the judge refuses',
        404: 'Unknown session or problem',
        413: 'Archive too large',
      },
      run: async ({ actor, params, body }) =>
        t.submissions.submit(actor, params.sid, { problemAlias: body.problem, archive: new Uint8Array(await body.file.arrayBuffer()) }),
    }),
    ...(['/training-sessions/{sid}/submissions/', '/training-sessions/{sid}/submissions'] as const).map((path) =>
      route({
        method: 'get',
        path,
        summary: "The session's submissions, newest first",
        params: S.SessionParams,
        ok: { schema: S.SubmissionList },
        errors: S404,
        run: async ({ actor, params }) => listJson(await t.submissions.list(actor, params.sid)),
      }),
    ),
    route({
      method: 'get',
      path: '/training-sessions/{sid}/submissions/problem/{alias}',
      summary: "A problem's submissions, newest first",
      params: S.SessionAliasParams,
      ok: { schema: S.SubmissionList },
      errors: S404,
      run: async ({ actor, params }) => listJson(await t.submissions.forProblem(actor, params.sid, params.alias)),
    }),
    ...(['/training-sessions/{sid}/submissions/{run_id}', '/training-sessions/{sid}/submissions/{run_id}/full'] as const).map((path) =>
      route({
        method: 'get',
        path,
        summary: path.endsWith('/full') ? 'One submission, every field' : 'One submission',
        params: z.object({ sid: S.SessionParams.shape.sid, run_id: z.string().min(1).max(64) }),
        ok: { schema: S.Submission },
        errors: S404,
        run: async ({ actor, params }) => t.submissions.get(actor, params.sid, params.run_id),
      }),
    ),

    // Room state.
    route({
      method: 'get',
      path: '/training-sessions/{sid}/code/{alias}',
      summary: 'The problem\'s editor content (the last CODE_EDITOR_UPDATE); "" when none',
      params: S.SessionAliasParams,
      ok: { schema: S.Code },
      errors: S404,
      run: async ({ actor, params }) => ({ code: await t.sessions.code(actor, params.sid, params.alias) }),
    }),
    route({
      method: 'get',
      path: '/training-sessions/{sid}/control/current',
      summary: 'Who holds the editor (the last CONTROL_TAKEN); "" when nobody',
      params: S.SessionParams,
      ok: { schema: S.Controller },
      errors: S404,
      run: async ({ actor, params }) => ({ userId: await t.sessions.controller(actor, params.sid) }),
    }),
    route({
      method: 'get',
      path: '/training-sessions/{sid}/online',
      summary: "Who is in the session's room (its USER frames)",
      params: S.SessionParams,
      ok: { schema: S.Online },
      errors: S404,
      run: async ({ actor, params }) => ({ users: await t.sessions.online(actor, params.sid) }),
    }),

    // Comments.
    route({
      method: 'post',
      path: '/training-sessions/{sid}/problem/{alias}/comments/send',
      summary: 'Comment on a problem; PROBLEM_COMMENT_RECEIVED to the room',
      params: S.SessionAliasParams,
      body: { contentType: JSON_TYPE, schema: S.NewComment },
      ok: { schema: S.Comment },
      errors: { ...S404, 400: 'Empty comment' },
      run: async ({ actor, params, body }) => commentJson(await t.comments.send(actor, params.sid, params.alias, body.content)),
    }),
    ...(['/training-sessions/{sid}/problem/{alias}/comments/', '/training-sessions/{sid}/problem/{alias}/comments'] as const).map((path) =>
      route({
        method: 'get',
        path,
        summary: "A problem's comments, oldest first",
        params: S.SessionAliasParams,
        ok: { schema: z.array(S.Comment) },
        errors: S404,
        run: async ({ actor, params }) => (await t.comments.list(actor, params.sid, params.alias)).map(commentJson),
      }),
    ),
  ];
}

/** The path prefixes the training API owns: anything else under them is FastAPI's 404. */
const TRAINING_PREFIXES = ['/health', '/user', '/teams', '/lobby', '/contests', '/training-sessions'];

/** application/json or application/*+json, parameters aside (what FastAPI reads a body as JSON for). */
function isJsonType(contentType: string): boolean {
  const m = /^\s*application\/([^;\s]+)/.exec(contentType);
  return m !== null && (m[1] === 'json' || m[1]!.endsWith('+json'));
}

/** Credentials were sent (an Authorization header, or any session cookie) but named nobody. */
function sentCredentials(req: Request): boolean {
  if (req.headers.get('authorization')) return true;
  return SESSION_COOKIES.some((name) => cookieValue(req, name) !== undefined);
}

/**
 * Spec 001's REST routes at the root, as the original FastAPI server answered (`{"detail"}`,
 * 422 for validation), signed in by a gateway token (`Authorization: Bearer` or the original's
 * `OAuth` scheme: a JWT or a session id) or any session cookie instead of a Yandex token.
 */
export function trainingRouter(services: Services, routes = trainingRoutes(services)) {
  const app = new Hono();
  const { config } = services.deps;
  const jsonMax = config.BODY_LIMIT_BYTES;
  // A zip the judge accepts (its base64 cap), plus the form's own bytes.
  const multipartMax = Math.ceil((config.JUDGE_MAX_ARCHIVE_BASE64 * 3) / 4) + 16 * 1024;

  app.onError((err, c) => fastapiError(c, err));

  async function readBody(c: Context, r: TrainingRoute): Promise<unknown> {
    const body = r.body!;
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    const bytes = await readCappedBody(c.req.raw, body.contentType === MULTIPART ? multipartMax : jsonMax);
    if (bytes === null) throw Object.assign(new Error('too large'), { tooLarge: true });
    if (body.contentType === MULTIPART) {
      let form: FormData | null = null;
      if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) {
        try {
          form = await new Response(bytes, { headers: { 'content-type': c.req.header('content-type')! } }).formData();
        } catch {
          form = null;
        }
      }
      const fields: Record<string, unknown> = {};
      for (const [k, v] of form ?? []) if (!(k in fields)) fields[k] = v;
      return validate(body.schema, 'body', fields);
    }
    // FastAPI: no body is a missing one; a body whose type is not JSON is passed on as it is
    // (text, so not an object: model_attributes_type); no content-type at all is read as JSON.
    if (bytes.length === 0) return validate(body.schema, 'body', undefined);
    if (type && !isJsonType(type)) return validate(body.schema, 'body', new TextDecoder().decode(bytes));
    let parsed: unknown;
    try {
      parsed = parseJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (err) {
      // Python's json raised RecursionError here, which FastAPI answered as a body it could not parse.
      if (err instanceof JsonTooDeep) throw new BodyUnreadable();
      throw jsonInvalid(err instanceof SyntaxError ? 'Expecting value' : 'Invalid UTF-8');
    }
    return validate(body.schema, 'body', parsed);
  }

  const byPath = new Map<string, TrainingRoute[]>();
  for (const r of routes) {
    const honoPath = toHonoPath(r.path);
    byPath.set(honoPath, [...(byPath.get(honoPath) ?? []), r]);
    app.on(r.method.toUpperCase(), honoPath, async (c) => {
      // FastAPI solves the security dependency first, then validates parameters and body.
      let actor: User | null = null;
      if (r.auth) {
        actor = await resolveActor(services, c.req.raw);
        if (!actor) {
          return sentCredentials(c.req.raw)
            ? detail(c, 401, INVALID_CREDENTIALS, { 'www-authenticate': 'Bearer' })
            : detail(c, 403, NOT_AUTHENTICATED);
        }
      }
      try {
        const params = r.params ? validate(r.params, 'path', c.req.param()) : undefined;
        const query = r.query ? validate(r.query, 'query', c.req.query()) : undefined;
        const body = r.body ? await readBody(c, r) : undefined;
        return await r.run({ c, actor: actor as User, params, query, body });
      } catch (err) {
        if ((err as { tooLarge?: boolean }).tooLarge) return detail(c, 413, 'Request Entity Too Large');
        if (err instanceof ValidationFailed) return fastapiError(c, err);
        throw err;
      }
    });
  }
  // Starlette: a known path with another method is 405, an unknown path under these prefixes 404.
  for (const [path, rs] of byPath) {
    const allow = rs.map((r) => r.method.toUpperCase()).join(', ');
    app.all(path, (c) => detail(c, 405, 'Method Not Allowed', { allow }));
  }
  for (const prefix of TRAINING_PREFIXES) app.all(`${prefix}/*`, (c) => detail(c, 404, 'Not Found'));
  return app;
}
