import type { TokenIssuer } from '../identity/tokens.js';
import { invalid } from './errors.js';
import type { User, UsersService } from './users.js';

/** Password login for the token doors (GraphQL, tRPC): a bearer JWT instead of a cookie. */
export function authService(users: UsersService, tokens: TokenIssuer) {
  return {
    async issueToken(username: string, password: string, address?: string): Promise<{ token: string; user: User }> {
      if (!username) throw invalid('No username!');
      if (!password) throw invalid('No password!');
      const user = await users.verify(username, password, address);
      if (!user) throw invalid('Wrong username or password!');
      return { token: await tokens.sign(user.id), user };
    },
  };
}
