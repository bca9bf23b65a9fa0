// Spec 003's attendance marking: the state behind /ws/mark_me and /ws/marking, and attendance.
//
// The database is the authority, so the rooms agree across gateway nodes: who waits at an event
// (marking_waiters), which marker socket holds whom, every marking (markings). Each change is a
// conditional write in one transaction (a hold takes a row only while nobody holds it; a marking
// deletes the row only while this socket holds it and inserts under a unique key), and appends a
// numbered entry to the room's log in the same transaction. The sockets' nodes deliver entries in
// that number order (what the bus did not bring is read back here), so every marker on every node
// sees the list change in the order the database decided it.

import { inTransaction } from '../db/tx.js';
import type { Executor, Transaction } from '../db/types.js';
import { JudgeType } from '../identity/roles.js';
import type { Deps } from './deps.js';
import { forbidden } from './errors.js';
import { requireActor } from './social/common.js';
import type { SocialServices } from './social/index.js';
import type { User } from './users.js';

/** Karma a marker earns for each marking (the original's "+50 к карме"). */
const MARKING_KARMA = 50;

export type MarkingEntryKind = 'joined' | 'left' | 'held' | 'released' | 'marked';

/** One change of a room, numbered in commit order (`seq` 1, 2, ... per event). */
export interface MarkingEntry {
  seq: number;
  kind: MarkingEntryKind;
  /** The waiting person. */
  userId: string;
  /** held / released: the marker socket; left: the socket that held them, if one did. */
  socketId: string | null;
  /** held / marked: the marker's user id. */
  byId: string | null;
}

/** One marking: who was marked at an event, by whom, when (epoch ms). */
export interface Attendance {
  eventId: string;
  userId: string;
  markerId: string | null;
  markedAt: number;
}

type Change = Omit<MarkingEntry, 'seq'>;

function rowToEntry(r: Record<string, unknown>): MarkingEntry {
  return {
    seq: Number(r.seq),
    kind: String(r.kind) as MarkingEntryKind,
    userId: String(r.user_id),
    socketId: r.socket_id === null ? null : String(r.socket_id),
    byId: r.by_id === null ? null : String(r.by_id),
  };
}

function rowToAttendance(r: Record<string, unknown>): Attendance {
  return {
    eventId: String(r.event_id),
    userId: String(r.user_id),
    markerId: r.marker_id === null ? null : String(r.marker_id),
    markedAt: Number(r.marked_at),
  };
}

export function markingService(deps: Deps, social: SocialServices) {
  const { db, now, config } = deps;
  const leaseMs = () => config.MARKING_LEASE_SECONDS * 1000;
  /** Log entries older than this are pruned (a socket never lags that far behind). */
  const keepLogMs = () => Math.max(10 * 60_000, 10 * leaseMs());

  /** Numbers and appends the changes (inside the change's transaction). */
  async function append(tx: Transaction, eventId: string, changes: Change[]): Promise<MarkingEntry[]> {
    const out: MarkingEntry[] = [];
    for (const c of changes) {
      const r = await tx.execute({
        sql: `INSERT INTO marking_rooms (event_id, seq) VALUES (?, 1)
              ON CONFLICT (event_id) DO UPDATE SET seq = seq + 1 RETURNING seq`,
        args: [eventId],
      });
      const seq = Number(r.rows[0]!.seq);
      await tx.execute({
        sql: 'INSERT INTO marking_log (event_id, seq, kind, user_id, socket_id, by_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        args: [eventId, seq, c.kind, c.userId, c.socketId, c.byId, now()],
      });
      out.push({ seq, ...c });
    }
    return out;
  }

  /** One change: `work` decides in the transaction; its changes are logged with it. */
  function change<T>(eventId: string, work: (tx: Transaction) => Promise<{ result: T; changes: Change[] }>) {
    return inTransaction(db, async (tx) => {
      const { result, changes } = await work(tx);
      return { result, entries: await append(tx, eventId, changes) };
    });
  }

  /** Rows whose lease ran out (their node died) leave; holds whose lease ran out are released. */
  async function expire(tx: Transaction, eventId: string): Promise<Change[]> {
    const t = now();
    const gone = await tx.execute({
      sql: 'DELETE FROM marking_waiters WHERE event_id = ? AND lease_until < ? RETURNING user_id, holder_socket',
      args: [eventId, t],
    });
    const released = await tx.execute({
      sql: `UPDATE marking_waiters SET holder_socket = NULL, holder_id = NULL, hold_until = NULL
            WHERE event_id = ? AND holder_socket IS NOT NULL AND hold_until < ? RETURNING user_id, socket_id`,
      args: [eventId, t],
    });
    return [
      ...gone.rows.map(
        (r): Change => ({ kind: 'left', userId: String(r.user_id), socketId: r.holder_socket === null ? null : String(r.holder_socket), byId: null }),
      ),
      // `socketId` of a release is the holder's; the sweep does not know it any more: none.
      ...released.rows.map((r): Change => ({ kind: 'released', userId: String(r.user_id), socketId: null, byId: null })),
    ];
  }

  /** Sweeps expired rows and holds, taking the write lock only when there are some. */
  async function sweep(eventId: string): Promise<MarkingEntry[]> {
    const t = now();
    const stale = await db.execute({
      sql: 'SELECT EXISTS (SELECT 1 FROM marking_waiters WHERE event_id = ? AND (lease_until < ? OR hold_until < ?)) AS stale',
      args: [eventId, t, t],
    });
    if (Number(stale.rows[0]!.stale) !== 1) return [];
    return (await change(eventId, async (tx) => ({ result: null, changes: await expire(tx, eventId) }))).entries;
  }

  async function mayRead(actor: User | null, rawEventId: string): Promise<string> {
    const user = requireActor(actor);
    const event = await social.events.get(rawEventId);
    if (event.creatorId !== user.id && user.judgeType > JudgeType.ADMIN)
      throw forbidden('Only the creator of the event or an admin can see its attendance');
    return event.id;
  }

  return {
    leaseMs,

    /** Whether the user waits at the event now (a live row), and whether they were marked there. */
    async status(eventId: string, userId: string, ex: Executor = db): Promise<{ waiting: boolean; marked: boolean }> {
      const r = (
        await ex.execute({
          sql: `SELECT EXISTS (SELECT 1 FROM marking_waiters WHERE event_id = ? AND user_id = ? AND lease_until >= ?) AS waiting,
                       EXISTS (SELECT 1 FROM markings WHERE event_id = ? AND user_id = ?) AS marked`,
          args: [eventId, userId, now(), eventId, userId],
        })
      ).rows[0]!;
      return { waiting: Number(r.waiting) === 1, marked: Number(r.marked) === 1 };
    },

    /**
     * A mark_me socket joins the list: `asked` when the person waits already (another socket,
     * any node) or was marked at this event; `gone` when the event is no more. Expired rows
     * are swept first.
     */
    async join(eventId: string, userId: string, socketId: string) {
      return change(eventId, async (tx) => {
        const changes = await expire(tx, eventId);
        const t = now();
        const rs = await tx.execute({
          sql: `INSERT INTO marking_waiters (event_id, user_id, socket_id, since, lease_until)
                SELECT id, ?, ?, ?, ? FROM social_events
                WHERE id = ? AND NOT EXISTS (SELECT 1 FROM markings WHERE event_id = ? AND user_id = ?)
                ON CONFLICT DO NOTHING`,
          args: [userId, socketId, t, t + leaseMs(), eventId, eventId, userId],
        });
        if (rs.rowsAffected === 1) {
          changes.push({ kind: 'joined', userId, socketId: null, byId: null });
          return { result: 'joined' as const, changes };
        }
        const event = await tx.execute({ sql: 'SELECT 1 FROM social_events WHERE id = ?', args: [eventId] });
        return { result: event.rows.length > 0 ? ('asked' as const) : ('gone' as const), changes };
      });
    },

    /** Sweeps what expired (rows and holds of a killed node) now: the entries it logged. */
    async sweep(eventId: string): Promise<MarkingEntry[]> {
      return sweep(eventId);
    },

    /** The list a marker sees (in joining order) and the room's change number it reflects. */
    async snapshot(eventId: string): Promise<{ list: string[]; seq: number }> {
      const [list, head] = await db.batch(
        [
          {
            sql: `SELECT user_id FROM marking_waiters WHERE event_id = ? AND holder_socket IS NULL AND lease_until >= ?
                  ORDER BY since, rowid`,
            args: [eventId, now()],
          },
          { sql: 'SELECT seq FROM marking_rooms WHERE event_id = ?', args: [eventId] },
        ],
        'read',
      );
      return { list: list!.rows.map((r) => String(r.user_id)), seq: Number(head!.rows[0]?.seq ?? 0) };
    },

    /** prepare_to_mark: the marker socket takes the person if they are on the list (first wins). */
    async hold(eventId: string, userId: string, markerId: string, socketId: string) {
      return change(eventId, async (tx) => {
        const t = now();
        const rs = await tx.execute({
          sql: `UPDATE marking_waiters SET holder_socket = ?, holder_id = ?, hold_until = ?
                WHERE event_id = ? AND user_id = ? AND holder_socket IS NULL AND lease_until >= ?`,
          args: [socketId, markerId, t + leaseMs(), eventId, userId, t],
        });
        const ok = rs.rowsAffected === 1;
        return { result: ok, changes: ok ? [{ kind: 'held', userId, socketId, byId: markerId }] : [] };
      });
    },

    /** refuse_to_mark, or the marker socket closed: whoever it holds goes back on the list. */
    async release(eventId: string, socketId: string) {
      return change(eventId, async (tx) => {
        const rs = await tx.execute({
          sql: `UPDATE marking_waiters SET holder_socket = NULL, holder_id = NULL, hold_until = NULL
                WHERE event_id = ? AND holder_socket = ? RETURNING user_id`,
          args: [eventId, socketId],
        });
        const users = rs.rows.map((r) => String(r.user_id));
        return { result: users, changes: users.map((userId): Change => ({ kind: 'released', userId, socketId, byId: null })) };
      });
    },

    /**
     * confirm_marking: the person this socket holds is marked, exactly once: the row goes only if
     * this socket still holds it, the marking is unique per (event, person), and the marker's karma
     * grows in the same transaction. False when the socket holds nobody (any more).
     */
    async mark(eventId: string, userId: string, markerId: string, socketId: string) {
      return change(eventId, async (tx) => {
        const gone = await tx.execute({
          sql: 'DELETE FROM marking_waiters WHERE event_id = ? AND user_id = ? AND holder_socket = ?',
          args: [eventId, userId, socketId],
        });
        if (gone.rowsAffected !== 1) return { result: false, changes: [] };
        const ins = await tx.execute({
          sql: 'INSERT INTO markings (event_id, user_id, marker_id, marked_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
          args: [eventId, userId, markerId, now()],
        });
        if (ins.rowsAffected !== 1) return { result: false, changes: [{ kind: 'left', userId, socketId, byId: null }] };
        await social.profiles.addKarma(markerId, MARKING_KARMA, tx);
        return { result: true, changes: [{ kind: 'marked', userId, socketId, byId: markerId }] };
      });
    },

    /** The mark_me socket closed: the person leaves the list (and whoever held them loses them). */
    async leave(eventId: string, socketId: string) {
      return change(eventId, async (tx) => {
        const rs = await tx.execute({
          sql: 'DELETE FROM marking_waiters WHERE event_id = ? AND socket_id = ? RETURNING user_id, holder_socket',
          args: [eventId, socketId],
        });
        return {
          result: rs.rows.length > 0,
          changes: rs.rows.map(
            (r): Change => ({
              kind: 'left',
              userId: String(r.user_id),
              socketId: r.holder_socket === null ? null : String(r.holder_socket),
              byId: null,
            }),
          ),
        };
      });
    },

    /**
     * A node's tick for a room: renews the leases of its open sockets (their rows and their
     * holds), then sweeps what expired (a killed node's) and prunes old log entries. Returns the
     * sweep's entries and the mark_me sockets whose rows are gone although open (this node was
     * cut off for longer than a lease).
     */
    async tick(eventId: string, waiterSockets: string[], markerSockets: string[]) {
      const t = now();
      const until = t + leaseMs();
      const lost: string[] = [];
      for (let i = 0; i < waiterSockets.length; i += 200) {
        const part = waiterSockets.slice(i, i + 200);
        const rs = await db.execute({
          sql: `UPDATE marking_waiters SET lease_until = ? WHERE event_id = ? AND socket_id IN (${part.map(() => '?').join(', ')}) RETURNING socket_id`,
          args: [until, eventId, ...part],
        });
        const renewed = new Set(rs.rows.map((r) => String(r.socket_id)));
        for (const s of part) if (!renewed.has(s)) lost.push(s);
      }
      for (let i = 0; i < markerSockets.length; i += 200) {
        const part = markerSockets.slice(i, i + 200);
        await db.execute({
          sql: `UPDATE marking_waiters SET hold_until = ? WHERE event_id = ? AND holder_socket IN (${part.map(() => '?').join(', ')})`,
          args: [until, eventId, ...part],
        });
      }
      const entries = await sweep(eventId);
      await db.execute({ sql: 'DELETE FROM marking_log WHERE event_id = ? AND at < ?', args: [eventId, t - keepLogMs()] });
      return { entries, lost };
    },

    /** The room's entries after `seq`, in order (what a node's sockets missed). */
    async since(eventId: string, seq: number): Promise<MarkingEntry[]> {
      const rs = await db.execute({
        sql: 'SELECT seq, kind, user_id, socket_id, by_id FROM marking_log WHERE event_id = ? AND seq > ? ORDER BY seq',
        args: [eventId, seq],
      });
      return rs.rows.map(rowToEntry);
    },

    /** The room's last change number. */
    async head(eventId: string): Promise<number> {
      const r = (await db.execute({ sql: 'SELECT seq FROM marking_rooms WHERE event_id = ?', args: [eventId] })).rows[0];
      return Number(r?.seq ?? 0);
    },

    /** Who was marked at an event, by whom, when: for its creator, ROOT and ADMIN. */
    async attendance(actor: User | null, rawEventId: string): Promise<Attendance[]> {
      const eventId = await mayRead(actor, rawEventId);
      const rs = await db.execute({
        sql: 'SELECT event_id, user_id, marker_id, marked_at FROM markings WHERE event_id = ? ORDER BY marked_at, rowid',
        args: [eventId],
      });
      return rs.rows.map(rowToAttendance);
    },

    /** The caller's own attendance: every event they were marked at, newest first. */
    async mine(actor: User | null): Promise<Attendance[]> {
      const user = requireActor(actor);
      const rs = await db.execute({
        sql: 'SELECT event_id, user_id, marker_id, marked_at FROM markings WHERE user_id = ? ORDER BY marked_at DESC, rowid DESC',
        args: [user.id],
      });
      return rs.rows.map(rowToAttendance);
    },

    /** Whether the user may watch the room's events: the event's creator, ROOT or ADMIN. */
    async mayWatch(user: User, rawEventId: string): Promise<boolean> {
      const event = await social.events.get(rawEventId).catch(() => null);
      return !!event && (event.creatorId === user.id || user.judgeType <= JudgeType.ADMIN);
    },
  };
}

export type MarkingService = ReturnType<typeof markingService>;
