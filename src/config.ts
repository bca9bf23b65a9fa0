import { z } from 'zod';
import { LOG_LEVELS } from './observe/logger.js';

const intFrom = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const list = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const schema = z.object({
  PORT: intFrom(8080, 0).pipe(z.number().max(65535)),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .default('file:./data/arena.db')
    .refine((u) => /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/.test(u), 'must start with file:, libsql://, http(s):// or ws(s)://'),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  REDIS_URL: z.string().url().optional(),
  INTEGRATION_API_KEY: list,
  QUIZ_APP_IDS: list,
  QUIZ_HA1: z.enum(['on', 'off']).default('on'),
  QUIZ_TYPES: z
    .string()
    .default('quiz_b,quiz_boat,quiz_bike')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  QUIZ_NONCE_TTL_SECONDS: intFrom(300, 1),
  LOGIN_MAX_FAILURES: intFrom(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: intFrom(100),
  LOGIN_LOCK_SECONDS: intFrom(900, 1),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ROOT_USERNAME: z.string().min(1).max(32).default('root'),
  ROOT_PASSWORD: z.string().min(1).max(32).optional(),
  BLOB_DIR: z.string().min(1).default('./data/blobs'),
  RATE_LIMIT_PER_MINUTE: intFrom(100),
  BODY_LIMIT_BYTES: intFrom(131072, 1024),
  SESSION_TTL_HOURS: intFrom(24 * 7, 1),
  UPLOAD_LIMIT_BYTES: intFrom(5 * 1024 * 1024, 1024),
  JUDGE_DAILY_LIMIT: intFrom(10),
  JUDGE_MAX_ARCHIVE_BASE64: intFrom(87500, 1),
  JUDGE_LEASE_SECONDS: intFrom(60, 1),
  JUDGE_SOLVER_COMMAND: z.string().default('python3 CARP_solver.py {instance} -t {time} -s {seed}'),
  TESTDATA_DIR: z.string().optional(),
  JUDGE_GATEWAY_URL: z.string().url().optional(),
  JUDGE_USERNAME: z.string().min(1).max(32).default('judge'),
  JUDGE_PASSWORD: z.string().min(1).max(32).optional(),
  JUDGE_RUNNER: z.enum(['bwrap', 'docker', 'process']).default('bwrap'),
  JUDGE_CONCURRENCY: intFrom(1, 1),
  JUDGE_DOCKER_IMAGE: z.string().optional(),
  // Holds the unpacked archive (at most 8 MB) and the instance, besides what the solver writes.
  JUDGE_WORKDIR_MB: intFrom(256, 16),
  ROOM_MAX_CONNECTIONS: intFrom(3, 1),
  ROOMS_TRUST_USER_ID: z.enum(['0', '1']).default('0'),
  MARKING_LEASE_SECONDS: intFrom(30, 1),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  DEV_MODE: z.enum(['0', '1']).default('0'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type Config = z.infer<typeof schema>;

/** The variables the gateway reads (what a host passes on, e.g. as a Worker's vars). */
export const CONFIG_NAMES = Object.keys(schema.shape) as (keyof Config)[];

export class ConfigError extends Error {}

/** Older names still read when the new one is not set (the quiz's limits became every door's). */
const ALIASES: Record<string, string> = { LOGIN_MAX_FAILURES: 'QUIZ_LOGIN_MAX_FAILURES', LOGIN_LOCK_SECONDS: 'QUIZ_LOGIN_LOCK_SECONDS' };

/** Reads the environment once; a bad value throws one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned: Record<string, string | undefined> = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  for (const [name, older] of Object.entries(ALIASES))
    if (cleaned[name] === undefined && cleaned[older] !== undefined) cleaned[name] = cleaned[older];
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name}: ${issue.message}`);
  }
  return parsed.data;
}
