import { inTransaction } from '../../db/tx.js';
import type { Transaction } from '../../db/types.js';
import type { Deps } from '../deps.js';
import { forbidden, invalid, notFound } from '../errors.js';
import type { User } from '../users.js';
import { requireActor } from './common.js';
import { PROFILE_MISSING } from './profiles.js';

export interface FriendEntry {
  userId: string;
  displayName: string;
  /** True for a request the caller sent that is not accepted yet. */
  pending: boolean;
}

/** What SendFriendRequest did: a new request, or friends (the other side had asked already). */
export type SendResult = 'pending' | 'friends';
/** What RemoveFriend did: ended a friendship, withdrew the caller's request, or declined theirs. */
export type RemoveResult = 'removed' | 'cancelled' | 'declined';

const ALREADY_FRIENDS = 'Already friends';
const REQUEST_ALREADY_SENT = 'Friend request already sent';
const SELF_REQUEST = 'You cannot send a friend request to yourself';
const SELF_REMOVE = 'You cannot remove yourself from friends';
const NOT_A_FRIEND = 'Not a friend and no friend request';

/**
 * Friends as spec 003 describes them (no original code survives): a request to someone who
 * already asked you makes you friends. Each change runs in one write transaction, and a
 * friendship is one row keyed by the ordered pair, so two people asking each other at the
 * same moment become friends exactly once.
 */
export function friendsService({ db, now }: Deps) {
  const pair = (x: string, y: string) => (x < y ? [x, y] : [y, x]);

  async function mustExist(tx: Transaction, userId: string) {
    const r = (await tx.execute({ sql: 'SELECT 1 FROM users WHERE id = ?', args: [userId] })).rows[0];
    if (!r) throw notFound(PROFILE_MISSING);
  }

  return {
    /** The caller's friends plus the requests the caller sent that wait for an answer (`pending: true`). */
    async list(actor: User | null): Promise<FriendEntry[]> {
      const me = requireActor(actor).id;
      const rs = await db.execute({
        sql: `SELECT p.user_id, p.display_name, 0 AS pending, f.created_at AS t
                FROM social_friendships f
                JOIN social_profiles p ON p.user_id = CASE WHEN f.user_a = ?1 THEN f.user_b ELSE f.user_a END
               WHERE f.user_a = ?1 OR f.user_b = ?1
              UNION ALL
              SELECT p.user_id, p.display_name, 1 AS pending, r.created_at AS t
                FROM social_friend_requests r JOIN social_profiles p ON p.user_id = r.to_id
               WHERE r.from_id = ?1
              ORDER BY t, user_id`,
        args: [me],
      });
      return rs.rows.map((r) => ({
        userId: String(r.user_id),
        displayName: String(r.display_name),
        pending: Number(r.pending) === 1,
      }));
    },

    /** Ids of the users who asked the caller, oldest request first. */
    async requests(actor: User | null): Promise<string[]> {
      const me = requireActor(actor).id;
      const rs = await db.execute({
        sql: 'SELECT from_id FROM social_friend_requests WHERE to_id = ? ORDER BY created_at, from_id',
        args: [me],
      });
      return rs.rows.map((r) => String(r.from_id));
    },

    async send(actor: User | null, userId: string): Promise<SendResult> {
      const me = requireActor(actor).id;
      if (userId === me) throw invalid(SELF_REQUEST);
      return inTransaction(db, async (tx) => {
        await mustExist(tx, userId);
        const [a, b] = pair(me, userId);
        const friends = await tx.execute({ sql: 'SELECT 1 FROM social_friendships WHERE user_a = ? AND user_b = ?', args: [a!, b!] });
        if (friends.rows.length) throw forbidden(ALREADY_FRIENDS);
        const mine = await tx.execute({ sql: 'SELECT 1 FROM social_friend_requests WHERE from_id = ? AND to_id = ?', args: [me, userId] });
        if (mine.rows.length) throw forbidden(REQUEST_ALREADY_SENT);
        const theirs = await tx.execute({ sql: 'DELETE FROM social_friend_requests WHERE from_id = ? AND to_id = ?', args: [userId, me] });
        if (theirs.rowsAffected > 0) {
          await tx.execute({ sql: 'INSERT INTO social_friendships (user_a, user_b, created_at) VALUES (?, ?, ?)', args: [a!, b!, now()] });
          return 'friends';
        }
        await tx.execute({ sql: 'INSERT INTO social_friend_requests (from_id, to_id, created_at) VALUES (?, ?, ?)', args: [me, userId, now()] });
        return 'pending';
      });
    },

    async remove(actor: User | null, userId: string): Promise<RemoveResult> {
      const me = requireActor(actor).id;
      if (userId === me) throw invalid(SELF_REMOVE);
      return inTransaction(db, async (tx) => {
        await mustExist(tx, userId);
        const [a, b] = pair(me, userId);
        const ended = await tx.execute({ sql: 'DELETE FROM social_friendships WHERE user_a = ? AND user_b = ?', args: [a!, b!] });
        if (ended.rowsAffected > 0) return 'removed';
        const withdrawn = await tx.execute({ sql: 'DELETE FROM social_friend_requests WHERE from_id = ? AND to_id = ?', args: [me, userId] });
        if (withdrawn.rowsAffected > 0) return 'cancelled';
        const declined = await tx.execute({ sql: 'DELETE FROM social_friend_requests WHERE from_id = ? AND to_id = ?', args: [userId, me] });
        if (declined.rowsAffected > 0) return 'declined';
        throw forbidden(NOT_A_FRIEND);
      });
    },
  };
}
