import type { Deps } from '../deps.js';
import { invalid } from '../errors.js';
import type { SessionsService } from '../sessions.js';
import type { User, UsersService } from '../users.js';
import { MissingArgument } from './common.js';
import { eventsService } from './events.js';
import { friendsService } from './friends.js';
import { profilesService } from './profiles.js';

/** Django's AuthenticationForm message, which the original's login page showed. */
const LOGIN_FAILED = 'Please enter a correct username and password. Note that both fields may be case-sensitive.';

/** Spec 003 (social and events): sign-in with a `social` session, profiles, friends, events. */
export function socialServices(deps: Deps, users: UsersService, sessions: SessionsService) {
  return {
    accounts: {
      /** Password sign-in; the session id goes to the client as the `sessionid` cookie. */
      async login(
        username: string | undefined,
        password: string | undefined,
        address?: string,
      ): Promise<{ user: User; session: { id: string; expiresAt: number } }> {
        if (!username) throw new MissingArgument('username');
        if (!password) throw new MissingArgument('password');
        const user = await users.verify(username, password, address);
        if (!user) throw invalid(LOGIN_FAILED);
        return { user, session: await sessions.create(user.id, 'social') };
      },
      async logout(sessionId: string | undefined): Promise<void> {
        if (sessionId) await sessions.revoke(sessionId);
      },
    },
    profiles: profilesService(deps),
    friends: friendsService(deps),
    events: eventsService(deps),
  };
}

export type SocialServices = ReturnType<typeof socialServices>;
