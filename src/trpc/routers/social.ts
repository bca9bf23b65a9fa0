import { z } from 'zod';
import { toBase64 } from '../../identity/encoding.js';
import { decodeBase64Image } from '../../services/social/images.js';
import { publicProcedure, router } from '../init.js';

// Spec 003 (social and events) on tRPC: the same services as REST; event times in UNIX seconds
// (`timeFrom` the start, `timeTo` the end), as REST's time_from / time_to.

const id = z.string().max(200);
const userInput = z.object({ userId: id });
const eventInput = z.object({ id });
// Base64 of an image at most UPLOAD_LIMIT_BYTES; the service checks the decoded size and type.
const imageInput = z.object({ image: z.string() });

export const socialRouter = router({
  profiles: router({
    get: publicProcedure.input(userInput).query(({ ctx, input }) => ctx.services.social.profiles.get(ctx.actor, input.userId)),
    find: publicProcedure
      .input(z.object({ namePart: z.string().max(200).nullish() }).default({}))
      .query(({ ctx, input }) => ctx.services.social.profiles.find(input.namePart)),
    updateInfo: publicProcedure
      .input(z.object({ displayName: z.string().nullish(), bio: z.string().nullish() }))
      .mutation(({ ctx, input }) => ctx.services.social.profiles.updateInfo(ctx.actor, input)),
    updatePicture: publicProcedure
      .input(imageInput)
      .mutation(({ ctx, input }) => ctx.services.social.profiles.setPicture(ctx.actor, decodeBase64Image(input.image))),
    uploadConfirmation: publicProcedure
      .input(imageInput)
      .mutation(({ ctx, input }) => ctx.services.social.profiles.setConfirmation(ctx.actor, decodeBase64Image(input.image))),
    /** ROOT and ADMIN: mark a profile confirmed (or not) after checking its scan. */
    confirm: publicProcedure
      .input(z.object({ userId: id, confirmed: z.boolean().default(true) }))
      .mutation(({ ctx, input }) => ctx.services.social.profiles.confirm(ctx.actor, input.userId, input.confirmed)),
    pendingConfirmations: publicProcedure.query(({ ctx }) => ctx.services.social.profiles.pendingConfirmations(ctx.actor)),
    confirmationScan: publicProcedure.input(userInput).query(async ({ ctx, input }) => {
      const scan = await ctx.services.social.profiles.confirmationScan(ctx.actor, input.userId);
      return { contentType: scan.contentType, dataBase64: toBase64(scan.data), uploadedAt: scan.uploadedAt };
    }),
  }),
  friends: router({
    list: publicProcedure.query(({ ctx }) => ctx.services.social.friends.list(ctx.actor)),
    requests: publicProcedure.query(({ ctx }) => ctx.services.social.friends.requests(ctx.actor)),
    /** `friends` when the other side had asked already, else `pending`. */
    send: publicProcedure
      .input(userInput)
      .mutation(async ({ ctx, input }) => ({ status: await ctx.services.social.friends.send(ctx.actor, input.userId) })),
    /** `removed` a friend, `cancelled` your request or `declined` theirs. */
    remove: publicProcedure
      .input(userInput)
      .mutation(async ({ ctx, input }) => ({ result: await ctx.services.social.friends.remove(ctx.actor, input.userId) })),
  }),
  events: router({
    get: publicProcedure.input(eventInput).query(({ ctx, input }) => ctx.services.social.events.get(input.id)),
    search: publicProcedure
      .input(z.object({ name: z.string().max(300).nullish() }).default({}))
      .query(({ ctx, input }) => ctx.services.social.events.search(input.name)),
    created: publicProcedure.query(({ ctx }) => ctx.services.social.events.created(ctx.actor)),
    joined: publicProcedure.query(({ ctx }) => ctx.services.social.events.joined(ctx.actor)),
    create: publicProcedure
      .input(z.object({ name: z.string(), timeFrom: z.number().int(), timeTo: z.number().int() }))
      .mutation(({ ctx, input }) => ctx.services.social.events.create(ctx.actor, input)),
    join: publicProcedure.input(eventInput).mutation(async ({ ctx, input }) => {
      await ctx.services.social.events.join(ctx.actor, input.id);
      return { ok: true as const };
    }),
    leave: publicProcedure.input(eventInput).mutation(async ({ ctx, input }) => {
      await ctx.services.social.events.leave(ctx.actor, input.id);
      return { ok: true as const };
    }),
    delete: publicProcedure.input(eventInput).mutation(async ({ ctx, input }) => {
      await ctx.services.social.events.delete(ctx.actor, input.id);
      return { ok: true as const };
    }),
  }),
});
