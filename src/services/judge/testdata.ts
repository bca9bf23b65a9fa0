import { JudgeType } from '../../identity/roles.js';
import { ServiceError } from '../errors.js';
import type { User, UsersService } from '../users.js';
import { requireJudgeUser } from './access.js';
import type { DatasetsService } from './datasets.js';
import { generateInstance } from './generator.js';

interface TestDataset {
  name: string;
  data: string;
}

/** Where extra instances come from (a directory on Node); none at the edge. */
export type TestDataSource = () => Promise<TestDataset[]>;

const SAMPLE_USERS = ['user1', 'user2', 'user3'];

/** Idempotent under concurrency too: a row a parallel call created in the meantime is as good as ours. */
async function ignoreConflict(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (err) {
    if (!(err instanceof ServiceError && err.kind === 'conflict')) throw err;
  }
}

/** `/api/system/addtestdata`: sample USERs (password = username) and datasets; idempotent. */
export function testDataService(users: UsersService, datasets: DatasetsService, source?: TestDataSource) {
  return {
    async add(actor: User | null): Promise<'done'> {
      const root = requireJudgeUser(actor, JudgeType.ROOT);
      for (const name of SAMPLE_USERS) {
        if (!(await users.byUsername(name))) {
          await ignoreConflict(users.create({ username: name, password: name, judgeType: JudgeType.USER }));
        }
      }
      const sets: TestDataset[] = source
        ? await source()
        : [
            generateInstance('sample-small', 12, 8, 1),
            generateInstance('sample-medium', 40, 40, 2),
            generateInstance('sample-large', 120, 150, 3),
          ].map((g) => ({ name: g.name, data: g.text }));
      for (const s of sets) {
        if (!(await datasets.exists(s.name))) {
          await ignoreConflict(datasets.add(root, { name: s.name, time: 10, memory: 256, cpu: 1, data: s.data }));
        }
      }
      return 'done';
    },
  };
}
