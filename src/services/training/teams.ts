import { rowsIn } from '../../db/in-list.js';
import { inTransaction } from '../../db/tx.js';
import type { Executor } from '../../db/types.js';
import { JudgeType } from '../../identity/roles.js';
import type { Deps } from '../deps.js';
import { ServiceError, conflict, forbidden, invalid, notFound } from '../errors.js';
import type { User, UsersService } from '../users.js';

/** A person as the training API shows them: the gateway's id, the integer id, the login and names. */
export interface Person {
  id: string;
  userId: number;
  login: string;
  firstName: string;
  lastName: string;
}

export interface Team {
  id: number;
  name: string;
  /** The gateway id of who created the team; they (and admins) manage its members. */
  ownerId: string | null;
  members: Person[];
}

const NOT_AUTHENTICATED = 'Not authenticated';
export const TEAM_NOT_FOUND = 'Команда не найдена';
const USER_NOT_FOUND = 'Пользователь не найден';
export const NOT_A_MEMBER = 'Вы не состоите в этой команде';
const NOT_TEAM_OWNER = 'Составом команды управляет её создатель';

const NAME_MAX = 128;
const MAX_MEMBERS = 16;

/** Anyone signed in trains, except the judge's WORKER accounts. */
export function requireTrainee(actor: User | null): User {
  if (!actor) throw new ServiceError('unauthenticated', NOT_AUTHENTICATED);
  if (actor.judgeType === JudgeType.WORKER) throw forbidden('Workers do not train');
  return actor;
}

export const isAdmin = (u: User) => u.judgeType <= JudgeType.ADMIN;

/** The people of `userIds`, with their integer ids and names (integration profile rows). */
export async function peopleOf(ex: Executor, userIds: string[]): Promise<Map<string, Person>> {
  const out = new Map<string, Person>();
  if (userIds.length === 0) return out;
  const select = () =>
    rowsIn(
      ex,
      userIds,
      (list) => `SELECT u.id, u.username, iu.num, iu.first_name, iu.last_name FROM users u
                 LEFT JOIN integration_users iu ON iu.user_id = u.id WHERE u.id IN (${list})`,
    );
  let rows = await select();
  // Every user gets an integration row by trigger (0004); one that somehow lacks it gets it here.
  const missing = rows.filter((r) => r.num === null).map((r) => String(r.id));
  if (missing.length > 0) {
    for (const id of missing) await ex.execute({ sql: 'INSERT OR IGNORE INTO integration_users (user_id) VALUES (?)', args: [id] });
    rows = await select();
  }
  for (const r of rows) {
    out.set(String(r.id), {
      id: String(r.id),
      userId: Number(r.num),
      login: String(r.username),
      firstName: String(r.first_name),
      lastName: String(r.last_name),
    });
  }
  return out;
}

/**
 * Teams (spec 001 had Yandex's; here the gateway's own): self-service. Anyone signed in creates
 * a team and is its first member and owner; the owner or an admin adds and removes members; a
 * member may leave. Members see their team; admins see every team.
 */
export function teamsService(deps: Deps, users: UsersService) {
  const { db, now } = deps;

  /** Teams by id, with their members: three statements whatever the number of teams (unknown ids are left out). */
  async function loadMany(teamIds: number[], ex: Executor = db): Promise<Map<number, Team>> {
    const ids = [...new Set(teamIds.filter((id) => Number.isSafeInteger(id) && id > 0))];
    const teams = await rowsIn(ex, ids, (list) => `SELECT id, name, owner_id FROM teams WHERE id IN (${list})`);
    const members = await rowsIn(
      ex,
      teams.map((t) => Number(t.id)),
      (list) => `SELECT team_id, user_id FROM team_members WHERE team_id IN (${list}) ORDER BY team_id, added_at, rowid`,
    );
    const people = await peopleOf(ex, [...new Set(members.map((m) => String(m.user_id)))]);
    const out = new Map<number, Team>();
    for (const t of teams) {
      out.set(Number(t.id), { id: Number(t.id), name: String(t.name), ownerId: t.owner_id === null ? null : String(t.owner_id), members: [] });
    }
    for (const m of members) {
      const person = people.get(String(m.user_id));
      if (person) out.get(Number(m.team_id))!.members.push(person);
    }
    return out;
  }

  async function load(teamId: number, ex: Executor = db): Promise<Team | null> {
    return (await loadMany([teamId], ex)).get(teamId) ?? null;
  }

  /** The team, for one of its members or an admin: 404 when unknown, 403 for anyone else. */
  async function visible(actor: User, teamId: number): Promise<Team> {
    const team = await load(teamId);
    if (!team) throw notFound(TEAM_NOT_FOUND);
    if (!isAdmin(actor) && !team.members.some((m) => m.id === actor.id)) throw forbidden(NOT_A_MEMBER);
    return team;
  }

  async function managed(actor: User, teamId: number, ex: Executor): Promise<void> {
    const t =
      Number.isSafeInteger(teamId) && teamId > 0
        ? (await ex.execute({ sql: 'SELECT owner_id FROM teams WHERE id = ?', args: [teamId] })).rows[0]
        : undefined;
    if (!t) throw notFound(TEAM_NOT_FOUND);
    if (!isAdmin(actor) && String(t.owner_id) !== actor.id) throw forbidden(NOT_TEAM_OWNER);
  }

  async function resolveUsers(usernames: string[]): Promise<User[]> {
    const out: User[] = [];
    for (const name of usernames) {
      const u = await users.byUsername(name);
      if (!u) throw notFound(`${USER_NOT_FOUND}: ${name}`);
      if (u.judgeType === JudgeType.WORKER) throw invalid(`${name}: workers do not train`);
      out.push(u);
    }
    return out;
  }

  return {
    load,
    visible,

    /** The signed-in person as the training API shows people (`/user/me`). */
    async person(actor: User): Promise<Person | undefined> {
      return (await peopleOf(db, [actor.id])).get(actor.id);
    },

    async create(actor: User | null, input: { name: string; members?: string[] }): Promise<Team> {
      const me = requireTrainee(actor);
      const name = input.name.trim();
      if (!name) throw invalid('Team name is required');
      if (name.length > NAME_MAX) throw invalid(`Team name is too long (at most ${NAME_MAX} characters)`);
      const others = await resolveUsers([...new Set(input.members ?? [])].filter((n) => n !== me.username));
      if (others.length + 1 > MAX_MEMBERS) throw invalid(`A team has at most ${MAX_MEMBERS} members`);
      const id = await inTransaction(db, async (tx) => {
        const t = now();
        const r = await tx.execute({
          sql: 'INSERT INTO teams (name, owner_id, created_at) VALUES (?, ?, ?) RETURNING id',
          args: [name, me.id, t],
        });
        const teamId = Number(r.rows[0]!.id);
        for (const u of [me, ...others]) {
          await tx.execute({ sql: 'INSERT INTO team_members (team_id, user_id, added_at) VALUES (?, ?, ?)', args: [teamId, u.id, t] });
        }
        return teamId;
      });
      return (await load(id))!;
    },

    /** The teams the caller is a member of, in id order. */
    async mine(actor: User | null): Promise<Team[]> {
      const me = requireTrainee(actor);
      const rs = await db.execute({
        sql: 'SELECT team_id FROM team_members WHERE user_id = ? ORDER BY team_id',
        args: [me.id],
      });
      const ids = rs.rows.map((r) => Number(r.team_id));
      const teams = await loadMany(ids);
      return ids.map((id) => teams.get(id)).filter((t): t is Team => t !== undefined);
    },

    async get(actor: User | null, teamId: number): Promise<Team> {
      return visible(requireTrainee(actor), teamId);
    },

    async addMember(actor: User | null, teamId: number, username: string): Promise<Team> {
      const me = requireTrainee(actor);
      const [user] = await resolveUsers([username]);
      await inTransaction(db, async (tx) => {
        await managed(me, teamId, tx);
        const n = Number((await tx.execute({ sql: 'SELECT COUNT(*) AS n FROM team_members WHERE team_id = ?', args: [teamId] })).rows[0]!.n);
        const there =
          (await tx.execute({ sql: 'SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?', args: [teamId, user!.id] })).rows.length > 0;
        if (there) throw conflict('Пользователь уже в команде');
        if (n >= MAX_MEMBERS) throw invalid(`A team has at most ${MAX_MEMBERS} members`);
        await tx.execute({ sql: 'INSERT INTO team_members (team_id, user_id, added_at) VALUES (?, ?, ?)', args: [teamId, user!.id, now()] });
      });
      return (await load(teamId))!;
    },

    /** The owner or an admin removes anyone; a member removes themselves (leaves). */
    async removeMember(actor: User | null, teamId: number, username: string): Promise<Team> {
      const me = requireTrainee(actor);
      const user = await users.byUsername(username);
      if (!user) throw notFound(USER_NOT_FOUND);
      await inTransaction(db, async (tx) => {
        if (user.id !== me.id) await managed(me, teamId, tx);
        else if (!(await load(teamId, tx))) throw notFound(TEAM_NOT_FOUND);
        const rs = await tx.execute({ sql: 'DELETE FROM team_members WHERE team_id = ? AND user_id = ?', args: [teamId, user.id] });
        if (rs.rowsAffected === 0) throw notFound(NOT_A_MEMBER);
      });
      return (await load(teamId))!;
    },
  };
}
