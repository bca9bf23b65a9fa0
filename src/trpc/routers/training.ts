import { z } from 'zod';
import { pyIso } from '../../services/training/format.js';
import type { TrainingSession } from '../../services/training/sessions.js';
import { publicProcedure, router } from '../init.js';

const id = z.number().int();
const sessionId = z.string();
const sessionJson = (s: TrainingSession) => ({ ...s, dtCreated: pyIso(s.createdUs) });

/** Team training (spec 001): teams, sessions, the room state; the same services as REST and GraphQL. */
export const trainingRouter = router({
  teams: router({
    mine: publicProcedure.query(({ ctx }) => ctx.services.training.teams.mine(ctx.actor)),
    get: publicProcedure.input(z.object({ id })).query(({ ctx, input }) => ctx.services.training.teams.get(ctx.actor, input.id)),
    create: publicProcedure
      .input(z.object({ name: z.string(), members: z.array(z.string()).optional() }))
      .mutation(({ ctx, input }) => ctx.services.training.teams.create(ctx.actor, input)),
    addMember: publicProcedure
      .input(z.object({ teamId: id, username: z.string() }))
      .mutation(({ ctx, input }) => ctx.services.training.teams.addMember(ctx.actor, input.teamId, input.username)),
    removeMember: publicProcedure
      .input(z.object({ teamId: id, username: z.string() }))
      .mutation(({ ctx, input }) => ctx.services.training.teams.removeMember(ctx.actor, input.teamId, input.username)),
    online: publicProcedure
      .input(z.object({ teamId: id }))
      .query(({ ctx, input }) => ctx.services.training.sessions.lobbyOnline(ctx.actor, input.teamId)),
  }),
  contests: publicProcedure.query(({ ctx }) => ctx.services.training.contests(ctx.actor)),
  sessions: router({
    get: publicProcedure
      .input(z.object({ id: sessionId }))
      .query(async ({ ctx, input }) => sessionJson(await ctx.services.training.sessions.get(ctx.actor, input.id))),
    find: publicProcedure
      .input(z.object({ teamId: id, contestId: id }))
      .query(async ({ ctx, input }) => sessionJson(await ctx.services.training.sessions.find(ctx.actor, input))),
    running: publicProcedure
      .input(z.object({ teamId: id }))
      .query(async ({ ctx, input }) => sessionJson(await ctx.services.training.sessions.reconnect(ctx.actor, input.teamId))),
    start: publicProcedure
      .input(z.object({ teamId: id, contestId: id }))
      .mutation(async ({ ctx, input }) => sessionJson(await ctx.services.training.sessions.start(ctx.actor, input))),
    complete: publicProcedure
      .input(z.object({ id: sessionId }))
      .mutation(async ({ ctx, input }) => sessionJson(await ctx.services.training.sessions.complete(ctx.actor, input.id))),
    /** The room's state in one read: the session, its problems (status, attempts, assignment, code), controller, online users. */
    state: publicProcedure.input(z.object({ id: sessionId })).query(async ({ ctx, input }) => {
      const s = ctx.services.training.sessions;
      const session = await s.get(ctx.actor, input.id);
      const [problems, codes, controller, online] = await Promise.all([
        s.problemList(ctx.actor, session.id),
        s.codes(ctx.actor, session.id),
        s.controller(ctx.actor, session.id),
        s.online(ctx.actor, session.id),
      ]);
      const code = new Map(codes.map((c) => [c.alias, c.code]));
      return {
        session: sessionJson(session),
        problems: problems.map((p) => ({ ...p, code: code.get(p.alias) ?? '' })),
        controller,
        online,
      };
    }),
  }),
  submissions: router({
    list: publicProcedure
      .input(z.object({ sessionId, alias: z.string().optional() }))
      .query(({ ctx, input }) =>
        input.alias === undefined
          ? ctx.services.training.submissions.list(ctx.actor, input.sessionId)
          : ctx.services.training.submissions.forProblem(ctx.actor, input.sessionId, input.alias),
      ),
    get: publicProcedure
      .input(z.object({ sessionId, id: z.string() }))
      .query(({ ctx, input }) => ctx.services.training.submissions.get(ctx.actor, input.sessionId, input.id)),
  }),
  comments: router({
    list: publicProcedure
      .input(z.object({ sessionId, alias: z.string() }))
      .query(({ ctx, input }) => ctx.services.training.comments.list(ctx.actor, input.sessionId, input.alias)),
    send: publicProcedure
      .input(z.object({ sessionId, alias: z.string(), content: z.string() }))
      .mutation(({ ctx, input }) => ctx.services.training.comments.send(ctx.actor, input.sessionId, input.alias, input.content)),
  }),
});
