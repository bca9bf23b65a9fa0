import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../src/trpc/router.js';

/** A case as `worker.claim` hands it out: everything needed to run it, and its lease. */
export type ClaimedCase = NonNullable<inferRouterOutputs<AppRouter>['worker']['claim']>;

/** The judge's only way into the gateway: tRPC as a WORKER user, re-logging in when the token expires. */
export function gatewayClient(baseUrl: string, username: string, password: string) {
  let token: string | null = null;
  const url = `${baseUrl.replace(/\/$/, '')}/trpc`;
  const anonymous = createTRPCClient<AppRouter>({ links: [httpLink({ url })] });
  const client = createTRPCClient<AppRouter>({
    links: [httpLink({ url, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });

  async function login(): Promise<void> {
    const r = await anonymous.auth.login.mutate({ username, password });
    if (r.user.judgeType !== 300) throw new Error(`judge user '${username}' is not a WORKER (type ${r.user.judgeType})`);
    token = r.token;
  }

  /** Runs a call, logging in first or again when the gateway no longer knows the token. */
  async function call<T>(fn: (c: typeof client) => Promise<T>): Promise<T> {
    if (!token) await login();
    try {
      return await fn(client);
    } catch (err) {
      if (err instanceof TRPCClientError && err.data?.code === 'UNAUTHORIZED') {
        await login();
        return fn(client);
      }
      throw err;
    }
  }

  return { login, call };
}

export type GatewayClient = ReturnType<typeof gatewayClient>;

/** True when the gateway refused because this worker no longer holds the case. */
export function isLeaseLost(err: unknown): boolean {
  return err instanceof TRPCClientError && err.data?.code === 'CONFLICT';
}
