import { z } from 'zod';
import { intParam, strIdField, uuidParam } from './fastapi.js';

/** The training API's (spec 001) request and response documents, as zod: validation and OpenAPI both read these. */

export const Message = z.object({ message: z.string() }).meta({ id: 'Message' });

export const Person = z
  .object({
    id: z.string().meta({ description: "The gateway's user id (24 hex)" }),
    userId: z.int().meta({ description: 'The integer user id (the one the contest integration API shows)' }),
    login: z.string(),
    firstName: z.string(),
    lastName: z.string(),
  })
  .meta({ id: 'Person' });

export const Team = z
  .object({
    id: z.int(),
    name: z.string(),
    ownerId: z.string().nullable().meta({ description: 'Who created the team; they and admins manage its members' }),
    members: z.array(Person),
  })
  .meta({ id: 'Team' });

export const NewTeam = z
  .object({
    name: z.string().min(1).max(128),
    members: z.array(z.string().min(1).max(64)).max(15).optional().meta({ description: 'Logins of the other members' }),
  })
  .meta({ id: 'NewTeam' });

export const NewMember = z.object({ username: z.string().min(1).max(64) }).meta({ id: 'NewMember' });

export const Contest = z.object({ id: z.int(), name: z.string() }).meta({ id: 'Contest' });

const ContestTask = z
  .object({
    id: z.int(),
    contestId: z.int(),
    name: z.string(),
    datasetId: z.string().nullable().meta({ description: 'The CARP dataset it scores from, live; null: scores set by admins' }),
    scorePrecision: z.int().meta({ description: 'Digits each task score keeps' }),
  })
  .meta({ id: 'ContestTask' });

export const ContestDetail = z
  .object({ id: z.int(), name: z.string(), tasks: z.array(ContestTask).meta({ description: 'In id order: problems A, B, ... of a session' }) })
  .meta({ id: 'ContestDetail', description: 'A contest as the contests model holds it (GraphQL `contest`, tRPC `contests.get`)' });

const TrainingStatus = z.enum(['IN_PROCESS', 'FINISHED']).meta({ id: 'TrainingStatus' });
const ProblemStatus = z.enum(['NOT_STARTED', 'PASSED', 'FAILED']).meta({ id: 'ProblemStatus' });

export const TrainingSession = z
  .object({
    id: z.string().meta({ format: 'uuid' }),
    status: TrainingStatus,
    dt_created: z.string().meta({ description: 'ISO 8601, UTC, microseconds', example: '2023-08-17T17:50:09.378486+00:00' }),
  })
  .meta({ id: 'TrainingSession' });

export const StartSession = z
  .object({ team_id: strIdField(), contest_id: strIdField() })
  .meta({ id: 'StartTrainingSession', description: 'The original declared both `str` (the frontend sends `{"team_id": "3", "contest_id": "3"}`)' });

const Problem = z
  .object({
    id: z.int().meta({ description: "The contest task's id" }),
    alias: z.string().meta({ example: 'A' }),
    name: z.string(),
    datasetId: z.string().nullable().meta({ description: 'The CARP dataset submissions are judged on; null: no submissions' }),
    status: ProblemStatus,
    attempts: z.int(),
    assignedUser: z.unknown().meta({ description: "PROBLEM_ASSIGNED's `user`, as the client sent it; null when unassigned" }),
  })
  .meta({ id: 'Problem' });

export const ProblemList = z
  .object({ problems: z.array(Problem) })
  .meta({ id: 'ProblemList', description: "The original passed Yandex's object through; the frontend reads `.problems`" });

export const ProblemState = z.object({ problemAlias: z.string(), status: ProblemStatus, attempts: z.int() }).meta({ id: 'ProblemState' });

export const RunId = z.object({ runId: z.string().meta({ description: 'The judge case id' }) }).meta({ id: 'RunId' });

const verdictFields = {
  id: z.string().meta({ description: 'The judge case id' }),
  problemAlias: z.string(),
  problemId: z.int(),
  submissionTime: z.string().meta({ example: '2023-08-17T17:50:09.378Z' }),
  timeFromStart: z.int().meta({ description: 'Milliseconds from the session start' }),
  verdict: z.string().meta({ description: '`No report` while judging, then OK, WA, TL, RE or CF' }),
  score: z.number(),
  compiler: z.string(),
  compileLog: z.string(),
  diff: z.string(),
  source: z.string(),
};

const SubmissionBrief = z.object({ ...verdictFields, authorId: z.string(), author: z.string() }).meta({ id: 'SubmissionBrief' });

export const Submission = z
  .object({
    ...verdictFields,
    authorId: z.string(),
    author: z.string(),
    status: z.int().meta({ description: 'The judge case status: 0 waiting, 1 queued, 2 running, 3 finished, 4 error' }),
    valid: z.boolean(),
    cost: z.number(),
    reason: z.string().nullable(),
    time: z.number(),
    exitcode: z.int(),
    timedout: z.boolean(),
  })
  .meta({ id: 'Submission' });

export const SubmissionList = z.object({ count: z.int(), submissions: z.array(SubmissionBrief) }).meta({ id: 'SubmissionList' });

export const SubmitForm = z
  .object({
    file: z.file().meta({ description: 'The solver archive (zip), as the judge takes it' }),
    problem: z.string().min(1).max(16).meta({ description: 'The problem alias', example: 'A' }),
    compiler: z.string().max(64).optional().meta({ description: 'Accepted and ignored: the judge runs every archive the same way' }),
  })
  .meta({ id: 'SubmitForm' });

export const Code = z.object({ code: z.string() }).meta({ id: 'Code' });
export const Controller = z.object({ userId: z.string() }).meta({ id: 'Controller' });
export const Online = z
  .object({ users: z.array(z.unknown()).meta({ description: "The USER frames' `user` objects, one per id" }) })
  .meta({ id: 'Online' });

export const SelectedContest = z
  .object({
    contestId: z
      .union([z.string(), z.int()])
      .nullable()
      .meta({ description: "The lobby's last CONTEST_SELECTED `contestId`, as the client sent it (a string or an integer); null when none" }),
  })
  .meta({ id: 'SelectedContest' });

export const Comment = z
  .object({
    id: z.int(),
    userId: z.int(),
    userFirstName: z.string(),
    userLastName: z.string(),
    userLogin: z.string(),
    problemAlias: z.string(),
    content: z.string(),
    dtCreated: z.string(),
  })
  .meta({ id: 'Comment' });

export const NewComment = z.object({ content: z.string().min(1).max(4000) }).meta({ id: 'NewComment' });

// Parameters.
export const SessionParams = z.object({ sid: uuidParam() });
export const SessionAliasParams = z.object({ sid: uuidParam(), alias: z.string().min(1).max(16) });
export const TeamParams = z.object({ team_id: intParam() });
/** A lobby's team id as the original's `/lobby/{team_id}` took it (`str`), read as the lobby socket reads `team_id`. */
export const LobbyParams = z.object({ team_id: z.string().meta({ example: '12' }) });
export const ContestParams = z.object({ contest_id: intParam() });
export const FindSessionQuery = z.object({ contest_id: intParam(), team_id: intParam() });
