import { builder, isoTime } from '../builder.js';
import type { CaseView, LeaderboardEntry } from '../../src/services/judge/case-view.js';
import type { DatasetSummary } from '../../src/services/judge/datasets.js';

const DatasetType = builder.objectRef<DatasetSummary>('Dataset').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    time: t.exposeInt('time', { description: 'Wall time limit, seconds.' }),
    memory: t.exposeInt('memory', { description: 'Memory limit, MB.' }),
    cpu: t.exposeInt('cpu', { description: 'CPU cores.' }),
  }),
});

const CaseType = builder.objectRef<CaseView>('Case').implement({
  description: "Spec 004's CARPCase.",
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.exposeInt('status', { description: '0 WAITING, 1 QUEUED, 2 RUNNING, 3 FINISHED, 4 ERROR.' }),
    submitTime: t.string({ resolve: (c) => isoTime(c.submitTime)! }),
    judgeTime: t.string({ nullable: true, resolve: (c) => isoTime(c.judgeTime) }),
    timedout: t.exposeBoolean('timedout'),
    outOverflow: t.exposeBoolean('outOverflow'),
    errOverflow: t.exposeBoolean('errOverflow'),
    time: t.exposeFloat('time'),
    exitcode: t.exposeInt('exitcode'),
    valid: t.exposeBoolean('valid'),
    cost: t.exposeInt('cost'),
    reason: t.exposeString('reason', { nullable: true }),
    datasetId: t.exposeID('datasetId'),
    userId: t.exposeID('userId'),
    workerName: t.exposeString('workerName', { nullable: true }),
  }),
});

const CasePage = builder.objectRef<{ carpCases: CaseView[]; total: number }>('CasePage').implement({
  fields: (t) => ({
    carpCases: t.field({ type: [CaseType], resolve: (p) => p.carpCases }),
    total: t.exposeInt('total'),
  }),
});

const LeaderboardEntryType = builder.objectRef<LeaderboardEntry>('LeaderboardEntry').implement({
  fields: (t) => ({
    userName: t.exposeString('userName'),
    datasetId: t.exposeID('datasetId'),
    submitTime: t.string({ resolve: (e) => isoTime(e.submitTime)! }),
    time: t.exposeFloat('time'),
    cost: t.exposeInt('cost'),
  }),
});

const Remain = builder.objectRef<{ remain: number; total: number }>('Remain').implement({
  fields: (t) => ({ remain: t.exposeInt('remain'), total: t.exposeInt('total') }),
});

const SubmitResult = builder.objectRef<{ cid: string; remain: number }>('SubmitResult').implement({
  fields: (t) => ({ cid: t.exposeID('cid'), remain: t.exposeInt('remain') }),
});

builder.queryFields((t) => ({
  datasets: t.field({ type: [DatasetType], resolve: (_r, _a, ctx) => ctx.services.judge.datasets.list(ctx.actor) }),
  cases: t.field({
    type: CasePage,
    args: { page: t.arg.int({ defaultValue: 0 }), size: t.arg.int({ defaultValue: 20 }) },
    resolve: (_r, a, ctx) => ctx.services.judge.cases.page(ctx.actor, a.page ?? 0, a.size ?? 20),
  }),
  case: t.field({
    type: CaseType,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.judge.cases.byId(ctx.actor, String(a.id)),
  }),
  leaderboard: t.field({
    type: [LeaderboardEntryType],
    args: { datasetId: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.judge.cases.leaderboard(ctx.actor, String(a.datasetId)),
  }),
  remain: t.field({ type: Remain, resolve: (_r, _a, ctx) => ctx.services.judge.cases.remain(ctx.actor) }),
}));

builder.mutationFields((t) => ({
  submit: t.field({
    type: SubmitResult,
    description: 'A base64 zip holding CARP_solver.py, as REST /api/judge/submit.',
    args: { dataset: t.arg.id({ required: true }), data: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.judge.submissions.submit(ctx.actor, { dataset: String(a.dataset), data: a.data }),
  }),
  addDataset: t.id({
    args: {
      name: t.arg.string({ required: true }),
      time: t.arg.int({ required: true }),
      memory: t.arg.int({ required: true }),
      cpu: t.arg.int({ required: true }),
      data: t.arg.string({ required: true }),
      bestKnownCost: t.arg.int({ description: 'Reference cost for contest scores.' }),
      command: t.arg.string({ description: 'Solver command for this dataset: {instance}, {time}, {seed}.' }),
    },
    resolve: async (_r, a, ctx) => (await ctx.services.judge.datasets.add(ctx.actor, a)).id,
  }),
}));

builder.subscriptionField('caseStatus', (t) =>
  t.field({
    type: CaseType,
    description: 'The case now and at every change until it is judged (graphql-sse / SSE).',
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_r, a, ctx) => ctx.services.judge.cases.watch(ctx.actor, String(a.id)),
    resolve: (c) => c,
  }),
);
