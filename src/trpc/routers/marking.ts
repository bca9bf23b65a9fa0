import { z } from 'zod';
import { publicProcedure, router } from '../init.js';

// Spec 003's attendance, as the marking sockets stored it: the same service as GraphQL
// `eventAttendance` / `myAttendance`; `markedAt` in epoch milliseconds.

export const markingRouter = router({
  /** Who was marked at an event, by whom, when: for the event's creator, ROOT and ADMIN. */
  attendance: publicProcedure
    .input(z.object({ eventId: z.string().max(200) }))
    .query(({ ctx, input }) => ctx.services.marking.attendance(ctx.actor, input.eventId)),
  /** The events the caller was marked at, newest first. */
  mine: publicProcedure.query(({ ctx }) => ctx.services.marking.mine(ctx.actor)),
});
