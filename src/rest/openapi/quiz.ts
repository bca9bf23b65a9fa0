import { z } from 'zod';
import type { ResponseDoc, RouteDoc } from './route.js';

/** Spec 002, quiz authorization under /v1, described (src/rest/quiz.ts serves it): HTTP 200, the status in the body. */

const TAG = 'quiz (spec 002)';

const QuizUser = z
  .object({
    id: z.union([z.int(), z.literal('-1')]).meta({ description: 'An integer; the text "-1" for the admin' }),
    name: z.string().optional().meta({ description: 'Not for the admin' }),
    surname: z.string().optional().meta({ description: 'Students only' }),
    type: z.enum(['student', 'school', 'guest', 'admin']),
  })
  .meta({ id: 'QuizUser' });
const QuizError = z
  .object({ status: z.int().meta({ description: 'The HTTP status the original put in the body (400, 401, 403, ...)' }), description: z.string() })
  .meta({ id: 'QuizError', description: 'Every answer is HTTP 200; the status is in the body' });
const answer = (schema: z.ZodType): ResponseDoc => ({
  description: 'HTTP 200 always: the outcome, or `{status, description}` (QuizError)',
  schema: z.union([schema, QuizError]),
});
const sid = z.object({ sid: z.string().optional().meta({ description: 'The session id, for cross-site clients (else the QUIZSID cookie)' }) });

export const quizRoutes: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/authorize',
    tag: TAG,
    summary: 'A nonce for the digest',
    responses: { 200: answer(z.object({ status: z.literal(401), nonce: z.string() })) },
  },
  {
    method: 'post',
    path: '/v1/authorize',
    tag: TAG,
    summary: 'Authorize: DIGEST = MD5(nonce:MD5(login:password)); sets QUIZSID',
    query: sid,
    body: {
      contentType: 'application/json',
      schema: z.object({ nonce: z.string(), appid: z.string(), quiz_type: z.string(), login: z.string(), digest: z.string() }),
    },
    responses: { 200: answer(z.object({ status: z.literal(200), sid: z.string(), user: QuizUser })) },
  },
  {
    method: 'get',
    path: '/v1/authorize/status',
    tag: TAG,
    summary: "The session's user",
    query: sid,
    security: ['quizSession'],
    responses: { 200: answer(z.object({ status: z.literal(200), user: QuizUser })) },
  },
];
