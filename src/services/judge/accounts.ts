import { canManage, isJudgeType, JudgeType } from '../../identity/roles.js';
import { ServiceError, forbidden, invalid, notFound } from '../errors.js';
import type { SessionsService } from '../sessions.js';
import type { User, UsersService } from '../users.js';
import { ANY_TYPE, requireJudgeUser } from './access.js';

const MAX_FIELD = 32;
const empty = (s: string | undefined | null): s is '' | undefined | null => s === undefined || s === null || s === '';

/** Spec 004's login, logout and user management, with the original server's checks and messages. */
export function judgeAccounts(users: UsersService, sessions: SessionsService) {
  return {
    /** `current` is whoever the request's session already belongs to: the original refused a second login. */
    async login(current: User | null, input: { username?: string; password?: string }, address?: string) {
      if (current) throw invalid('Already logged in!');
      if (empty(input.username)) throw invalid('No username!');
      if (empty(input.password)) throw invalid('No password!');
      const user = await users.verify(input.username, input.password, address);
      if (!user) throw invalid('Wrong username or password!');
      const session = await sessions.create(user.id, 'judge');
      return { user, session };
    },

    async logout(actor: User | null, sessionId: string | undefined) {
      if (!actor || !sessionId) throw new ServiceError('unauthenticated', 'Not logged in!');
      await sessions.revoke(sessionId);
      return { uid: actor.id };
    },

    info(actor: User | null) {
      const u = requireJudgeUser(actor, ANY_TYPE);
      return { uid: u.id, username: u.username, type: u.judgeType };
    },

    async changeOwnPassword(actor: User | null, input: { old?: string; new?: string }, address?: string) {
      if (empty(input.old)) throw invalid('No old password!');
      if (empty(input.new)) throw invalid('No new password!');
      if (input.new.length > MAX_FIELD) throw invalid('Password too long!');
      const u = requireJudgeUser(actor, ANY_TYPE);
      if (!(await users.verify(u.username, input.old, address))) throw invalid('Wrong old password!');
      await users.setPassword(u.id, input.new);
      return { uid: u.id };
    },

    async addUser(actor: User | null, input: { username?: string; password?: string; type?: number }) {
      const admin = requireJudgeUser(actor, JudgeType.ADMIN);
      if (empty(input.username)) throw invalid('No username!');
      if (empty(input.password)) throw invalid('No password!');
      if (input.username.length > MAX_FIELD) throw invalid('Username too long!');
      if (input.password.length > MAX_FIELD) throw invalid('Password too long!');
      const type = input.type ?? 0;
      if (!isJudgeType(type) || !canManage(admin.judgeType, type)) {
        throw forbidden(`You are not allowed to create user of type ${type}!`);
      }
      const created = await users.create({ username: input.username, password: input.password, judgeType: type });
      return { id: created.id };
    },

    async setUserPassword(actor: User | null, input: { username?: string; password?: string }) {
      const admin = requireJudgeUser(actor, JudgeType.ADMIN);
      if (empty(input.username)) throw invalid('No username!');
      if (empty(input.password)) throw invalid('No password!');
      if (input.password.length > MAX_FIELD) throw invalid('Password too long!');
      const target = await users.byUsername(input.username);
      if (!target) throw notFound('User does not exist!');
      if (!canManage(admin.judgeType, target.judgeType)) {
        throw forbidden(`You are not allowed to change password for user type ${target.judgeType}`);
      }
      await users.setPassword(target.id, input.password);
      return 'done' as const;
    },
  };
}
