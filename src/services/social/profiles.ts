import { CommitUnknown, inTransaction } from '../../db/tx.js';
import type { Executor } from '../../db/types.js';
import { randomBytes, toHex } from '../../identity/encoding.js';
import type { Deps } from '../deps.js';
import { ServiceError, invalid, notFound } from '../errors.js';
import type { User } from '../users.js';
import { MissingArgument, charLength, fold, requireActor, requireAdmin } from './common.js';
import { contentTypeOfExt, sniffImage, type ImageType } from './images.js';

export interface Profile {
  userId: string;
  displayName: string;
  /** URL path of the picture, served by the gateway (`/media/avatars/...`); null when none. */
  pic: string | null;
  confirmed: boolean;
  bio: string;
  karma: number;
}

export interface ProfileSummary {
  userId: string;
  displayName: string;
}

export interface PendingConfirmation extends ProfileSummary {
  contentType: string;
  uploadedAt: number;
}

export const PROFILE_MISSING = 'User profile does not exist';
const NAME_PART_TOO_SHORT = 'Name part is too short';
const INFO_REQUIRED = 'Bio or name are required';
export const IMAGE_TOO_LARGE = 'Image is too large';
const IMAGE_UNSUPPORTED = 'Image must be PNG, JPEG, WebP or GIF';

const DISPLAY_NAME_MAX = 150; // Django's username length: the original stored display names there
const BIO_MAX = 1000;
const MEDIA_PREFIX = '/media/';
const AVATAR_FILE = /^[0-9a-f]{32}\.(png|jpg|webp|gif)$/;

const PROFILE_COLUMNS = 'user_id, display_name, pic_key, confirmed, bio, karma';

function rowToProfile(r: Record<string, unknown>): Profile {
  return {
    userId: String(r.user_id),
    displayName: String(r.display_name),
    pic: r.pic_key === null ? null : MEDIA_PREFIX + String(r.pic_key),
    confirmed: Number(r.confirmed) === 1,
    bio: String(r.bio),
    karma: Number(r.karma),
  };
}

export function profilesService(deps: Deps) {
  const { db, blobs, now, config } = deps;

  async function row(userId: string, ex: Executor = db): Promise<Profile | null> {
    const r = (await ex.execute({ sql: `SELECT ${PROFILE_COLUMNS} FROM social_profiles WHERE user_id = ?`, args: [userId] })).rows[0];
    return r ? rowToProfile(r) : null;
  }

  /** Rows made by the users trigger carry only SQLite's ASCII fold; fold them properly first. */
  async function refoldStale(): Promise<void> {
    for (;;) {
      const rs = await db.execute('SELECT user_id, display_name FROM social_profiles WHERE fold_stale = 1 LIMIT 500');
      if (rs.rows.length === 0) return;
      await db.batch(
        rs.rows.map((r) => ({
          // Guarded by the name read: a rename in between already wrote its own fold.
          sql: 'UPDATE social_profiles SET display_name_fold = ?, fold_stale = 0 WHERE user_id = ? AND display_name = ?',
          args: [fold(String(r.display_name)), String(r.user_id), String(r.display_name)],
        })),
        'write',
      );
      if (rs.rows.length < 500) return;
    }
  }

  /** Size cap, then content: the file name a client sends is never trusted. */
  function checkImage(bytes: Uint8Array): ImageType {
    if (bytes.length > config.UPLOAD_LIMIT_BYTES) throw new ServiceError('too_large', IMAGE_TOO_LARGE);
    const type = sniffImage(bytes);
    if (!type) throw invalid(IMAGE_UNSUPPORTED);
    return type;
  }

  /**
   * Stores the new blob, points the profile at it (with `set`, extra columns), then drops the
   * blob it replaced; a failed update removes the new blob, so no orphan is left either way (but
   * one whose commit has an unknown outcome: the profile may point at it).
   */
  async function replaceBlob(
    userId: string,
    column: 'pic_key' | 'confirmation_key',
    key: string,
    bytes: Uint8Array,
    set: { sql: string; args: (string | number)[] },
  ): Promise<void> {
    await blobs.put(key, bytes);
    let old: string | null;
    try {
      old = await inTransaction(db, async (tx) => {
        const r = (await tx.execute({ sql: `SELECT ${column} AS k FROM social_profiles WHERE user_id = ?`, args: [userId] })).rows[0];
        if (!r) throw notFound(PROFILE_MISSING);
        await tx.execute({
          sql: `UPDATE social_profiles SET ${column} = ?, updated_at = ?${set.sql} WHERE user_id = ?`,
          args: [key, now(), ...set.args, userId],
        });
        return r.k === null ? null : String(r.k);
      });
    } catch (err) {
      if (!(err instanceof CommitUnknown)) await blobs.delete(key).catch(() => undefined);
      throw err;
    }
    if (old) await blobs.delete(old).catch(() => undefined);
  }

  const newKey = (dir: string, type: ImageType) => `${dir}/${toHex(randomBytes(16))}.${type.ext}`;

  return {
    /** Any user's profile, for a signed-in caller (GetProfile). */
    async get(actor: User | null, userId: string): Promise<Profile> {
      requireActor(actor);
      const p = await row(userId);
      if (!p) throw notFound(PROFILE_MISSING);
      return p;
    },

    /** A profile without an access check, for other services. */
    byId: (userId: string, ex?: Executor) => row(userId, ex),

    /** FindByName: a case-insensitive substring (Unicode) of at least 4 characters; everyone when absent. */
    async find(namePart?: string | null): Promise<ProfileSummary[]> {
      let rs;
      if (namePart === undefined || namePart === null) {
        rs = await db.execute('SELECT user_id, display_name FROM social_profiles ORDER BY rowid');
      } else {
        if (charLength(namePart) < 4) throw invalid(NAME_PART_TOO_SHORT);
        await refoldStale();
        rs = await db.execute({
          sql: 'SELECT user_id, display_name FROM social_profiles WHERE instr(display_name_fold, ?) > 0 ORDER BY rowid',
          args: [fold(namePart)],
        });
      }
      return rs.rows.map((r) => ({ userId: String(r.user_id), displayName: String(r.display_name) }));
    },

    /** UpdateProfileInfo: at least one of the two. */
    async updateInfo(actor: User | null, input: { displayName?: string | null; bio?: string | null }): Promise<Profile> {
      const user = requireActor(actor);
      const { displayName, bio } = input;
      if ((displayName === undefined || displayName === null) && (bio === undefined || bio === null)) {
        throw new MissingArgument(INFO_REQUIRED);
      }
      const sets: string[] = [];
      const args: (string | number)[] = [];
      if (displayName !== undefined && displayName !== null) {
        if (displayName.trim() === '') throw invalid('Display name is empty');
        if (charLength(displayName) > DISPLAY_NAME_MAX) throw invalid('Display name is too long');
        sets.push('display_name = ?', 'display_name_fold = ?', 'fold_stale = 0');
        args.push(displayName, fold(displayName));
      }
      if (bio !== undefined && bio !== null) {
        if (charLength(bio) > BIO_MAX) throw invalid('Bio is too long');
        sets.push('bio = ?');
        args.push(bio);
      }
      await db.execute({
        sql: `UPDATE social_profiles SET ${sets.join(', ')}, updated_at = ? WHERE user_id = ?`,
        args: [...args, now(), user.id],
      });
      const p = await row(user.id);
      if (!p) throw notFound(PROFILE_MISSING);
      return p;
    },

    /** UpdateProfilePicture: a PNG, JPEG, WebP or GIF by content, at most UPLOAD_LIMIT_BYTES. */
    async setPicture(actor: User | null, bytes: Uint8Array): Promise<Profile> {
      const user = requireActor(actor);
      const type = checkImage(bytes);
      await replaceBlob(user.id, 'pic_key', newKey('avatars', type), bytes, { sql: '', args: [] });
      return (await row(user.id))!;
    },

    /** UploadProfileConfirmation: replaces an earlier scan and clears `confirmed` (spec 003). */
    async setConfirmation(actor: User | null, bytes: Uint8Array): Promise<Profile> {
      const user = requireActor(actor);
      const type = checkImage(bytes);
      await replaceBlob(user.id, 'confirmation_key', newKey('confirmations', type), bytes, {
        sql: ', confirmation_type = ?, confirmation_at = ?, confirmed = 0',
        args: [type.contentType, now()],
      });
      return (await row(user.id))!;
    },

    /** An admin (ROOT or ADMIN) confirms a profile after looking at its scan, or takes it back. */
    async confirm(actor: User | null, userId: string, confirmed: boolean): Promise<Profile> {
      requireAdmin(actor);
      const r = (await db.execute({ sql: 'SELECT confirmation_key FROM social_profiles WHERE user_id = ?', args: [userId] })).rows[0];
      if (!r) throw notFound(PROFILE_MISSING);
      if (confirmed && r.confirmation_key === null) throw invalid('No confirmation scan uploaded');
      await db.execute({
        sql: 'UPDATE social_profiles SET confirmed = ?, updated_at = ? WHERE user_id = ?',
        args: [confirmed ? 1 : 0, now(), userId],
      });
      return (await row(userId))!;
    },

    /** Scans waiting for an admin, oldest first. */
    async pendingConfirmations(actor: User | null): Promise<PendingConfirmation[]> {
      requireAdmin(actor);
      const rs = await db.execute(
        `SELECT user_id, display_name, confirmation_type, confirmation_at FROM social_profiles
         WHERE confirmation_key IS NOT NULL AND confirmed = 0 ORDER BY confirmation_at, user_id`,
      );
      return rs.rows.map((r) => ({
        userId: String(r.user_id),
        displayName: String(r.display_name),
        contentType: String(r.confirmation_type),
        uploadedAt: Number(r.confirmation_at),
      }));
    },

    /** The scan itself: for admins, and for its owner. */
    async confirmationScan(actor: User | null, userId: string): Promise<{ contentType: string; data: Uint8Array; uploadedAt: number }> {
      const user = requireActor(actor);
      if (user.id !== userId) requireAdmin(actor);
      const r = (
        await db.execute({
          sql: 'SELECT confirmation_key, confirmation_type, confirmation_at FROM social_profiles WHERE user_id = ?',
          args: [userId],
        })
      ).rows[0];
      if (!r) throw notFound(PROFILE_MISSING);
      const data = r.confirmation_key === null ? null : await blobs.get(String(r.confirmation_key));
      if (!data) throw notFound('No confirmation scan uploaded');
      return { contentType: String(r.confirmation_type), data, uploadedAt: Number(r.confirmation_at) };
    },

    /** Karma changes come from marking (+50 to the marker, in the original). */
    async addKarma(userId: string, delta: number, ex: Executor = db): Promise<void> {
      await ex.execute({ sql: 'UPDATE social_profiles SET karma = karma + ? WHERE user_id = ?', args: [delta, userId] });
    },

    /** A picture by the file part of its URL path; null for anything that is not one. */
    async picture(file: string): Promise<{ data: Uint8Array; contentType: string } | null> {
      const m = AVATAR_FILE.exec(file);
      if (!m) return null;
      const data = await blobs.get(`avatars/${file}`);
      return data ? { data, contentType: contentTypeOfExt(m[1]!)! } : null;
    },
  };
}
