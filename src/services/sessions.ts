import { sha256Hex } from '../identity/encoding.js';
import { sessionId } from '../identity/ids.js';
import { busDroppedCache } from './cache.js';
import type { Deps } from './deps.js';
import type { User } from './users.js';

/** Which legacy client a session was made for; any kind is accepted by GraphQL and tRPC. */
export type SessionKind = 'judge' | 'quiz' | 'social' | 'contest' | 'api';

const REVOKED_TOPIC = 'sessions.revoked';
const CACHE_MS = 30_000;
const SLIDE_STEP_MS = 60_000;

/**
 * Server-side sessions: random 128-bit ids handed to the client, only their SHA-256 stored,
 * so a copy of the database does not hand out live sessions. Resolved sessions are cached
 * briefly; a revocation reaches every node's cache through the bus.
 */
export function sessionsService({ db, now, config, bus }: Deps) {
  const ttlMs = config.SESSION_TTL_HOURS * 3600_000;
  const cache = busDroppedCache<string, { user: User; hash: string }>(bus, CACHE_MS, 10_000, now);
  bus.subscribe(REVOKED_TOPIC, (m) => {
    const hash = (m as { hash?: string }).hash;
    cache.deleteWhere((e) => e.hash === hash);
  });

  return {
    /** `sliding`: every use pushes the expiry to `ttl` from then (contest sessions, 3 h idle). */
    async create(userId: string, kind: SessionKind, ttl = ttlMs, options: { sliding?: boolean } = {}): Promise<{ id: string; expiresAt: number }> {
      const id = sessionId();
      const expiresAt = now() + ttl;
      await db.execute({
        sql: 'INSERT INTO sessions (id_hash, user_id, kind, created_at, expires_at, idle_ms) VALUES (?, ?, ?, ?, ?, ?)',
        args: [await sha256Hex(id), userId, kind, now(), expiresAt, options.sliding ? ttl : null],
      });
      return { id, expiresAt };
    },

    /** The session's user, or null when the id is unknown, revoked or expired. */
    async resolve(id: string | undefined): Promise<User | null> {
      if (!id || !/^[0-9a-f]{32}$/.test(id)) return null;
      const hit = cache.get(id);
      if (hit) return hit.user;
      const hash = await sha256Hex(id);
      const r = (
        await db.execute({
          sql: `SELECT u.id, u.username, u.judge_type, s.expires_at, s.idle_ms FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.id_hash = ? AND s.expires_at > ?`,
          args: [hash, now()],
        })
      ).rows[0];
      if (!r) return null;
      const user: User = { id: String(r.id), username: String(r.username), judgeType: Number(r.judge_type) as User['judgeType'] };
      let expiresAt = Number(r.expires_at);
      // A sliding session is used now: its expiry moves (written at most once a minute per session).
      if (r.idle_ms !== null && expiresAt < now() + Number(r.idle_ms) - SLIDE_STEP_MS) {
        expiresAt = now() + Number(r.idle_ms);
        await db.execute({ sql: 'UPDATE sessions SET expires_at = ? WHERE id_hash = ?', args: [expiresAt, hash] });
      }
      cache.set(id, { user, hash }, expiresAt);
      return user;
    },

    async revoke(id: string): Promise<void> {
      const hash = await sha256Hex(id);
      await db.execute({ sql: 'DELETE FROM sessions WHERE id_hash = ?', args: [hash] });
      cache.delete(id);
      await bus.publish(REVOKED_TOPIC, { hash });
    },

    async purgeExpired(): Promise<void> {
      await db.execute({ sql: 'DELETE FROM sessions WHERE expires_at <= ?', args: [now()] });
    },
  };
}

export type SessionsService = ReturnType<typeof sessionsService>;
