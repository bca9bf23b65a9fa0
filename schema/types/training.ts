import { builder, type GraphQLContext } from '../builder.js';
import type { TrainingComment } from '../../src/services/training/comments.js';
import { pyIso } from '../../src/services/training/format.js';
import type { TrainingProblem, TrainingSession } from '../../src/services/training/sessions.js';
import type { TrainingSubmission } from '../../src/services/training/submissions.js';
import type { Person, Team } from '../../src/services/training/teams.js';

// Team training (spec 001): teams, sessions and their room state (editor code, controller,
// assignments, online users, status), through the same services as the training REST API.
// Values the room's clients chose (a USER's `user`, PROBLEM_ASSIGNED's `user`) are JSON text.

const json = (v: unknown) => JSON.stringify(v);

interface ProblemKey {
  sessionId: string;
  alias: string;
}

/** Editor contents for a request's problems: one `codes` read (access checked as for one) per session, not one per problem. */
function loadCodes(keys: readonly ProblemKey[], ctx: GraphQLContext): Promise<(string | Error)[]> {
  const sessions = new Map<string, Promise<Map<string, string>>>();
  for (const { sessionId } of keys) {
    if (!sessions.has(sessionId)) {
      sessions.set(
        sessionId,
        ctx.services.training.sessions.codes(ctx.actor, sessionId).then((cs) => new Map(cs.map((c) => [c.alias, c.code]))),
      );
    }
  }
  return Promise.all(
    keys.map((k) =>
      sessions.get(k.sessionId)!.then(
        (codes) => codes.get(k.alias) ?? '',
        (err: Error) => err,
      ),
    ),
  );
}

const TrainingPersonType = builder.objectRef<Person>('TrainingPerson').implement({
  fields: (t) => ({
    id: t.exposeID('id', { description: "The gateway's user id." }),
    userId: t.exposeInt('userId', { description: 'The integer user id.' }),
    login: t.exposeString('login'),
    firstName: t.exposeString('firstName'),
    lastName: t.exposeString('lastName'),
  }),
});

const TeamType = builder.objectRef<Team>('Team').implement({
  fields: (t) => ({
    id: t.exposeInt('id'),
    name: t.exposeString('name'),
    ownerId: t.exposeID('ownerId', { nullable: true }),
    members: t.field({ type: [TrainingPersonType], resolve: (team) => team.members }),
  }),
});

const TrainingProblemType = builder.objectRef<TrainingProblem & { sessionId: string }>('TrainingProblem').implement({
  fields: (t) => ({
    alias: t.exposeString('alias'),
    taskId: t.exposeInt('taskId'),
    name: t.exposeString('name'),
    datasetId: t.exposeID('datasetId', { nullable: true }),
    status: t.exposeString('status', { description: 'NOT_STARTED, PASSED or FAILED.' }),
    attempts: t.exposeInt('attempts'),
    assignedUser: t.string({
      nullable: true,
      description: "PROBLEM_ASSIGNED's `user` as JSON text; null when unassigned.",
      resolve: (p) => (p.assignedUser === null ? null : json(p.assignedUser)),
    }),
    code: t.loadable({
      type: 'String',
      description: 'The editor content (the last CODE_EDITOR_UPDATE); "" when none.',
      load: loadCodes,
      loaderOptions: { cacheKeyFn: (k: ProblemKey) => `${k.sessionId}/${k.alias}` },
      resolve: (p): ProblemKey => ({ sessionId: p.sessionId, alias: p.alias }),
    }),
  }),
});

const TrainingSubmissionType = builder.objectRef<TrainingSubmission>('TrainingSubmission').implement({
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The judge case id.' }),
    problemAlias: t.exposeString('problemAlias'),
    problemId: t.exposeInt('problemId'),
    author: t.exposeString('author'),
    submissionTime: t.exposeString('submissionTime'),
    timeFromStart: t.exposeInt('timeFromStart'),
    verdict: t.exposeString('verdict', { description: '`No report` while judging, then OK, WA, TL, RE or CF.' }),
    score: t.exposeFloat('score'),
    status: t.exposeInt('status'),
    valid: t.exposeBoolean('valid'),
    cost: t.exposeFloat('cost'),
    reason: t.exposeString('reason', { nullable: true }),
  }),
});

const TrainingCommentType = builder.objectRef<TrainingComment>('TrainingComment').implement({
  fields: (t) => ({
    id: t.exposeInt('id'),
    userId: t.exposeInt('userId'),
    userFirstName: t.exposeString('userFirstName'),
    userLastName: t.exposeString('userLastName'),
    userLogin: t.exposeString('userLogin'),
    problemAlias: t.exposeString('problemAlias'),
    content: t.exposeString('content'),
    dtCreated: t.exposeString('dtCreated'),
  }),
});

const TrainingSessionType = builder.objectRef<TrainingSession>('TrainingSession').implement({
  description: "A team's training on a contest, and its room's state.",
  fields: (t) => ({
    id: t.exposeID('id'),
    teamId: t.exposeInt('teamId'),
    contestId: t.exposeInt('contestId'),
    status: t.exposeString('status', { description: 'IN_PROCESS or FINISHED.' }),
    dtCreated: t.string({ description: 'As REST dt_created.', resolve: (s) => pyIso(s.createdUs) }),
    problems: t.field({
      type: [TrainingProblemType],
      resolve: async (s, _a, ctx) => (await ctx.services.training.sessions.problemList(ctx.actor, s.id)).map((p) => ({ ...p, sessionId: s.id })),
    }),
    controller: t.string({
      description: 'Who holds the editor (the last CONTROL_TAKEN userId); "" when nobody.',
      resolve: (s, _a, ctx) => ctx.services.training.sessions.controller(ctx.actor, s.id),
    }),
    online: t.stringList({
      description: "The room's USER frames' `user`s, one per id, each as JSON text.",
      resolve: async (s, _a, ctx) => (await ctx.services.training.sessions.online(ctx.actor, s.id)).map(json),
    }),
    submissions: t.field({
      type: [TrainingSubmissionType],
      resolve: (s, _a, ctx) => ctx.services.training.submissions.list(ctx.actor, s.id),
    }),
    comments: t.field({
      type: [TrainingCommentType],
      args: { alias: t.arg.string({ required: true }) },
      resolve: (s, a, ctx) => ctx.services.training.comments.list(ctx.actor, s.id, a.alias),
    }),
  }),
});

builder.queryFields((t) => ({
  myTeams: t.field({ type: [TeamType], resolve: (_r, _a, ctx) => ctx.services.training.teams.mine(ctx.actor) }),
  team: t.field({
    type: TeamType,
    args: { id: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.training.teams.get(ctx.actor, a.id),
  }),
  lobbyOnline: t.stringList({
    description: "The team lobby's USER frames' `user`s, each as JSON text.",
    args: { teamId: t.arg.int({ required: true }) },
    resolve: async (_r, a, ctx) => (await ctx.services.training.sessions.lobbyOnline(ctx.actor, a.teamId)).map(json),
  }),
  trainingSession: t.field({
    type: TrainingSessionType,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.training.sessions.get(ctx.actor, String(a.id)),
  }),
  teamTraining: t.field({
    type: TrainingSessionType,
    description: "The team's session on the contest (REST GET /training-sessions?contest_id=&team_id=).",
    args: { teamId: t.arg.int({ required: true }), contestId: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.training.sessions.find(ctx.actor, { teamId: a.teamId, contestId: a.contestId }),
  }),
  runningTraining: t.field({
    type: TrainingSessionType,
    description: "The team's running session (REST .../team/{id}/reconnect).",
    args: { teamId: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.training.sessions.reconnect(ctx.actor, a.teamId),
  }),
}));

builder.mutationFields((t) => ({
  createTeam: t.field({
    type: TeamType,
    args: { name: t.arg.string({ required: true }), members: t.arg.stringList() },
    resolve: (_r, a, ctx) => ctx.services.training.teams.create(ctx.actor, { name: a.name, members: a.members ?? [] }),
  }),
  addTeamMember: t.field({
    type: TeamType,
    args: { teamId: t.arg.int({ required: true }), username: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.training.teams.addMember(ctx.actor, a.teamId, a.username),
  }),
  removeTeamMember: t.field({
    type: TeamType,
    args: { teamId: t.arg.int({ required: true }), username: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.training.teams.removeMember(ctx.actor, a.teamId, a.username),
  }),
  startTraining: t.field({
    type: TrainingSessionType,
    description: 'As REST POST /training-sessions: TRAINING_STARTED goes to the lobby.',
    args: { teamId: t.arg.int({ required: true }), contestId: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.training.sessions.start(ctx.actor, { teamId: a.teamId, contestId: a.contestId }),
  }),
  completeTraining: t.field({
    type: TrainingSessionType,
    description: 'As REST POST .../complete: TRAINING_FINISHED goes to the room.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.training.sessions.complete(ctx.actor, String(a.id)),
  }),
  sendTrainingComment: t.field({
    type: TrainingCommentType,
    args: { sessionId: t.arg.id({ required: true }), alias: t.arg.string({ required: true }), content: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.training.comments.send(ctx.actor, String(a.sessionId), a.alias, a.content),
  }),
}));
