import type { Executor } from '../db/types.js';
import { isUniqueViolation } from '../db/tx.js';
import { objectId } from '../identity/ids.js';
import { hashPassword, verifyPassword } from '../identity/password.js';
import { JudgeType } from '../identity/roles.js';
import type { Deps } from './deps.js';
import { conflict } from './errors.js';

export interface User {
  id: string;
  username: string;
  judgeType: JudgeType;
}

const USER_COLUMNS = 'id, username, judge_type';

function rowToUser(r: Record<string, unknown>): User {
  return { id: String(r.id), username: String(r.username), judgeType: Number(r.judge_type) as JudgeType };
}

export function usersService({ db, now }: Deps) {
  async function one(sql: string, args: (string | number)[], ex: Executor = db): Promise<User | null> {
    const r = (await ex.execute({ sql, args })).rows[0];
    return r ? rowToUser(r) : null;
  }

  return {
    byId: (id: string, ex?: Executor) => one(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id], ex),
    byUsername: (username: string, ex?: Executor) =>
      one(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`, [username], ex),

    /** Creates a person; a taken username is a conflict. */
    async create(input: { username: string; password: string; judgeType: JudgeType }, ex: Executor = db): Promise<User> {
      const id = objectId(now());
      const hash = await hashPassword(input.password);
      try {
        await ex.execute({
          sql: 'INSERT INTO users (id, username, password_hash, judge_type, created_at) VALUES (?, ?, ?, ?, ?)',
          args: [id, input.username, hash, input.judgeType, now()],
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('User already exists!');
        throw err;
      }
      return { id, username: input.username, judgeType: input.judgeType };
    },

    async setPassword(userId: string, password: string, ex: Executor = db): Promise<void> {
      await ex.execute({ sql: 'UPDATE users SET password_hash = ? WHERE id = ?', args: [await hashPassword(password), userId] });
    },

    /** The user when the password matches; null otherwise (same answer for unknown users). */
    async verify(username: string, password: string): Promise<User | null> {
      const r = (
        await db.execute({ sql: `SELECT ${USER_COLUMNS}, password_hash FROM users WHERE username = ?`, args: [username] })
      ).rows[0];
      if (!r) {
        await hashPassword(password); // same cost as a real check, so timing does not reveal who exists
        return null;
      }
      return (await verifyPassword(password, String(r.password_hash))) ? rowToUser(r) : null;
    },

    /** The account a bundled service (the embedded judge) logs in with: created, or its password reset. */
    async ensureAccount(username: string, password: string, judgeType: JudgeType): Promise<User> {
      const existing = await this.byUsername(username);
      if (!existing) return this.create({ username, password, judgeType });
      if (existing.judgeType !== judgeType) throw new Error(`user '${username}' exists with type ${existing.judgeType}, not ${judgeType}`);
      await this.setPassword(existing.id, password);
      return existing;
    },

    /** First start: a ROOT account from config, with a generated password when none is given. */
    async ensureRoot(username: string, password: string): Promise<{ created: boolean }> {
      const existing = await db.execute('SELECT 1 FROM users WHERE judge_type = 0 LIMIT 1');
      if (existing.rows.length > 0) return { created: false };
      await this.create({ username, password, judgeType: JudgeType.ROOT });
      return { created: true };
    },
  };
}

export type UsersService = ReturnType<typeof usersService>;
