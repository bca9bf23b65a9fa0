import { z } from 'zod';
import { publicProcedure, router } from '../init.js';

const id = z.number().int();

/** Contests, tasks, participations and scores; the same services as REST (spec 000) and GraphQL. */
export const contestsRouter = router({
  list: publicProcedure.query(({ ctx }) => ctx.services.contests.list(ctx.actor)),
  get: publicProcedure.input(z.object({ id })).query(({ ctx, input }) => ctx.services.contests.get(ctx.actor, input.id)),
  /** As REST /get_user (admins: anyone; others: themselves). */
  user: publicProcedure
    .input(z.object({ username: z.string(), contestId: id.optional() }))
    .query(({ ctx, input }) => ctx.services.contests.integration.viewUser(ctx.actor, input.username, input.contestId)),
  standings: publicProcedure
    .input(z.object({ contestId: id }))
    .query(({ ctx, input }) => ctx.services.contests.standings(ctx.actor, input.contestId)),
  create: publicProcedure.input(z.object({ name: z.string() })).mutation(({ ctx, input }) => ctx.services.contests.create(ctx.actor, input)),
  addTask: publicProcedure
    .input(
      z.object({
        contestId: id,
        name: z.string(),
        datasetId: z.string().nullish(),
        scorePrecision: z.number().int().nullish(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.contests.addTask(ctx.actor, input)),
  setScore: publicProcedure
    .input(z.object({ taskId: id, username: z.string(), score: z.number() }))
    .mutation(({ ctx, input }) => ctx.services.contests.setScore(ctx.actor, input)),
  addParticipant: publicProcedure
    .input(z.object({ contestId: id, username: z.string() }))
    .mutation(({ ctx, input }) => ctx.services.contests.addParticipant(ctx.actor, input)),
});
