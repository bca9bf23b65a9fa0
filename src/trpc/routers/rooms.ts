import { z } from 'zod';
import { watchRoom } from '../../rooms/watch.js';
import { publicProcedure, router } from '../init.js';

export const roomsRouter = router({
  /** Every frame of a room (`lobby:<team_id>`, `training:<uuid>`) from now on, for a member of its team (SSE). */
  events: publicProcedure.input(z.object({ room: z.string().min(1).max(300) })).subscription(({ ctx, input, signal }) =>
    // The access check runs before the stream exists: a refusal is a tRPC error with its code.
    watchRoom(ctx.services, ctx.actor, input.room, signal),
  ),
});
