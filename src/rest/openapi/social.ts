import { z } from 'zod';
import type { Method, ResponseDoc, RouteDoc } from './route.js';

/**
 * Spec 003, the social and events API, described (src/rest/social.ts serves it): HTTP 200 with
 * `{error, error_msg, response}`; parameters in the query (GET) or a JSON, urlencoded or
 * multipart body (POST); a 302 to the login page when not signed in.
 */

const TAG = 'social (spec 003)';

const Envelope = z
  .object({
    error: z.int().meta({ description: '0 ok, 1 invalid argument, 2 missing argument, 3 not permitted, 4 bad media type, -1 unknown' }),
    error_msg: z.string(),
    response: z.unknown().optional(),
  })
  .meta({ id: 'SocialEnvelope' });
const envelope = (response?: z.ZodType, note = ''): Record<number, ResponseDoc> => ({
  200: {
    description: `The envelope${note}; \`response\` on success${response ? '' : ' is absent'}`,
    schema: response ? z.object({ error: z.int(), error_msg: z.string(), response: response.optional() }) : Envelope,
  },
  302: { description: 'Not signed in: to the login page' },
  405: { description: 'Another method' },
});

const Event = z.object({ name: z.string(), event_id: z.string(), time_from: z.int(), time_to: z.int() }).meta({ id: 'SocialEventItem' });
const security = ['socialSession'];

type Param = Record<string, z.ZodType>;
const form = (fields: Param) => ({ contentType: 'application/x-www-form-urlencoded', schema: z.object(fields), required: false });

function api(method: Method, path: string, summary: string, params: Param, response?: z.ZodType, login = true): RouteDoc {
  return {
    method,
    path,
    tag: TAG,
    summary,
    ...(method === 'get' ? (Object.keys(params).length ? { query: z.object(params) } : {}) : { body: form(params) }),
    responses: envelope(response),
    ...(login ? { security } : {}),
  };
}

const userId = z.string().meta({ description: "The gateway's user id" });
const eventId = z.string().meta({ format: 'uuid' });
const image = z.string().meta({ description: 'A multipart file, or base64 text with `name`' });

export const socialRoutes: RouteDoc[] = [
  ...(['/accounts/login/', '/accounts/login'] as const).flatMap((path): RouteDoc[] => [
    {
      method: 'get',
      path,
      tag: TAG,
      summary: 'The login page (HTML)',
      query: z.object({ next: z.string().optional() }),
      responses: { 200: { description: 'The login form', contentType: 'text/html', schema: z.string() } },
    },
    {
      method: 'post',
      path,
      tag: TAG,
      summary: 'Log in (sets sessionid)',
      body: form({ username: z.string(), password: z.string(), next: z.string().optional() }),
      responses: { ...envelope(z.object({ user_id: z.string() })), 302: { description: 'To `next` when given' } },
    },
  ]),
  ...(['/accounts/logout/', '/accounts/logout'] as const).map(
    (path): RouteDoc => ({ method: 'post', path, tag: TAG, summary: 'Log out', responses: envelope() }),
  ),
  api('get', '/api/auth/GetCurrentUserId', 'The signed-in user', {}, z.object({ user_id: z.string() })),
  api(
    'get',
    '/api/profile/GetProfile',
    'A profile',
    { user_id: userId },
    z.object({ display_name: z.string(), pic: z.string().nullable(), confirmed: z.boolean(), bio: z.string(), karma: z.int() }),
  ),
  api('post', '/api/profile/UpdateProfilePicture', 'Set the profile picture', { image, name: z.string().optional() }),
  api('post', '/api/profile/UpdateProfileInfo', 'Set display name and/or bio', { display_name: z.string().optional(), bio: z.string().optional() }),
  api('post', '/api/profile/UploadProfileConfirmation', 'Upload a confirmation scan (clears `confirmed`)', { image, name: z.string().optional() }),
  api(
    'get',
    '/api/profile/FindByName',
    'People by display name (4+ characters)',
    { display_name_part: z.string() },
    // A bare array, as the original's view returned it.
    z.array(z.object({ user_id: z.string(), display_name: z.string() })),
    false,
  ),
  api(
    'get',
    '/api/friends/GetFriendList',
    'Friends and sent requests',
    {},
    z.object({ friends: z.array(z.object({ user_id: z.string(), display_name: z.string(), pending: z.boolean() })) }),
  ),
  api('post', '/api/friends/SendFriendRequest', 'Send a friend request', { user_id: userId }),
  api('get', '/api/friends/GetFriendRequests', 'Requests received', {}, z.object({ requests: z.array(z.string()) })),
  api('post', '/api/friends/RemoveFriend', 'Cancel a request or remove a friend', { user_id: userId }),
  api(
    'post',
    '/api/events/CreateEvent',
    'Create an event (time_from = start, time_to = end, UNIX seconds)',
    { name: z.string(), time_from: z.int(), time_to: z.int() },
    z.object({ event_id: eventId }),
  ),
  api(
    'get',
    '/api/events/GetEventByID',
    'An event',
    { event_id: eventId },
    z.object({ name: z.string(), event_id: z.string(), time_to: z.int(), time_from: z.int(), creator_id: z.string() }),
    false,
  ),
  api('get', '/api/events/GetEvents', 'Events by name (3+ characters), or all', { name: z.string().optional() }, z.array(Event), false),
  api('post', '/api/events/JoinEvent', 'Join an event', { event_id: eventId }),
  api('post', '/api/events/LeaveEvent', 'Leave an event', { event_id: eventId }),
  api('post', '/api/events/DeleteEvent', 'Delete an event (its creator)', { event_id: eventId }),
  api('get', '/api/events/GetCreatedEvents', 'Events I created', {}, z.array(Event)),
  api(
    'get',
    '/api/events/GetJoinedEvents',
    'Events I joined',
    {},
    z.array(z.object({ name: z.string(), creator: z.string(), event_id: z.string(), time_from: z.int(), time_to: z.int() })),
  ),
  {
    method: 'get',
    path: '/media/avatars/{file}',
    tag: TAG,
    summary: 'A profile picture',
    params: z.object({ file: z.string() }),
    responses: {
      200: { description: 'The image', contentType: 'image/*', schema: z.string().meta({ format: 'binary' }) },
      404: { description: 'Unknown' },
    },
  },
];
