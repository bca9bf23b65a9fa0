import type { Executor } from '../../db/types.js';
import { inTransaction } from '../../db/tx.js';
import { JudgeType } from '../../identity/roles.js';
import type { Deps } from '../deps.js';
import { ServiceError, forbidden, invalid, notFound } from '../errors.js';
import type { User, UsersService } from '../users.js';

export const QUIZ_USER_TYPES = ['student', 'school', 'guest', 'admin'] as const;
export type QuizUserType = (typeof QUIZ_USER_TYPES)[number];

/** The quiz id of every admin: the original's (a6247a0) admin id, `"-1"`. */
const ADMIN_ID = -1;

/**
 * A person as the quiz sees them (spec 002's user fields), the same for every door. `id` is
 * the quiz's integer id; every admin is -1, as the original's single admin at the spec's commit
 * (sent there as the text "-1", without a name: see the REST door's wireUser); its `name` here,
 * `admin`, is for the typed doors only. `surname` and `schoolId` are null where the original
 * leaves the field out (school, admin).
 */
export interface QuizUser {
  id: number;
  type: QuizUserType;
  name: string;
  surname: string | null;
  schoolId: number | null;
  /** The one identity behind it (not sent by the legacy REST door). */
  userId: string;
  username: string;
}

/** A stored profile with what the access check needs. */
interface ProfileRow {
  user: QuizUser;
  accessUntil: string | null;
  schoolAccessUntil: string | null;
}

const SELECT = `SELECT q.id, q.type, q.name, q.surname, q.school_id, q.access_until,
  s.name AS school_name, s.access_until AS school_access_until, u.id AS user_id, u.username
  FROM quiz_accounts q JOIN users u ON u.id = q.user_id LEFT JOIN quiz_accounts s ON s.id = q.school_id`;

function toProfile(r: Record<string, unknown>): ProfileRow {
  const type = String(r.type) as QuizUserType;
  const base = { userId: String(r.user_id), username: String(r.username) };
  const schoolId = r.school_id === null ? null : Number(r.school_id);
  let user: QuizUser;
  switch (type) {
    case 'admin':
      user = { id: ADMIN_ID, type, name: 'admin', surname: null, schoolId: null, ...base };
      break;
    case 'school':
      user = { id: Number(r.id), type, name: String(r.name), surname: null, schoolId: null, ...base };
      break;
    case 'guest':
      // The original's guest: the school's name, an empty surname.
      user = { id: Number(r.id), type, name: String(r.school_name ?? r.name), surname: '', schoolId, ...base };
      break;
    default:
      user = { id: Number(r.id), type, name: String(r.name), surname: String(r.surname), schoolId, ...base };
  }
  return {
    user,
    accessUntil: r.access_until === null ? null : String(r.access_until),
    schoolAccessUntil: r.school_access_until === null || r.school_access_until === undefined ? null : String(r.school_access_until),
  };
}

/** The quiz type of a person without a profile yet: identity admins are quiz admins, everyone else a student. */
const defaultType = (u: User): QuizUserType => (u.judgeType <= JudgeType.ADMIN ? 'admin' : 'student');

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function checkDate(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const m = DATE.exec(value);
  const d = m ? new Date(`${value}T00:00:00Z`) : null;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw invalid('accessUntil must be a date YYYY-MM-DD');
  }
  return value;
}

function checkText(name: string, value: string, min: number, max: number): string {
  if (value.length < min || value.length > max) throw invalid(`${name} must be ${min}-${max} characters`);
  return value;
}

export interface NewSchool {
  name: string;
  login: string;
  password: string;
  accessUntil?: string | null;
}

export interface NewStudent {
  schoolId: number;
  name: string;
  surname: string;
  login: string;
  password: string;
  accessUntil?: string | null;
}

/** The password of every school's guest account, as the original (`<school login>-guest` / `guest`). */
const GUEST_PASSWORD = 'guest';

/** Quiz profiles over the one identity: views, lazily created profiles, schools and students. */
export function quizProfiles({ db, now }: Deps, users: UsersService) {
  async function stored(userId: string, ex: Executor = db): Promise<ProfileRow | null> {
    const r = (await ex.execute({ sql: `${SELECT} WHERE q.user_id = ?`, args: [userId] })).rows[0];
    return r ? toProfile(r) : null;
  }

  async function insert(
    ex: Executor,
    p: { userId: string; type: QuizUserType; name: string; surname?: string; schoolId?: number | null; accessUntil?: string | null },
  ): Promise<void> {
    await ex.execute({
      sql: `INSERT INTO quiz_accounts (user_id, type, name, surname, school_id, access_until, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO NOTHING`,
      args: [p.userId, p.type, p.name, p.surname ?? '', p.schoolId ?? null, p.accessUntil ?? null, now()],
    });
  }

  /**
   * First and last name from the contest integration API's profile (its migration 0004), when the
   * person came from there; tolerated missing so that the quiz does not depend on that API.
   */
  async function integrationName(userId: string): Promise<{ name: string; surname: string } | null> {
    try {
      const r = (await db.execute({ sql: 'SELECT first_name, last_name FROM integration_users WHERE user_id = ?', args: [userId] })).rows[0];
      return r && (r.first_name || r.last_name) ? { name: String(r.first_name ?? ''), surname: String(r.last_name ?? '') } : null;
    } catch (err) {
      if (/no such (table|column)/i.test(String(err))) return null;
      throw err;
    }
  }

  /**
   * The person's profile. One made by another API gets its quiz id now: a student without a
   * school (its integration first/last name, else its username as name), or an admin for
   * identity admins (judge ROOT/ADMIN).
   */
  async function ensure(user: User): Promise<ProfileRow> {
    const found = await stored(user.id);
    if (found) return found;
    const type = defaultType(user);
    const names = type === 'student' ? await integrationName(user.id) : null;
    await insert(db, { userId: user.id, type, name: names?.name ?? user.username, surname: names?.surname ?? '' });
    return (await stored(user.id))!;
  }

  /** The quiz type the actor acts as, without creating anything. */
  async function typeOf(user: User): Promise<QuizUserType> {
    return (await stored(user.id))?.user.type ?? defaultType(user);
  }

  async function requireAdminOrSchool(actor: User | null, schoolId?: number): Promise<void> {
    if (!actor) throw new ServiceError('unauthenticated', 'Unauthorized.');
    const type = await typeOf(actor);
    if (type === 'admin') return;
    if (type === 'school' && schoolId !== undefined && (await stored(actor.id))!.user.id === schoolId) return;
    throw forbidden('Forbidden.');
  }

  return {
    ensure,

    /** True when the quiz may be used today (UTC): admins always; others until their date and their school's. */
    accessAllowed(p: ProfileRow): boolean {
      if (p.user.type === 'admin') return true;
      const today = new Date(now()).toISOString().slice(0, 10);
      return [p.accessUntil, p.schoolAccessUntil].every((d) => d === null || d >= today);
    },

    /** A school (admins only) with its guest account `<login>-guest` / `guest`, as the original. */
    async createSchool(actor: User | null, input: NewSchool): Promise<QuizUser> {
      await requireAdminOrSchool(actor);
      const name = checkText('name', input.name, 1, 100);
      const login = checkText('login', input.login, 1, 26); // its guest login must fit the 32 of the judge API
      checkText('password', input.password, 1, 64);
      const accessUntil = checkDate(input.accessUntil);
      // Hashed before the write transaction opens, so it holds the database lock briefly.
      const [schoolCreds, guestCreds] = await Promise.all([
        users.credentials(login, input.password),
        users.credentials(`${login}-guest`, GUEST_PASSWORD),
      ]);
      const created = await inTransaction(db, async (tx) => {
        const school = await users.create({ username: login, ...schoolCreds, judgeType: JudgeType.USER }, tx);
        await insert(tx, { userId: school.id, type: 'school', name, accessUntil });
        const schoolId = Number((await tx.execute({ sql: 'SELECT id FROM quiz_accounts WHERE user_id = ?', args: [school.id] })).rows[0]!.id);
        const guest = await users.create({ username: `${login}-guest`, ...guestCreds, judgeType: JudgeType.USER }, tx);
        await insert(tx, { userId: guest.id, type: 'guest', name, schoolId });
        return school;
      });
      return (await stored(created.id))!.user;
    },

    /** A student of a school: by an admin, or by that school. */
    async createStudent(actor: User | null, input: NewStudent): Promise<QuizUser> {
      await requireAdminOrSchool(actor, input.schoolId);
      const name = checkText('name', input.name, 1, 100);
      const surname = checkText('surname', input.surname, 0, 100);
      const login = checkText('login', input.login, 1, 32);
      checkText('password', input.password, 1, 64);
      const accessUntil = checkDate(input.accessUntil);
      const school = (await db.execute({ sql: "SELECT id FROM quiz_accounts WHERE id = ? AND type = 'school'", args: [input.schoolId] })).rows[0];
      if (!school) throw notFound('School not found.');
      const creds = await users.credentials(login, input.password);
      const created = await inTransaction(db, async (tx) => {
        const student = await users.create({ username: login, ...creds, judgeType: JudgeType.USER }, tx);
        await insert(tx, { userId: student.id, type: 'student', name, surname, schoolId: input.schoolId, accessUntil });
        return student;
      });
      return (await stored(created.id))!.user;
    },
  };
}
export type { ProfileRow };
