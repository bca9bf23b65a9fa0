import { isUniqueViolation } from '../../db/tx.js';
import { objectId } from '../../identity/ids.js';
import { JudgeType } from '../../identity/roles.js';
import { busDroppedCache } from '../cache.js';
import type { Deps } from '../deps.js';
import { conflict, invalid, notFound } from '../errors.js';
import type { User } from '../users.js';
import { requireJudgeUser } from './access.js';

export interface DatasetSummary {
  id: string;
  name: string;
  time: number;
  memory: number;
  cpu: number;
}

export interface Dataset extends DatasetSummary {
  data: string;
  bestKnownCost: number | null;
  command: string | null;
}

export interface DatasetInput {
  name?: string;
  time?: number;
  memory?: number;
  cpu?: number;
  data?: string;
  bestKnownCost?: number | null;
  /** Solver command template for this dataset ({instance}, {time}, {seed}); null = the judge's default. */
  command?: string | null;
}

// Upper bounds the original lacked: a dataset's limits are what the judge will grant a solver.
const MAX = { time: 3600, memory: 65536, cpu: 64 };
const NAME_MAX = 128;
const CHANGED_TOPIC = 'datasets.changed';
const LIST_CACHE_MS = 5_000;

const summary = (r: Record<string, unknown>): DatasetSummary => ({
  id: String(r.id),
  name: String(r.name),
  time: Number(r.time),
  memory: Number(r.memory),
  cpu: Number(r.cpu),
});

export function datasetsService(deps: Deps) {
  const { db, now, bus } = deps;
  // The list is read on every page load and changes rarely: cached, dropped on any node's add.
  const listCache = busDroppedCache<'all', DatasetSummary[]>(bus, LIST_CACHE_MS, 1, now);
  let version = 0; // a list read before an add must not be cached after it
  const invalidate = () => {
    version++;
    listCache.clear();
  };
  bus.subscribe(CHANGED_TOPIC, invalidate);

  return {
    async list(actor: User | null): Promise<DatasetSummary[]> {
      requireJudgeUser(actor, JudgeType.USER);
      const cached = listCache.get('all');
      if (cached) return cached;
      const seen = version;
      const rs = await db.execute('SELECT id, name, time, memory, cpu FROM datasets ORDER BY created_at, id');
      const list = rs.rows.map(summary);
      if (seen === version) listCache.set('all', list);
      return list;
    },

    /** A dataset with its data, for the judge and services (no access check: callers hold one). */
    async get(id: string): Promise<Dataset | null> {
      const r = (await db.execute({ sql: 'SELECT * FROM datasets WHERE id = ?', args: [id] })).rows[0];
      if (!r) return null;
      return {
        ...summary(r),
        data: String(r.data),
        bestKnownCost: r.best_known_cost === null ? null : Number(r.best_known_cost),
        command: r.command === null ? null : String(r.command),
      };
    },

    async exists(name: string): Promise<boolean> {
      return (await db.execute({ sql: 'SELECT 1 FROM datasets WHERE name = ?', args: [name] })).rows.length > 0;
    },

    async require(id: string | undefined, message = 'Invalid dataset!'): Promise<Dataset> {
      const d = id ? await this.get(id) : null;
      if (!d) throw notFound(message);
      return d;
    },

    /** The original's checks, in its order and with its messages; plus upper bounds. */
    async add(actor: User | null, input: DatasetInput): Promise<{ id: string }> {
      requireJudgeUser(actor, JudgeType.ADMIN);
      if (!input.name) throw invalid('No name specified!');
      if (input.name.length > NAME_MAX) throw invalid('Name too long!');
      if (await this.exists(input.name)) throw conflict('Dataset name already exists!');
      if (!input.data) throw invalid('No data!');
      if (!input.cpu || input.cpu <= 0) throw invalid('No cpu!');
      if (!input.memory || input.memory <= 0) throw invalid('No memory!');
      if (!input.time || input.time <= 0) throw invalid('No time!');
      if (input.cpu > MAX.cpu) throw invalid('Too many cpus!');
      if (input.memory > MAX.memory) throw invalid('Too much memory!');
      if (input.time > MAX.time) throw invalid('Too much time!');
      if (input.command != null && (input.command.trim() === '' || input.command.length > 500)) throw invalid('Invalid command!');
      const id = objectId(now());
      try {
        await db.execute({
          sql: `INSERT INTO datasets (id, name, time, memory, cpu, data, best_known_cost, command, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          args: [id, input.name, input.time, input.memory, input.cpu, input.data, input.bestKnownCost ?? null, input.command ?? null, now()],
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('Dataset name already exists!');
        throw err;
      }
      invalidate();
      await bus.publish(CHANGED_TOPIC, { id });
      return { id };
    },
  };
}

export type DatasetsService = ReturnType<typeof datasetsService>;
