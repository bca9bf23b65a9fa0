import { inTransaction } from '../../db/tx.js';
import { BCRYPT_HASH, registerBcrypt } from '../../identity/bcrypt.js';
import { sha256Hex } from '../../identity/encoding.js';
import { JudgeType } from '../../identity/roles.js';
import type { Deps } from '../deps.js';
import { ServiceError, conflict, forbidden, invalid, notFound } from '../errors.js';
import { requireJudgeUser, ANY_TYPE } from '../judge/access.js';
import type { SessionsService } from '../sessions.js';
import type { User, UsersService } from '../users.js';
import { USER_NOT_FOUND, type ContestsModel } from './contests.js';
import type { Standing } from './scores.js';

/** A person as the integration API shows them (spec 000's get_user). */
export interface IntegrationUser {
  userId: number;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  timezone: string;
  preferredLanguages: string;
  /** Present when a contest was asked for. */
  contest?: Standing;
}

export interface NewIntegrationUser {
  username: string;
  /** `plaintext:<pw>`, `bcrypt:<hash>` or a bare password. */
  password: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  timezone?: string;
  preferredLanguages?: string;
  contestId?: number;
}

/** The original's session lifetime (Redis TTL 10800 s), renewed by every use. */
const CONTEST_SESSION_TTL_MS = 3 * 3600_000;
const USER_EXISTS = 'User with such username already exist.';

const LIMITS = { username: 64, first_name: 256, last_name: 256, email: 256, timezone: 256, preferred_languages: 1024, password: 1024 };
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkText(field: keyof typeof LIMITS, value: string | undefined): void {
  if (value === undefined) return;
  if (value.length > LIMITS[field]) throw invalid(`Field "${field}" is too long (at most ${LIMITS[field]} characters).`);
  if (LONE_SURROGATE.test(value)) throw invalid(`Field "${field}" is not valid Unicode text.`);
}

/**
 * The password forms the original's clients send: `plaintext:<pw>` or a bare password (hashed
 * here, PBKDF2), or `bcrypt:<hash>` (kept as the hash, checked with bcrypt at login, then
 * upgraded to PBKDF2). An empty password could never be used to log in: refused.
 */
function parseIntegrationPassword(raw: string): { password: string } | { passwordHash: string } {
  if (raw.startsWith('bcrypt:')) {
    const hash = raw.slice('bcrypt:'.length);
    if (!BCRYPT_HASH.test(hash)) throw invalid('Field "password": not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04 to 14).');
    return { passwordHash: hash };
  }
  const password = raw.startsWith('plaintext:') ? raw.slice('plaintext:'.length) : raw;
  if (password === '') throw invalid('Field "password": the password is empty.');
  return { password };
}

/** The contest integration API's operations (spec 000), over the one identity and the contests model. */
export function integrationService(deps: Deps, users: UsersService, sessions: SessionsService, model: ContestsModel) {
  const { db } = deps;
  registerBcrypt();

  async function requireUser(username: string): Promise<User> {
    const user = await users.byUsername(username);
    if (!user) throw notFound(USER_NOT_FOUND);
    return user;
  }

  async function profile(user: User): Promise<IntegrationUser> {
    const num = await model.numberOf(user.id);
    const r = (
      await db.execute({
        sql: 'SELECT first_name, last_name, email, timezone, preferred_languages FROM integration_users WHERE num = ?',
        args: [num],
      })
    ).rows[0]!;
    return {
      userId: num,
      username: user.username,
      firstName: String(r.first_name),
      lastName: String(r.last_name),
      email: r.email === null ? '' : String(r.email), // the original: `email if email else ""`
      timezone: r.timezone === null ? '' : String(r.timezone),
      preferredLanguages: String(r.preferred_languages),
    };
  }

  async function userView(user: User, contestId?: number): Promise<IntegrationUser> {
    const view = await profile(user);
    if (contestId !== undefined) view.contest = await model.standingOf(user, contestId);
    return view;
  }

  return {
    /** get_user: 404 `User not found.`; with a contest, 404 `Participation not found.` (also for an unknown contest). */
    async getUser(username: string, contestId?: number): Promise<IntegrationUser> {
      return userView(await requireUser(username), contestId);
    },

    /** The same view for GraphQL and tRPC: admins see anyone, a person sees themselves. */
    async viewUser(actor: User | null, username: string, contestId?: number): Promise<IntegrationUser> {
      const a = requireJudgeUser(actor, ANY_TYPE);
      if (a.judgeType > JudgeType.ADMIN && a.username !== username) throw forbidden('Permission denied!');
      return userView(await requireUser(username), contestId);
    },

    /**
     * create_user: the user, their profile and (with `contestId`) the participation in one
     * transaction: an unknown contest leaves no user behind (the original kept it).
     */
    async createUser(input: NewIntegrationUser): Promise<{ userId: number; participationId?: number }> {
      if (input.username === '') throw invalid('Field "username": the username is empty.');
      checkText('username', input.username);
      checkText('password', input.password);
      checkText('first_name', input.firstName);
      checkText('last_name', input.lastName);
      checkText('email', input.email);
      checkText('timezone', input.timezone);
      checkText('preferred_languages', input.preferredLanguages);
      const pw = parseIntegrationPassword(input.password);
      // Cheap refusals before the slow hash; the transaction checks both again.
      if (await users.byUsername(input.username)) throw conflict(USER_EXISTS);
      if (input.contestId !== undefined && !(await model.contestExists(input.contestId))) throw notFound('Contest not found.');
      const credentials = 'password' in pw ? await users.credentials(input.username, pw.password) : { passwordHash: pw.passwordHash, ha1: null };

      return inTransaction(db, async (tx) => {
        let user: User;
        try {
          user = await users.create({ username: input.username, judgeType: JudgeType.USER, ...credentials }, tx);
        } catch (err) {
          if (err instanceof ServiceError && err.kind === 'conflict') throw conflict(USER_EXISTS);
          throw err;
        }
        const r = await tx.execute({
          sql: `INSERT INTO integration_users (user_id, first_name, last_name, email, timezone, preferred_languages)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
                  email = excluded.email, timezone = excluded.timezone, preferred_languages = excluded.preferred_languages
                RETURNING num`,
          args: [user.id, input.firstName ?? '', input.lastName ?? '', input.email ?? null, input.timezone ?? null, input.preferredLanguages ?? '[]'],
        });
        const userId = Number(r.rows[0]!.num);
        if (input.contestId === undefined) return { userId };
        return { userId, participationId: await model.insertParticipation(tx, user.id, input.contestId) };
      });
    },

    /** create_participation: 404 `User not found.`, 404 `Contest not found.`, 409 when it exists. */
    async createParticipation(username: string, contestId: number): Promise<{ participationId: number }> {
      const user = await requireUser(username);
      return { participationId: await model.insertParticipation(db, user.id, contestId) };
    },

    /**
     * create_session: a session for the contest site's `cms_session` cookie (and GraphQL/tRPC),
     * 3 hours from its last use. As the original, neither the contest nor a participation is checked.
     */
    async createSession(username: string, contestId: number | null): Promise<{ sessionId: string }> {
      const user = await requireUser(username);
      const session = await sessions.create(user.id, 'contest', CONTEST_SESSION_TTL_MS, { sliding: true });
      await db.execute({
        sql: 'INSERT INTO contest_sessions (id_hash, contest_id) VALUES (?, ?)',
        args: [await sha256Hex(session.id), contestId !== null && Number.isSafeInteger(contestId) ? contestId : null],
      });
      return { sessionId: session.id };
    },
  };
}
