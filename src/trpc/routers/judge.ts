import { z } from 'zod';
import type { CaseView, LeaderboardEntry } from '../../services/judge/case-view.js';
import { publicProcedure, router } from '../init.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const caseOut = (c: CaseView) => ({ ...c, submitTime: iso(c.submitTime)!, judgeTime: iso(c.judgeTime) });
const topOut = (e: LeaderboardEntry) => ({ ...e, submitTime: iso(e.submitTime)! });

export const judgeRouter = router({
  datasets: router({
    list: publicProcedure.query(({ ctx }) => ctx.services.judge.datasets.list(ctx.actor)),
    add: publicProcedure
      .input(
        z.object({
          name: z.string(),
          time: z.number().int(),
          memory: z.number().int(),
          cpu: z.number().int(),
          data: z.string(),
          bestKnownCost: z.number().int().nullish(),
          command: z.string().max(500).nullish(),
        }),
      )
      .mutation(({ ctx, input }) => ctx.services.judge.datasets.add(ctx.actor, input)),
  }),
  cases: router({
    list: publicProcedure
      .input(z.object({ page: z.number().int().default(0), size: z.number().int().default(20) }).default({ page: 0, size: 20 }))
      .query(async ({ ctx, input }) => {
        const page = await ctx.services.judge.cases.page(ctx.actor, input.page, input.size);
        return { carpCases: page.carpCases.map(caseOut), total: page.total };
      }),
    get: publicProcedure
      .input(z.object({ id: z.string() }))
      .query(async ({ ctx, input }) => caseOut(await ctx.services.judge.cases.byId(ctx.actor, input.id))),
  }),
  leaderboard: publicProcedure
    .input(z.object({ datasetId: z.string() }))
    .query(async ({ ctx, input }) => (await ctx.services.judge.cases.leaderboard(ctx.actor, input.datasetId)).map(topOut)),
  /** A case's state now and at every change until it is judged (SSE). */
  caseStatus: publicProcedure.input(z.object({ id: z.string() })).subscription(async function* ({ ctx, input, signal }) {
    for await (const c of ctx.services.judge.cases.watch(ctx.actor, input.id, signal)) yield caseOut(c);
  }),
  remain: publicProcedure.query(({ ctx }) => ctx.services.judge.cases.remain(ctx.actor)),
  submit: publicProcedure
    .input(z.object({ dataset: z.string(), data: z.string() }))
    .mutation(({ ctx, input }) => ctx.services.judge.submissions.submit(ctx.actor, input)),
});
