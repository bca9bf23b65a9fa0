import { sha256Hex } from '../identity/encoding.js';
import { sessionId } from '../identity/ids.js';
import { expiringCache } from './cache.js';
import type { Deps } from './deps.js';
import type { User } from './users.js';

/** Which legacy client a session was made for; any kind is accepted by GraphQL and tRPC. */
export type SessionKind = 'judge' | 'quiz' | 'social' | 'contest' | 'api';

const REVOKED_TOPIC = 'sessions.revoked';
const CACHE_MS = 30_000;

/**
 * Server-side sessions: random 128-bit ids handed to the client, only their SHA-256 stored,
 * so a copy of the database does not hand out live sessions. Resolved sessions are cached
 * briefly; a revocation reaches every node's cache through the bus.
 */
export function sessionsService({ db, now, config, bus }: Deps) {
  const ttlMs = config.SESSION_TTL_HOURS * 3600_000;
  const cache = expiringCache<string, { user: User; hash: string }>(CACHE_MS, 10_000, now);
  bus.subscribe(REVOKED_TOPIC, (m) => {
    const hash = (m as { hash?: string }).hash;
    cache.deleteWhere((e) => e.hash === hash);
  });

  return {
    async create(userId: string, kind: SessionKind, ttl = ttlMs): Promise<{ id: string; expiresAt: number }> {
      const id = sessionId();
      const expiresAt = now() + ttl;
      await db.execute({
        sql: 'INSERT INTO sessions (id_hash, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
        args: [await sha256Hex(id), userId, kind, now(), expiresAt],
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
          sql: `SELECT u.id, u.username, u.judge_type, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.id_hash = ? AND s.expires_at > ?`,
          args: [hash, now()],
        })
      ).rows[0];
      if (!r) return null;
      const user: User = { id: String(r.id), username: String(r.username), judgeType: Number(r.judge_type) as User['judgeType'] };
      cache.set(id, { user, hash }, Number(r.expires_at));
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
