import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ServiceError } from '../services/errors.js';
import type { Services } from '../services/index.js';
import { unixSeconds, type SocialEvent } from '../services/social/events.js';
import { decodeBase64Image } from '../services/social/images.js';
import { IMAGE_TOO_LARGE } from '../services/social/profiles.js';
import type { User } from '../services/users.js';
import type { ClientIp, RequestCounter } from './rate-limit.js';
import {
  BadBody,
  Code,
  LOGIN_URL,
  bodyParams,
  envelope,
  envelopeJson,
  loginRedirect,
  notAllowed,
  notFoundPage,
  ok,
  queryParams,
  serverErrorPage,
  serviceErrorEnvelope,
  type Params,
} from './social-wire.js';
import { logFault, noteRequestUser, requestAddress } from '../observe/request-context.js';

/** The social API's session cookie (Django's name). */
const SESSION_COOKIE = 'sessionid';

const FORM_BODY_LIMIT = 64 * 1024;

interface Call {
  c: Context;
  p: Params;
  /** The signed-in user on routes that require one; null elsewhere. */
  actor: User | null;
}

interface Route {
  method: 'GET' | 'POST';
  /** cast_arguments: applied first, to the parameters present; a bad value is code 1. */
  cast?: Record<string, (name: string, value: string | number) => unknown>;
  /** require_arguments / require_files: checked before the method (the original's decorator order). */
  args?: string[] | ((p: Params) => string[]);
  /** @login_required: checked after the method. */
  login: boolean;
  /** Carries an image: the body may be as large as the upload cap allows. */
  upload?: boolean;
  run: (call: Call) => Promise<Response>;
}

const eventItem = (e: SocialEvent) => ({ name: e.name, event_id: e.id, time_from: e.timeFrom, time_to: e.timeTo });

/** A same-site path to go to after login (never another host: no open redirect). */
const safeNext = (next: string | undefined) => (next && /^\/(?![/\\])[^\s\\]*$/.test(next) ? next : undefined);

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[ch]!);

/** The upload's bytes: a multipart file, or the later clients' base64 text (with `name`). */
async function imageBytes(p: Params): Promise<Uint8Array> {
  const file = p.file('image');
  if (file) return new Uint8Array(await file.arrayBuffer());
  return decodeBase64Image(p.text('image') ?? '');
}

// A multipart file needs only `image`; the base64 form names its file too (the original's JSON version).
const imageArgs = (p: Params) => (p.isFile('image') ? ['image'] : ['image', 'name']);

/**
 * Spec 003, the social and events API, as the original Django views answered: the envelope
 * `{"error", "error_msg", "response"}` with HTTP 200, a 302 to the login page when not signed
 * in, a bare 405 for a wrong method. Also the login page the original left to Django, and the
 * profile pictures.
 */
export function socialRouter(services: Services, clientIp: ClientIp, counter: RequestCounter) {
  const { social, sessions } = services;
  const { config, now } = services.deps;
  const app = new Hono();
  const uploadBodyLimit = Math.ceil(config.UPLOAD_LIMIT_BYTES / 3) * 4 + 64 * 1024;

  function route(path: string, r: Route) {
    app.all(path, async (c) => {
      try {
        const method = c.req.method;
        if (method !== 'GET' && method !== 'POST') return notAllowed(r.method);
        const hasChecks = r.cast !== undefined || r.args !== undefined;
        const p =
          method === 'GET'
            ? queryParams(c)
            : r.method === 'POST' || hasChecks
              ? await bodyParams(c, r.upload ? uploadBodyLimit : FORM_BODY_LIMIT, r.upload ? IMAGE_TOO_LARGE : 'Request body is too large')
              : queryParams(c);
        for (const [name, cast] of Object.entries(r.cast ?? {})) {
          const v = p.textOrNumber(name);
          if (v !== undefined) cast(name, v);
        }
        const required = typeof r.args === 'function' ? r.args(p) : (r.args ?? []);
        for (const name of required) if (!p.has(name)) return envelope(Code.MISSING_ARGUMENT, name);
        if (method !== r.method) return notAllowed(r.method);
        let actor: User | null = null;
        if (r.login) {
          actor = await sessions.resolve(getCookie(c, SESSION_COOKIE));
          noteRequestUser(c.req.raw, actor);
          if (!actor) return loginRedirect(c);
        }
        return await r.run({ c, p, actor });
      } catch (err) {
        if (err instanceof BadBody) return err.response;
        if (err instanceof ServiceError) {
          if (err.kind === 'unauthenticated') return loginRedirect(c);
          return serviceErrorEnvelope(err);
        }
        logFault(c.req.raw, err);
        return serverErrorPage();
      }
    });
  }

  // ---- Auth ----------------------------------------------------------------------------------

  const loginLimit = config.RATE_LIMIT_PER_MINUTE;

  const loginPage = (c: Context) => {
    const next = safeNext(c.req.query('next'));
    const hidden = next ? `<input type="hidden" name="next" value="${escapeHtml(next)}">` : '';
    return c.html(
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Log in</title></head><body>` +
        `<form method="post" action="${LOGIN_URL}">${hidden}` +
        `<p><label>Username <input name="username" autocomplete="username" required></label></p>` +
        `<p><label>Password <input type="password" name="password" autocomplete="current-password" required></label></p>` +
        `<p><button type="submit">Log in</button></p></form></body></html>`,
      200,
      { 'x-frame-options': 'DENY' },
    );
  };

  const login = async (c: Context) => {
    if (c.req.method === 'GET') return loginPage(c);
    if (c.req.method !== 'POST') return notAllowed('GET, POST');
    try {
      if (loginLimit > 0 && !(await counter.allow('social-login', clientIp(c), loginLimit, 60_000))) {
        return envelope(Code.NOT_PERMITTED, 'Too many requests');
      }
      const p = await bodyParams(c, FORM_BODY_LIMIT, 'Request body is too large');
      const { user, session } = await social.accounts.login(p.text('username'), p.text('password'), requestAddress(c.req.raw));
      // A new session each time; the one the client held (if any) ends.
      await social.accounts.logout(getCookie(c, SESSION_COOKIE));
      setCookie(c, SESSION_COOKIE, session.id, {
        path: '/',
        httpOnly: true,
        sameSite: 'Lax',
        maxAge: Math.max(0, Math.floor((session.expiresAt - now()) / 1000)),
      });
      const next = safeNext(p.text('next'));
      if (next) return c.redirect(next, 302);
      return c.body(envelopeJson(Code.OK, '', { user_id: user.id }), 200, { 'content-type': 'application/json' });
    } catch (err) {
      if (err instanceof BadBody) return err.response;
      if (err instanceof ServiceError) return serviceErrorEnvelope(err);
      logFault(c.req.raw, err, 'login failed');
      return serverErrorPage();
    }
  };
  app.all('/accounts/login/', login);
  app.all('/accounts/login', login);

  const logout = async (c: Context) => {
    if (c.req.method !== 'POST') return notAllowed('POST');
    await social.accounts.logout(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(envelopeJson(Code.OK), 200, { 'content-type': 'application/json' });
  };
  app.all('/accounts/logout/', logout);
  app.all('/accounts/logout', logout);

  route('/api/auth/GetCurrentUserId', {
    method: 'GET',
    login: true,
    run: async ({ actor }) => ok({ user_id: actor!.id }),
  });

  // ---- Profile -------------------------------------------------------------------------------

  route('/api/profile/GetProfile', {
    method: 'GET',
    args: ['user_id'],
    login: true,
    run: async ({ p, actor }) => {
      const prof = await social.profiles.get(actor, p.text('user_id')!);
      return ok({ display_name: prof.displayName, pic: prof.pic, confirmed: prof.confirmed, bio: prof.bio, karma: prof.karma });
    },
  });

  route('/api/profile/UpdateProfilePicture', {
    method: 'POST',
    args: imageArgs,
    login: true,
    upload: true,
    run: async ({ p, actor }) => {
      await social.profiles.setPicture(actor, await imageBytes(p));
      return ok();
    },
  });

  route('/api/profile/UpdateProfileInfo', {
    method: 'POST',
    login: true,
    run: async ({ p, actor }) => {
      await social.profiles.updateInfo(actor, { displayName: p.text('display_name'), bio: p.text('bio') });
      return ok();
    },
  });

  route('/api/profile/UploadProfileConfirmation', {
    method: 'POST',
    args: imageArgs,
    login: true,
    upload: true,
    run: async ({ p, actor }) => {
      await social.profiles.setConfirmation(actor, await imageBytes(p));
      return ok();
    },
  });

  route('/api/profile/FindByName', {
    method: 'GET',
    login: false,
    run: async ({ p }) => {
      const users = await social.profiles.find(p.text('display_name_part'));
      return ok(users.map((u) => ({ user_id: u.userId, display_name: u.displayName })));
    },
  });

  // ---- Friends -------------------------------------------------------------------------------

  route('/api/friends/GetFriendList', {
    method: 'GET',
    login: true,
    run: async ({ actor }) => {
      const friends = await social.friends.list(actor);
      return ok({ friends: friends.map((f) => ({ user_id: f.userId, display_name: f.displayName, pending: f.pending })) });
    },
  });

  route('/api/friends/SendFriendRequest', {
    method: 'POST',
    args: ['user_id'],
    login: true,
    run: async ({ p, actor }) => {
      await social.friends.send(actor, p.text('user_id')!);
      return ok();
    },
  });

  route('/api/friends/GetFriendRequests', {
    method: 'GET',
    login: true,
    run: async ({ actor }) => ok({ requests: await social.friends.requests(actor) }),
  });

  route('/api/friends/RemoveFriend', {
    method: 'POST',
    args: ['user_id'],
    login: true,
    run: async ({ p, actor }) => {
      await social.friends.remove(actor, p.text('user_id')!);
      return ok();
    },
  });

  // ---- Events --------------------------------------------------------------------------------

  route('/api/events/CreateEvent', {
    method: 'POST',
    cast: { time_from: unixSeconds, time_to: unixSeconds },
    args: ['name', 'time_from', 'time_to'],
    login: true,
    run: async ({ p, actor }) => {
      const ev = await social.events.create(actor, {
        name: p.text('name')!,
        timeFrom: p.textOrNumber('time_from')!,
        timeTo: p.textOrNumber('time_to')!,
      });
      return ok({ event_id: ev.id });
    },
  });

  route('/api/events/GetEventByID', {
    method: 'GET',
    args: ['event_id'],
    login: false,
    run: async ({ p }) => {
      const e = await social.events.get(p.text('event_id')!);
      // No original code: the document's fields, in its order.
      return ok({ name: e.name, event_id: e.id, time_to: e.timeTo, time_from: e.timeFrom, creator_id: e.creatorId });
    },
  });

  route('/api/events/GetEvents', {
    method: 'GET',
    login: false,
    run: async ({ p }) => ok((await social.events.search(p.text('name'))).map(eventItem)),
  });

  for (const [name, act] of [
    ['JoinEvent', social.events.join],
    ['LeaveEvent', social.events.leave],
    ['DeleteEvent', social.events.delete],
  ] as const) {
    route(`/api/events/${name}`, {
      method: 'POST',
      args: ['event_id'],
      login: true,
      run: async ({ p, actor }) => {
        await act(actor, p.text('event_id')!);
        return ok();
      },
    });
  }

  route('/api/events/GetCreatedEvents', {
    method: 'GET',
    login: true,
    run: async ({ actor }) => ok((await social.events.created(actor)).map(eventItem)),
  });

  route('/api/events/GetJoinedEvents', {
    method: 'GET',
    login: true,
    run: async ({ actor }) =>
      // The original's key order: name, creator, event_id, time_from, time_to.
      ok(
        (await social.events.joined(actor)).map((e) => ({
          name: e.name,
          creator: e.creator,
          event_id: e.id,
          time_from: e.timeFrom,
          time_to: e.timeTo,
        })),
      ),
  });

  // ---- Pictures ------------------------------------------------------------------------------

  app.get('/media/avatars/:file', async (c) => {
    const pic = await social.profiles.picture(c.req.param('file'));
    if (!pic) return notFoundPage();
    return c.body(pic.data as Uint8Array<ArrayBuffer>, 200, {
      'content-type': pic.contentType,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'",
      // A new upload gets a new path, so a path's bytes never change.
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });

  // Unknown paths under this API's prefixes: Django's 404, not the judge API's Spring body.
  for (const prefix of ['/api/auth', '/api/profile', '/api/friends', '/api/events', '/accounts', '/media']) {
    app.all(prefix, () => notFoundPage());
    app.all(`${prefix}/*`, () => notFoundPage());
  }
  return app;
}
