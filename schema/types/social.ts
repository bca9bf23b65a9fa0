import { builder, isoTime } from '../builder.js';
import { invalid } from '../../src/services/errors.js';
import type { SocialEvent } from '../../src/services/social/events.js';
import type { FriendEntry, RemoveResult, SendResult } from '../../src/services/social/friends.js';
import { decodeBase64Image } from '../../src/services/social/images.js';
import type { PendingConfirmation, Profile, ProfileSummary } from '../../src/services/social/profiles.js';
import { toBase64 } from '../../src/identity/encoding.js';

// Spec 003 (social and events) on GraphQL: the same services as REST /api/profile, /api/friends
// and /api/events. Event times are ISO 8601 (UTC) here, UNIX seconds on REST and tRPC.

const SocialProfileType = builder.objectRef<Profile>('SocialProfile').implement({
  description: "A user's social profile (REST GetProfile).",
  fields: (t) => ({
    userId: t.exposeID('userId'),
    displayName: t.exposeString('displayName'),
    pic: t.exposeString('pic', { nullable: true, description: 'URL path of the picture, served by the gateway.' }),
    confirmed: t.exposeBoolean('confirmed', { description: 'An admin has checked the uploaded record-book scan.' }),
    bio: t.exposeString('bio'),
    karma: t.exposeInt('karma'),
  }),
});

const SocialUserType = builder.objectRef<ProfileSummary>('SocialUser').implement({
  fields: (t) => ({ userId: t.exposeID('userId'), displayName: t.exposeString('displayName') }),
});

const SocialFriendType = builder.objectRef<FriendEntry>('SocialFriend').implement({
  fields: (t) => ({
    userId: t.exposeID('userId'),
    displayName: t.exposeString('displayName'),
    pending: t.exposeBoolean('pending', { description: 'A request the caller sent, not accepted yet.' }),
  }),
});

const SocialEventType = builder.objectRef<SocialEvent>('SocialEvent').implement({
  fields: (t) => ({
    id: t.exposeID('id', { description: 'UUID.' }),
    name: t.exposeString('name'),
    timeFrom: t.string({ description: 'Start (REST `time_from`).', resolve: (e) => isoTime(e.timeFrom * 1000)! }),
    timeTo: t.string({ description: 'End (REST `time_to`).', resolve: (e) => isoTime(e.timeTo * 1000)! }),
    creatorId: t.exposeID('creatorId'),
    creator: t.boolean({ description: 'The caller created it.', resolve: (e, _a, ctx) => ctx.actor?.id === e.creatorId }),
  }),
});

const PendingConfirmationType = builder.objectRef<PendingConfirmation>('SocialPendingConfirmation').implement({
  fields: (t) => ({
    userId: t.exposeID('userId'),
    displayName: t.exposeString('displayName'),
    contentType: t.exposeString('contentType'),
    uploadedAt: t.string({ resolve: (p) => isoTime(p.uploadedAt)! }),
  }),
});

const ConfirmationScanType = builder.objectRef<{ contentType: string; data: Uint8Array; uploadedAt: number }>('SocialConfirmationScan').implement({
  fields: (t) => ({
    contentType: t.exposeString('contentType'),
    dataBase64: t.string({ resolve: (s) => toBase64(s.data) }),
    uploadedAt: t.string({ resolve: (s) => isoTime(s.uploadedAt)! }),
  }),
});

const FriendRequestStatus = builder.enumType('FriendRequestStatus', {
  description: 'PENDING: a request was sent. FRIENDS: the other side had asked already.',
  values: ['PENDING', 'FRIENDS'] as const,
});
const FriendRemoval = builder.enumType('FriendRemoval', {
  description: 'REMOVED a friend, CANCELLED your request, or DECLINED theirs.',
  values: ['REMOVED', 'CANCELLED', 'DECLINED'] as const,
});

const toUpper = <T extends SendResult | RemoveResult>(r: T) => r.toUpperCase() as Uppercase<T>;

/** An ISO 8601 date-time as UNIX seconds (the services' unit). */
function seconds(name: string, iso: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw invalid(`${name} must be an ISO 8601 date-time`);
  return Math.floor(ms / 1000);
}

builder.queryFields((t) => ({
  profile: t.field({
    type: SocialProfileType,
    args: { userId: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.social.profiles.get(ctx.actor, String(a.userId)),
  }),
  findProfiles: t.field({
    type: [SocialUserType],
    description: 'Case-insensitive substring of the display name (at least 4 characters); everyone when absent.',
    args: { namePart: t.arg.string() },
    resolve: (_r, a, ctx) => ctx.services.social.profiles.find(a.namePart),
  }),
  friends: t.field({ type: [SocialFriendType], resolve: (_r, _a, ctx) => ctx.services.social.friends.list(ctx.actor) }),
  friendRequests: t.idList({
    description: 'Ids of the users who asked the caller.',
    resolve: (_r, _a, ctx) => ctx.services.social.friends.requests(ctx.actor),
  }),
  socialEvent: t.field({
    type: SocialEventType,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.social.events.get(String(a.id)),
  }),
  socialEvents: t.field({
    type: [SocialEventType],
    description: 'Case-insensitive substring of the name (at least 3 characters); all events when absent.',
    args: { name: t.arg.string() },
    resolve: (_r, a, ctx) => ctx.services.social.events.search(a.name),
  }),
  createdEvents: t.field({ type: [SocialEventType], resolve: (_r, _a, ctx) => ctx.services.social.events.created(ctx.actor) }),
  joinedEvents: t.field({ type: [SocialEventType], resolve: (_r, _a, ctx) => ctx.services.social.events.joined(ctx.actor) }),
  pendingConfirmations: t.field({
    type: [PendingConfirmationType],
    description: 'ROOT and ADMIN: scans waiting to be checked.',
    resolve: (_r, _a, ctx) => ctx.services.social.profiles.pendingConfirmations(ctx.actor),
  }),
  confirmationScan: t.field({
    type: ConfirmationScanType,
    description: 'ROOT and ADMIN (or the owner): the uploaded record-book scan.',
    args: { userId: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.social.profiles.confirmationScan(ctx.actor, String(a.userId)),
  }),
}));

builder.mutationFields((t) => ({
  updateProfileInfo: t.field({
    type: SocialProfileType,
    args: { displayName: t.arg.string(), bio: t.arg.string() },
    resolve: (_r, a, ctx) => ctx.services.social.profiles.updateInfo(ctx.actor, { displayName: a.displayName, bio: a.bio }),
  }),
  updateProfilePicture: t.field({
    type: SocialProfileType,
    description: 'A base64 PNG, JPEG, WebP or GIF (recognised by content).',
    args: { image: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.social.profiles.setPicture(ctx.actor, decodeBase64Image(a.image)),
  }),
  uploadProfileConfirmation: t.field({
    type: SocialProfileType,
    description: 'A base64 record-book scan; replaces an earlier one and clears `confirmed`.',
    args: { image: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.social.profiles.setConfirmation(ctx.actor, decodeBase64Image(a.image)),
  }),
  confirmProfile: t.field({
    type: SocialProfileType,
    description: 'ROOT and ADMIN: mark a profile confirmed (or not) after checking its scan.',
    args: { userId: t.arg.id({ required: true }), confirmed: t.arg.boolean({ defaultValue: true }) },
    resolve: (_r, a, ctx) => ctx.services.social.profiles.confirm(ctx.actor, String(a.userId), a.confirmed ?? true),
  }),
  sendFriendRequest: t.field({
    type: FriendRequestStatus,
    args: { userId: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => toUpper(await ctx.services.social.friends.send(ctx.actor, String(a.userId))),
  }),
  removeFriend: t.field({
    type: FriendRemoval,
    args: { userId: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => toUpper(await ctx.services.social.friends.remove(ctx.actor, String(a.userId))),
  }),
  createEvent: t.field({
    type: SocialEventType,
    args: {
      name: t.arg.string({ required: true }),
      timeFrom: t.arg.string({ required: true, description: 'Start, ISO 8601.' }),
      timeTo: t.arg.string({ required: true, description: 'End, ISO 8601.' }),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.social.events.create(ctx.actor, {
        name: a.name,
        timeFrom: seconds('timeFrom', a.timeFrom),
        timeTo: seconds('timeTo', a.timeTo),
      }),
  }),
  joinEvent: t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => {
      await ctx.services.social.events.join(ctx.actor, String(a.id));
      return true;
    },
  }),
  leaveEvent: t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => {
      await ctx.services.social.events.leave(ctx.actor, String(a.id));
      return true;
    },
  }),
  deleteEvent: t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => {
      await ctx.services.social.events.delete(ctx.actor, String(a.id));
      return true;
    },
  }),
}));
