import type { LoginGuard } from './login-guard.js';
import type { Executor } from '../db/types.js';
import { isUniqueViolation } from '../db/tx.js';
import { objectId } from '../identity/ids.js';
import { quizHa1 } from '../identity/md5.js';
import { hashPassword, isCurrentHash, verifyPassword } from '../identity/password.js';
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

export function usersService({ db, now, config }: Deps, logins: LoginGuard) {
  const ha1 = (username: string, password: string) => (config.QUIZ_HA1 === 'on' ? quizHa1(username, password) : null);

  async function one(sql: string, args: (string | number)[], ex: Executor = db): Promise<User | null> {
    const r = (await ex.execute({ sql, args })).rows[0];
    return r ? rowToUser(r) : null;
  }

  /** The password check itself; `rehash` makes a hash from elsewhere (bcrypt) ours at the first login, with the quiz HA1 beside it. */
  async function checkPassword(username: string, password: string, rehash: (id: string, password: string) => Promise<void>): Promise<User | null> {
    const r = (await db.execute({ sql: `SELECT ${USER_COLUMNS}, password_hash FROM users WHERE username = ?`, args: [username] })).rows[0];
    if (!r) {
      await hashPassword(password); // same cost as a real check, so timing does not reveal who exists
      return null;
    }
    const stored = String(r.password_hash);
    if (!(await verifyPassword(password, stored))) return null;
    const user = rowToUser(r);
    if (!isCurrentHash(stored)) await rehash(user.id, password);
    return user;
  }

  return {
    byId: (id: string, ex?: Executor) => one(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id], ex),
    byUsername: (username: string, ex?: Executor) => one(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`, [username], ex),

    /**
     * Creates a person; a taken username is a conflict. `password` is hashed here; a client that
     * only has a hash of another scheme (bcrypt) passes `passwordHash`, upgraded at first login.
     */
    async create(
      input: { username: string; judgeType: JudgeType } & ({ password: string } | { passwordHash: string; ha1?: string | null }),
      ex: Executor = db,
    ): Promise<User> {
      const id = objectId(now());
      const plain = 'password' in input ? input.password : null;
      const hash = plain !== null ? await hashPassword(plain) : (input as { passwordHash: string }).passwordHash;
      const quiz = plain !== null ? ha1(input.username, plain) : ((input as { ha1?: string | null }).ha1 ?? null);
      try {
        await ex.execute({
          sql: 'INSERT INTO users (id, username, password_hash, ha1, judge_type, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          args: [id, input.username, hash, quiz, input.judgeType, now()],
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('User already exists!');
        throw err;
      }
      return { id, username: input.username, judgeType: input.judgeType };
    },

    /**
     * What `create` stores for a plain password, computed ahead: hashing is slow, so a caller that
     * creates the user inside a transaction hashes first and passes `{ passwordHash, ha1 }`.
     */
    async credentials(username: string, password: string): Promise<{ passwordHash: string; ha1: string | null }> {
      return { passwordHash: await hashPassword(password), ha1: ha1(username, password) };
    },

    async setPassword(userId: string, password: string, ex: Executor = db): Promise<void> {
      const user = await this.byId(userId, ex);
      if (!user) return;
      await ex.execute({
        sql: 'UPDATE users SET password_hash = ?, ha1 = ? WHERE id = ?',
        args: [await hashPassword(password), ha1(user.username, password), userId],
      });
    },

    /**
     * The user when the password matches; null otherwise (same answer for unknown users). Every
     * door's password check, so the login limits (per name, per client `address`) hold for all.
     */
    verify(username: string, password: string, address?: string): Promise<User | null> {
      return logins.attempt(username, address, () => checkPassword(username, password, (id, pw) => this.setPassword(id, pw)));
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
