import { z } from 'zod';
import { publicProcedure, router } from '../init.js';

const lease = z.object({ id: z.string().max(64), leaseId: z.string().max(64) });
const MAX_OUTPUT = 1024 * 1024;

/** The judge <-> gateway protocol; every procedure is for WORKER users only (the service checks). */
export const workerRouter = router({
  claim: publicProcedure
    .input(z.object({ waitMs: z.number().int().min(0).max(30_000).default(0) }))
    .mutation(({ ctx, input, signal }) => ctx.services.judge.queue.claim(ctx.actor, input.waitMs, signal)),
  archive: publicProcedure.input(lease).query(({ ctx, input }) => ctx.services.judge.queue.archive(ctx.actor, input.id, input.leaseId)),
  start: publicProcedure.input(lease).mutation(({ ctx, input }) => ctx.services.judge.queue.start(ctx.actor, input.id, input.leaseId)),
  renew: publicProcedure.input(lease).mutation(({ ctx, input }) => ctx.services.judge.queue.renew(ctx.actor, input.id, input.leaseId)),
  release: publicProcedure.input(lease).mutation(({ ctx, input }) => ctx.services.judge.queue.release(ctx.actor, input.id, input.leaseId)),
  report: publicProcedure
    .input(
      lease.extend({
        result: z.object({
          timedout: z.boolean(),
          stdout: z.string().max(MAX_OUTPUT),
          outOverflow: z.boolean(),
          stderr: z.string().max(MAX_OUTPUT),
          errOverflow: z.boolean(),
          time: z.number().nonnegative(),
          exitcode: z.number().int(),
          status: z.union([z.literal(3), z.literal(4)]),
          valid: z.boolean(),
          cost: z.number().int(),
          reason: z.string().max(1000).nullable(),
        }),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.judge.queue.report(ctx.actor, input.id, input.leaseId, input.result)),
});
