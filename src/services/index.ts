import { randomBytes, toHex } from '../identity/encoding.js';
import { tokenIssuer } from '../identity/tokens.js';
import { authService } from './auth.js';
import { contestsService } from './contests/index.js';
import type { Deps } from './deps.js';
import { healthService } from './health.js';
import { housekeeping } from './housekeeping.js';
import { judgeAccounts } from './judge/accounts.js';
import { loginGuard } from './login-guard.js';
import { casesService } from './judge/cases.js';
import { datasetImport } from './judge/dataset-import.js';
import { datasetsService } from './judge/datasets.js';
import { legacyWorkerService } from './judge/legacy-worker.js';
import { markingService } from './marking.js';
import { queueService } from './judge/queue.js';
import { submitService } from './judge/submit.js';
import { testDataService, type TestDataSource } from './judge/testdata.js';
import { quizService } from './quiz/index.js';
import { sessionsService } from './sessions.js';
import { socialServices } from './social/index.js';
import { trainingService } from './training/index.js';
import { usersService } from './users.js';

export interface ServiceOptions {
  testData?: TestDataSource;
}

/** The one set of services that REST, GraphQL, tRPC and the rooms all call. */
export function createServices(deps: Deps, options: ServiceOptions = {}) {
  // One limit on password guessing for every door (src/services/login-guard.ts).
  const logins = loginGuard(deps.db, deps.now, {
    account: deps.config.LOGIN_MAX_FAILURES,
    address: deps.config.LOGIN_MAX_FAILURES_PER_ADDRESS,
    windowMs: deps.config.LOGIN_LOCK_SECONDS * 1000,
  });
  const users = usersService(deps, logins);
  const sessions = sessionsService(deps);
  const datasets = datasetsService(deps);
  const cases = casesService(deps);
  const queue = queueService(deps, datasets);
  const submissions = submitService(deps, datasets, cases);
  // Without JWT_SECRET, tokens are signed with a per-process key: valid until restart, on this node only.
  const tokens = tokenIssuer(deps.config.JWT_SECRET ?? toHex(randomBytes(32)));
  const social = socialServices(deps, users, sessions);
  return {
    deps,
    // The database and bus pings behind /healthz and /health/ping-*.
    health: healthService(deps),
    tokens,
    users,
    auth: authService(users, tokens),
    // Failed password checks of every door, per name and per client address (purged with the sessions).
    logins,
    // The periodic jobs (lease sweep, session purge) each host schedules its own way.
    housekeeping: housekeeping({ sessions, logins, queue }),
    sessions,
    // Spec 000: contests, their live scores, and the contest integration API.
    contests: contestsService(deps, users, sessions),
    // Spec 002: quiz authorization (nonce + digest) and the quiz's view of each person.
    quiz: quizService(deps, users, sessions, logins),
    // Spec 003: profiles, friends, events.
    social,
    // Spec 003's marking sockets: who waits, who holds whom, attendance (the database decides).
    marking: markingService(deps, social),
    // Spec 001: teams, training sessions, and the training rooms' state.
    training: trainingService(deps, users, submissions),
    judge: {
      accounts: judgeAccounts(users, sessions),
      datasets,
      // Datasets from instance files (npm run carp:import).
      datasetImport: datasetImport(datasets),
      cases,
      submissions,
      testData: testDataService(users, datasets, options.testData),
      queue,
      // The rules of the original Python workers' websocket protocol, on the same queue.
      legacyWorkers: legacyWorkerService(deps, queue, datasets),
    },
  };
}

export type Services = ReturnType<typeof createServices>;
