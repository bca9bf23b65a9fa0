import { z } from 'zod';
import { publicProcedure, router } from '../init.js';

const text = (max: number) => z.string().max(max);
const date = z.string().max(10).nullish();

/** Spec 002 through tRPC: the same quiz service as /v1/authorize and the GraphQL quiz fields. */
export const quizRouter = router({
  /** A nonce for `authorize`: good once, for QUIZ_NONCE_TTL_SECONDS. */
  nonce: publicProcedure.mutation(({ ctx }) => ctx.services.quiz.nonce()),
  /** digest = MD5(nonce:MD5(login:password)); the `sid` works as the QUIZSID cookie on every door. */
  authorize: publicProcedure
    .input(z.object({ nonce: text(64), appid: text(256), quizType: text(64), login: text(256), digest: text(64) }))
    .mutation(({ ctx, input }) => ctx.services.quiz.authorize(input, undefined, ctx.address)),
  /** The caller's quiz view; UNAUTHORIZED `Unauthorized.` without a session or token. */
  status: publicProcedure.query(({ ctx }) => ctx.services.quiz.status(ctx.actor)),
  createSchool: publicProcedure
    .input(z.object({ name: text(100), login: text(64), password: text(64), accessUntil: date }))
    .mutation(({ ctx, input }) => ctx.services.quiz.createSchool(ctx.actor, input)),
  createStudent: publicProcedure
    .input(
      z.object({
        schoolId: z.number().int(),
        name: text(100),
        surname: text(100),
        login: text(64),
        password: text(64),
        accessUntil: date,
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.quiz.createStudent(ctx.actor, input)),
});
