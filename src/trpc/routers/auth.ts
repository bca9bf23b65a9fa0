import { z } from 'zod';
import { publicProcedure, router } from '../init.js';

export const authRouter = router({
  login: publicProcedure
    .input(z.object({ username: z.string().max(64), password: z.string().max(64) }))
    .mutation(({ ctx, input }) => ctx.services.auth.issueToken(input.username, input.password, ctx.address)),
  me: publicProcedure.query(({ ctx }) => ctx.actor),
  addUser: publicProcedure
    .input(z.object({ username: z.string(), password: z.string(), type: z.number().int() }))
    .mutation(({ ctx, input }) => ctx.services.judge.accounts.addUser(ctx.actor, input)),
});
