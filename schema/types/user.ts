import { builder } from '../builder.js';
import type { User } from '../../src/services/users.js';

const UserType = builder.objectRef<User>('User').implement({
  description: 'One person, whichever legacy API created them.',
  fields: (t) => ({
    id: t.exposeID('id'),
    username: t.exposeString('username'),
    type: t.int({ description: 'Judge user type: ROOT 0, ADMIN 100, USER 200, WORKER 300.', resolve: (u) => u.judgeType }),
  }),
});

const AuthPayload = builder.objectRef<{ token: string; user: User }>('AuthPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Send as `Authorization: Bearer <token>`.' }),
    user: t.field({ type: UserType, resolve: (p) => p.user }),
  }),
});

builder.queryField('me', (t) => t.field({ type: UserType, nullable: true, resolve: (_root, _args, ctx) => ctx.actor }));

builder.mutationField('login', (t) =>
  t.field({
    type: AuthPayload,
    args: { username: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.auth.issueToken(args.username, args.password, ctx.address),
  }),
);

builder.mutationField('addUser', (t) =>
  t.id({
    description: 'Spec 004 role matrix: ROOT adds ADMIN, WORKER or USER; ADMIN adds USER.',
    args: {
      username: t.arg.string({ required: true }),
      password: t.arg.string({ required: true }),
      type: t.arg.int({ required: true }),
    },
    resolve: async (_root, args, ctx) => (await ctx.services.judge.accounts.addUser(ctx.actor, args)).id,
  }),
);
