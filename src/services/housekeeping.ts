/** What the periodic jobs need of the services (the services satisfy it structurally). */
interface Chores {
  sessions: { purgeExpired(): Promise<void> };
  logins: { purge(): Promise<void> };
  queue: { expireLeases(): Promise<number> };
}

/** The periodic jobs every host runs: Node and Deno on timers, the edge on its Cron Trigger. */
export function housekeeping({ sessions, logins, queue }: Chores) {
  return {
    /** Leases that ran out go back to the queue even when no worker is asking for work. */
    sweepLeases: (): Promise<number> => queue.expireLeases(),
    /** Expired sessions and login failures past their window. */
    purge: async (): Promise<void> => {
      await Promise.all([sessions.purgeExpired(), logins.purge()]);
    },
  };
}
