import { inTransaction, isUniqueViolation } from '../../db/tx.js';
import type { Deps } from '../deps.js';
import { conflict, forbidden, invalid, notFound } from '../errors.js';
import type { User } from '../users.js';
import { charLength, fold, requireActor } from './common.js';

/** An event: `timeFrom` is the START and `timeTo` the END, UNIX seconds (the original code's meaning). */
export interface SocialEvent {
  id: string;
  name: string;
  timeFrom: number;
  timeTo: number;
  creatorId: string;
}

export interface JoinedEvent extends SocialEvent {
  /** True when the caller created it. */
  creator: boolean;
}

// The original's messages (events/views.py), verbatim.
const EVENT_MISSING = 'Event does not exist';
const FROM_AFTER_TO = 'time_from comes after time_to';
const FROM_PASSED = 'time_from has passed';
const CREATE_FAILED = 'Could not create new event';
const NAME_TOO_SHORT = 'Name is too short';
const ALREADY_BEGAN = 'Event already began';
const ALREADY_OVER = 'Event already over';
const ALREADY_JOINED = 'Already joined the event';
const NOT_IN_EVENT = 'You are not in the event';
const ONLY_CREATOR = 'Only the creator can delete the event';
const ALREADY_STARTED = 'Event has already started';

const NAME_MAX = 255;
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z, the last second Python's datetime holds
const UUID = /^[0-9a-f]{32}$/;
const EVENT_COLUMNS = 'id, name, time_from, time_to, creator_id';

function rowToEvent(r: Record<string, unknown>): SocialEvent {
  return {
    id: String(r.id),
    name: String(r.name),
    timeFrom: Number(r.time_from),
    timeTo: Number(r.time_to),
    creatorId: String(r.creator_id),
  };
}

/**
 * A UUID in any spelling Django's UUIDField took (upper case, no hyphens, braces, urn:uuid:),
 * as the stored lower-case hyphenated form; null when it is not one (-> "Event does not exist").
 */
export function eventUuid(raw: string): string | null {
  const hex = raw
    .trim()
    .toLowerCase()
    .replace(/^urn:uuid:/, '')
    .replace(/^\{(.*)\}$/, '$1')
    .replace(/-/g, '');
  if (!UUID.test(hex)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UNIX time in whole seconds, from a number or its decimal text; `name` is the parameter's. */
export function unixSeconds(name: string, raw: string | number): number {
  const n = typeof raw === 'number' ? raw : /^\s*-?\d{1,15}\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_SECONDS) throw invalid(`${name} must be a UNIX timestamp in seconds`);
  return n;
}

export function eventsService({ db, now }: Deps) {
  async function find(rawId: string): Promise<SocialEvent | null> {
    const id = eventUuid(rawId);
    if (!id) return null;
    const r = (await db.execute({ sql: `SELECT ${EVENT_COLUMNS} FROM social_events WHERE id = ?`, args: [id] })).rows[0];
    return r ? rowToEvent(r) : null;
  }

  async function mustFind(rawId: string): Promise<SocialEvent> {
    const ev = await find(rawId);
    if (!ev) throw notFound(EVENT_MISSING);
    return ev;
  }

  // The original compared with datetime.utcnow(): strictly earlier than now has begun/passed.
  const past = (seconds: number) => seconds * 1000 < now();

  return {
    /** CreateEvent: the creator is the first participant. Returns the new event's UUID. */
    async create(actor: User | null, input: { name: string; timeFrom: number | string; timeTo: number | string }): Promise<SocialEvent> {
      const user = requireActor(actor);
      const timeFrom = unixSeconds('time_from', input.timeFrom);
      const timeTo = unixSeconds('time_to', input.timeTo);
      if (timeFrom > timeTo) throw invalid(FROM_AFTER_TO);
      if (past(timeFrom)) throw invalid(FROM_PASSED);
      const name = input.name;
      if (name.trim() === '') throw invalid('Name is empty');
      if (charLength(name) > NAME_MAX) throw invalid('Name is too long');
      const event: SocialEvent = { id: crypto.randomUUID(), name, timeFrom, timeTo, creatorId: user.id };
      try {
        await inTransaction(db, async (tx) => {
          const t = now();
          await tx.execute({
            sql: 'INSERT INTO social_events (id, name, name_fold, creator_id, time_from, time_to, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
            args: [event.id, name, fold(name), user.id, timeFrom, timeTo, t],
          });
          await tx.execute({
            sql: 'INSERT INTO social_event_participants (event_id, user_id, joined_at) VALUES (?, ?, ?)',
            args: [event.id, user.id, t],
          });
        });
      } catch (err) {
        // The original answered its IntegrityError (a taken name) with -1 and this message.
        if (isUniqueViolation(err)) throw conflict(CREATE_FAILED);
        throw err;
      }
      return event;
    },

    /** GetEventByID (no sign-in needed, as GetEvents). */
    get: mustFind,

    /** GetEvents: a case-insensitive substring (Unicode) of at least 3 characters; all events when absent. */
    async search(name?: string | null): Promise<SocialEvent[]> {
      if (name === undefined || name === null) {
        const rs = await db.execute(`SELECT ${EVENT_COLUMNS} FROM social_events ORDER BY created_at, rowid`);
        return rs.rows.map(rowToEvent);
      }
      if (charLength(name) < 3) throw invalid(NAME_TOO_SHORT);
      const rs = await db.execute({
        sql: `SELECT ${EVENT_COLUMNS} FROM social_events WHERE instr(name_fold, ?) > 0 ORDER BY created_at, rowid`,
        args: [fold(name)],
      });
      return rs.rows.map(rowToEvent);
    },

    /** JoinEvent, with the original's refusals in its order. */
    async join(actor: User | null, rawId: string): Promise<void> {
      const user = requireActor(actor);
      const ev = await mustFind(rawId);
      if (past(ev.timeFrom)) throw forbidden(ALREADY_BEGAN);
      if (past(ev.timeTo)) throw forbidden(ALREADY_OVER);
      // One statement: a second join (or a racing one) inserts nothing; a deleted event neither.
      const rs = await db.execute({
        sql: `INSERT INTO social_event_participants (event_id, user_id, joined_at)
              SELECT id, ?, ? FROM social_events WHERE id = ? ON CONFLICT DO NOTHING`,
        args: [user.id, now(), ev.id],
      });
      if (rs.rowsAffected === 0) {
        if (!(await find(ev.id))) throw notFound(EVENT_MISSING);
        throw forbidden(ALREADY_JOINED);
      }
    },

    async leave(actor: User | null, rawId: string): Promise<void> {
      const user = requireActor(actor);
      const ev = await mustFind(rawId);
      if (past(ev.timeTo)) throw forbidden(ALREADY_OVER);
      const rs = await db.execute({
        sql: 'DELETE FROM social_event_participants WHERE event_id = ? AND user_id = ?',
        args: [ev.id, user.id],
      });
      if (rs.rowsAffected === 0) throw forbidden(NOT_IN_EVENT);
    },

    /** DeleteEvent: its creator only, before it starts; its participants go with it. */
    async delete(actor: User | null, rawId: string): Promise<void> {
      const user = requireActor(actor);
      const ev = await mustFind(rawId);
      if (ev.creatorId !== user.id) throw forbidden(ONLY_CREATOR);
      if (past(ev.timeFrom)) throw forbidden(ALREADY_STARTED);
      await inTransaction(db, async (tx) => {
        await tx.execute({ sql: 'DELETE FROM social_event_participants WHERE event_id = ?', args: [ev.id] });
        await tx.execute({ sql: 'DELETE FROM social_events WHERE id = ?', args: [ev.id] });
      });
    },

    async created(actor: User | null): Promise<SocialEvent[]> {
      const user = requireActor(actor);
      const rs = await db.execute({
        sql: `SELECT ${EVENT_COLUMNS} FROM social_events WHERE creator_id = ? ORDER BY created_at, rowid`,
        args: [user.id],
      });
      return rs.rows.map(rowToEvent);
    },

    async joined(actor: User | null): Promise<JoinedEvent[]> {
      const user = requireActor(actor);
      const rs = await db.execute({
        sql: `SELECT e.id, e.name, e.time_from, e.time_to, e.creator_id FROM social_event_participants p
              JOIN social_events e ON e.id = p.event_id WHERE p.user_id = ? ORDER BY e.created_at, e.rowid`,
        args: [user.id],
      });
      return rs.rows.map((r) => {
        const ev = rowToEvent(r);
        return { ...ev, creator: ev.creatorId === user.id };
      });
    },

    /** Whether a user takes part in an event (for the marking rooms). */
    async isParticipant(eventId: string, userId: string): Promise<boolean> {
      const id = eventUuid(eventId);
      if (!id) return false;
      const rs = await db.execute({
        sql: 'SELECT 1 FROM social_event_participants WHERE event_id = ? AND user_id = ?',
        args: [id, userId],
      });
      return rs.rows.length > 0;
    },
  };
}
