import { constantTimeEqual, secretsEqual } from '../../identity/encoding.js';
import { md5Hex } from '../../identity/md5.js';
import type { Deps } from '../deps.js';
import { ServiceError, forbidden, invalid } from '../errors.js';
import type { SessionsService } from '../sessions.js';
import type { User, UsersService } from '../users.js';
import type { LoginGuard } from '../login-guard.js';
import { quizNonces } from './nonces.js';
import { quizProfiles, type NewSchool, type NewStudent, type QuizUser } from './profiles.js';

export type { QuizUser } from './profiles.js';
export { QUIZ_USER_TYPES } from './profiles.js';

// The original's texts (spec 002, LEGACY-NOTES part A), the same on every door.
export const INVALID_PARAMETERS = 'Invalid parameters.';
const AUTHORIZATION_INVALID = 'Authorization is invalid.';
const UNAUTHORIZED = 'Unauthorized.';
export const FORBIDDEN = 'Forbidden.';

/**
 * What a quiz client sends to log in: the spec's fields as text (a JSON-number nonce already in
 * its decimal form). The legacy door lets a field of another JSON type through, as the original
 * did, as null: it goes through the same checks and matches nothing there (no application, no
 * issued nonce, no account, no digest, no quiz).
 */
export interface AuthorizeInput {
  nonce: string | null;
  appid: string | null;
  quizType: string | null;
  login: string | null;
  digest: string | null;
}

const PURGE_EVERY_MS = 60_000;
const enc = new TextEncoder();
const NO_HA1 = '0'.repeat(32);

/**
 * Quiz authorization (spec 002) over the one identity: nonce + digest = MD5(nonce:HA1) with
 * HA1 = MD5(login:password) kept by the users service, single-use expiring nonces, per-login
 * failure limits, sessions in the shared sessions table, and the quiz's view of each person.
 */
export function quizService(deps: Deps, users: UsersService, sessions: SessionsService, logins: LoginGuard) {
  const { db, now, config } = deps;
  const nonces = quizNonces(db, now, config.QUIZ_NONCE_TTL_SECONDS * 1000);
  const profiles = quizProfiles(deps, users);
  let lastPurge = 0;

  async function knownApp(appid: string): Promise<boolean> {
    let found = false;
    for (const id of config.QUIZ_APP_IDS) if (await secretsEqual(appid, id)) found = true; // no early exit
    return found;
  }

  /** The person when `digest` answers `nonce` with their HA1; null otherwise (same work either way). */
  async function checkDigest(login: string, nonce: string, digest: string): Promise<User | null> {
    const r = (await db.execute({ sql: 'SELECT id, username, judge_type, ha1 FROM users WHERE username = ?', args: [login] })).rows[0];
    // With QUIZ_HA1=off the digest protocol is off too: stale HA1s from before do not count.
    const ha1 = config.QUIZ_HA1 === 'on' && r && r.ha1 !== null ? String(r.ha1) : null;
    const expected = md5Hex(`${nonce}:${ha1 ?? NO_HA1}`);
    const match = constantTimeEqual(enc.encode(expected), enc.encode(digest));
    if (!r || ha1 === null || !match) return null;
    return { id: String(r.id), username: String(r.username), judgeType: Number(r.judge_type) as User['judgeType'] };
  }

  /** The person as the quiz sees them; `Unauthorized.` without one. */
  async function status(actor: User | null): Promise<QuizUser> {
    if (!actor) throw new ServiceError('unauthenticated', UNAUTHORIZED);
    return (await profiles.ensure(actor)).user;
  }

  return {
    profiles,

    /** GET /authorize: a nonce good for one login attempt within QUIZ_NONCE_TTL_SECONDS. */
    async nonce(): Promise<string> {
      const nonce = await nonces.issue();
      if (now() - lastPurge >= PURGE_EVERY_MS) {
        lastPurge = now();
        await Promise.all([nonces.purge(), logins.purge()]);
      }
      return nonce;
    },

    /**
     * POST /authorize, in the original's order (a6247a0's onDoAuth, then its accounts service):
     * the application id (`Authorization is invalid.`, nothing spent); the nonce, consumed
     * (`Unauthorized.` for one not issued here, spent or expired, before any account is looked
     * at); the failure limit and the digest (`Authorization is invalid.`, counted against the
     * login); the quiz type (`Invalid parameters.`); the access date. A login that is not text
     * names no account: it is never locked nor counted. A new session every time; `previousSid`
     * (the session the client still carries) ends, as the original reused it.
     */
    async authorize(input: AuthorizeInput, previousSid?: string, address?: string): Promise<{ sid: string; user: QuizUser }> {
      const { appid, nonce, login, digest, quizType } = input;
      if (appid === null || !(await knownApp(appid))) throw invalid(AUTHORIZATION_INVALID);
      if (nonce === null || !(await nonces.consume(nonce))) throw new ServiceError('unauthenticated', UNAUTHORIZED);
      if (login === null) throw invalid(AUTHORIZATION_INVALID);
      // '' never equals an MD5.
      const user = await logins.attempt(login, address, () => checkDigest(login, nonce, digest ?? ''));
      if (!user) throw invalid(AUTHORIZATION_INVALID);
      if (quizType === null || !config.QUIZ_TYPES.includes(quizType)) throw invalid(INVALID_PARAMETERS);
      const profile = await profiles.ensure(user);
      if (!profiles.accessAllowed(profile)) throw forbidden(FORBIDDEN);
      const session = await sessions.create(user.id, 'quiz');
      if (previousSid && /^[0-9a-f]{32}$/.test(previousSid)) await sessions.revoke(previousSid);
      return { sid: session.id, user: profile.user };
    },

    /** GraphQL and tRPC: the caller (bearer token or any session cookie). */
    status,

    /** GET /authorize/status: the person of a session id (QUIZSID cookie or ?sid=). */
    statusOfSession: async (sid: string | undefined): Promise<QuizUser> => status(await sessions.resolve(sid)),

    createSchool: (actor: User | null, input: NewSchool) => profiles.createSchool(actor, input),
    createStudent: (actor: User | null, input: NewStudent) => profiles.createStudent(actor, input),
  };
}
