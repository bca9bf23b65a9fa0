import { builder } from '../builder.js';
import type { Contest, ContestStanding, Task } from '../../src/services/contests/contests.js';
import type { IntegrationUser } from '../../src/services/contests/integration.js';
import type { Standing, TaskScore } from '../../src/services/contests/scores.js';

const ContestTaskType = builder.objectRef<Task>('ContestTask').implement({
  description: 'A contest task: scored live from a CARP dataset when linked to one, else by admins.',
  fields: (t) => ({
    id: t.exposeInt('id'),
    contestId: t.exposeInt('contestId'),
    name: t.exposeString('name'),
    datasetId: t.exposeID('datasetId', { nullable: true }),
    scorePrecision: t.exposeInt('scorePrecision', { description: 'Decimal digits each task score keeps.' }),
  }),
});

const ContestType = builder.objectRef<Contest>('Contest').implement({
  fields: (t) => ({
    id: t.exposeInt('id'),
    name: t.exposeString('name'),
    tasks: t.field({ type: [ContestTaskType], resolve: (c) => c.tasks }),
  }),
});

const TaskScoreType = builder.objectRef<TaskScore>('TaskScore').implement({
  fields: (t) => ({ taskId: t.exposeInt('taskId'), score: t.exposeFloat('score') }),
});

const ContestScoreType = builder.objectRef<Standing>('ContestScore').implement({
  description: "One participant's score: the sum of the task scores, each rounded to its task's precision.",
  fields: (t) => ({
    contestId: t.exposeInt('contestId'),
    score: t.exposeFloat('score'),
    tasks: t.field({ type: [TaskScoreType], resolve: (s) => s.tasks }),
  }),
});

const ContestStandingType = builder.objectRef<ContestStanding>('ContestStanding').implement({
  fields: (t) => ({
    userId: t.exposeInt('userId'),
    username: t.exposeString('username'),
    score: t.exposeFloat('score'),
    tasks: t.field({ type: [TaskScoreType], resolve: (s) => s.tasks }),
  }),
});

const IntegrationUserType = builder.objectRef<IntegrationUser>('IntegrationUser').implement({
  description: "A person as the contest integration API's get_user shows them.",
  fields: (t) => ({
    userId: t.exposeInt('userId', { description: "The integration API's integer user_id." }),
    username: t.exposeString('username'),
    firstName: t.exposeString('firstName'),
    lastName: t.exposeString('lastName'),
    email: t.exposeString('email'),
    timezone: t.exposeString('timezone'),
    preferredLanguages: t.exposeString('preferredLanguages'),
    contest: t.field({ type: ContestScoreType, nullable: true, resolve: (u) => u.contest ?? null }),
  }),
});

builder.queryFields((t) => ({
  contests: t.field({ type: [ContestType], resolve: (_r, _a, ctx) => ctx.services.contests.list(ctx.actor) }),
  contest: t.field({
    type: ContestType,
    args: { id: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.contests.get(ctx.actor, a.id),
  }),
  contestUser: t.field({
    type: IntegrationUserType,
    description: 'As REST /get_user (admins: anyone; others: themselves); with contestId, the contest score.',
    args: { username: t.arg.string({ required: true }), contestId: t.arg.int() },
    resolve: (_r, a, ctx) => ctx.services.contests.integration.viewUser(ctx.actor, a.username, a.contestId ?? undefined),
  }),
  contestStandings: t.field({
    type: [ContestStandingType],
    description: "Every participant's score, computed now (admins).",
    args: { contestId: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.contests.standings(ctx.actor, a.contestId),
  }),
}));

builder.mutationFields((t) => ({
  createContest: t.field({
    type: ContestType,
    description: 'Admins.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.contests.create(ctx.actor, a),
  }),
  createTask: t.field({
    type: ContestTaskType,
    description: 'Admins. With datasetId the task scores live from that CARP dataset.',
    args: {
      contestId: t.arg.int({ required: true }),
      name: t.arg.string({ required: true }),
      datasetId: t.arg.id(),
      scorePrecision: t.arg.int(),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.contests.addTask(ctx.actor, {
        contestId: a.contestId,
        name: a.name,
        datasetId: a.datasetId === null || a.datasetId === undefined ? null : String(a.datasetId),
        scorePrecision: a.scorePrecision,
      }),
  }),
  setTaskScore: t.field({
    type: ContestScoreType,
    description: "Admins: a participant's score on a task without a dataset; returns their contest score.",
    args: {
      taskId: t.arg.int({ required: true }),
      username: t.arg.string({ required: true }),
      score: t.arg.float({ required: true }),
    },
    resolve: (_r, a, ctx) => ctx.services.contests.setScore(ctx.actor, a),
  }),
  addParticipant: t.int({
    description: 'Admins: a participation (as REST /create_participation); returns its id.',
    args: { contestId: t.arg.int({ required: true }), username: t.arg.string({ required: true }) },
    resolve: async (_r, a, ctx) => (await ctx.services.contests.addParticipant(ctx.actor, a)).participationId,
  }),
}));
