import { DEFAULT_ARCHIVE_LIMITS, readSolverArchive } from '../../carp/archive.js';
import { CommitUnknown, inTransaction } from '../../db/tx.js';
import { fromBase64Strict } from '../../identity/encoding.js';
import { objectId } from '../../identity/ids.js';
import { JudgeType } from '../../identity/roles.js';
import type { Deps } from '../deps.js';
import { forbidden, invalid } from '../errors.js';
import type { User } from '../users.js';
import { requireJudgeUser } from './access.js';
import type { CasesService } from './cases.js';
import type { DatasetsService } from './datasets.js';
import { publishCaseEvent } from './events.js';

/** Checks a submitted archive completely before anything is stored, then queues the case. */
export function submitService(deps: Deps, datasets: DatasetsService, cases: CasesService) {
  const { db, blobs, now, config } = deps;
  return {
    async submit(actor: User | null, input: { dataset?: string; data?: string }): Promise<{ cid: string; remain: number }> {
      const u = requireJudgeUser(actor, JudgeType.USER);
      if (!input.dataset) throw invalid('No dataset!');
      if (!input.data) throw invalid('No data!');
      const dataset = await datasets.require(input.dataset);
      const limited = u.judgeType === JudgeType.USER;
      if (limited && (await cases.countLastDay(u.id)) >= config.JUDGE_DAILY_LIMIT) {
        throw forbidden('You have reached daily limits on submission!');
      }
      if (input.data.length > config.JUDGE_MAX_ARCHIVE_BASE64) throw invalid('Archive size exceeds 64KB!');
      const bytes = fromBase64Strict(input.data);
      if (!bytes) throw invalid('Invalid base64 data!');
      const archive = readSolverArchive(bytes, DEFAULT_ARCHIVE_LIMITS);
      if (!archive.ok) throw invalid(archive.message);

      // One blob per case, written before the row so a visible case always has its archive; a
      // submission refused under the lock (the quota, re-counted) deletes its own blob again, which
      // a key shared between cases (content addressing) would not allow safely. A commit whose
      // outcome is unknown (the database went away) keeps it: the case may be there.
      const cid = objectId(now());
      const key = `archives/${cid}.zip`;
      await blobs.put(key, bytes);
      let count: number;
      try {
        count = await inTransaction(db, async (tx) => {
          // Counted again under the write lock: two parallel submissions cannot both take the last slot.
          const n = await cases.countLastDay(u.id, tx);
          if (limited && n >= config.JUDGE_DAILY_LIMIT) throw forbidden('You have reached daily limits on submission!');
          await tx.execute({
            sql: 'INSERT INTO cases (id, user_id, dataset_id, archive_key, status, submit_time) VALUES (?, ?, ?, ?, 0, ?)',
            args: [cid, u.id, dataset.id, key, now()],
          });
          return n + 1;
        });
      } catch (err) {
        if (!(err instanceof CommitUnknown)) await blobs.delete(key).catch(() => undefined);
        throw err;
      }
      await publishCaseEvent(deps, { id: cid, status: 0, userId: u.id, datasetId: dataset.id });
      return { cid, remain: config.JUDGE_DAILY_LIMIT - count };
    },
  };
}

export type SubmitService = ReturnType<typeof submitService>;
