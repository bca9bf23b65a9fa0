import { sha256Hex } from '../identity/encoding.js';
import { sessionId } from '../identity/ids.js';
import type { Deps } from './deps.js';
import type { User } from './users.js';

/** Which legacy client a session was made for; any kind is accepted by GraphQL and tRPC. */
export type SessionKind = 'judge' | 'quiz' | 'social' | 'contest' | 'api';

/**
 * Server-side sessions: random 128-bit ids handed to the client, only their SHA-256 stored,
 * so a copy of the database does not hand out live sessions.
 */
export function sessionsService({ db, now, config }: Deps) {
  const ttlMs = config.SESSION_TTL_HOURS * 3600_000;
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
      const r = (
        await db.execute({
          sql: `SELECT u.id, u.username, u.judge_type FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.id_hash = ? AND s.expires_at > ?`,
          args: [await sha256Hex(id), now()],
        })
      ).rows[0];
      return r ? { id: String(r.id), username: String(r.username), judgeType: Number(r.judge_type) as User['judgeType'] } : null;
    },

    async revoke(id: string): Promise<void> {
      await db.execute({ sql: 'DELETE FROM sessions WHERE id_hash = ?', args: [await sha256Hex(id)] });
    },

    async purgeExpired(): Promise<void> {
      await db.execute({ sql: 'DELETE FROM sessions WHERE expires_at <= ?', args: [now()] });
    },
  };
}

export type SessionsService = ReturnType<typeof sessionsService>;
