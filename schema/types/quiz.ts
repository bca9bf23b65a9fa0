import { builder } from '../builder.js';
import { QUIZ_USER_TYPES, type QuizUser } from '../../src/services/quiz/index.js';

const QuizUserTypeEnum = builder.enumType('QuizUserType', {
  description: "Spec 002's user types.",
  values: QUIZ_USER_TYPES,
});

const QuizUserRef = builder.objectRef<QuizUser>('QuizUser').implement({
  description: "A person as the quiz service (spec 002) sees them: the same fields as /v1/authorize/status's `user`.",
  fields: (t) => ({
    id: t.exposeInt('id', { description: "The quiz's integer id (-1 for the admin, as the original at a6247a0)." }),
    type: t.field({ type: QuizUserTypeEnum, resolve: (u) => u.type }),
    name: t.exposeString('name', { description: "First name (students), the school's name (schools and their guests), or `admin`." }),
    surname: t.exposeString('surname', { nullable: true, description: 'Students and guests only.' }),
    schoolId: t.exposeInt('schoolId', { nullable: true, description: 'Students and guests only (null for a student without a school).' }),
    userId: t.exposeID('userId', { description: 'The one identity behind it (`User.id`).' }),
    username: t.exposeString('username', { description: 'The login.' }),
  }),
});

const QuizSession = builder.objectRef<{ sid: string; user: QuizUser }>('QuizSession').implement({
  fields: (t) => ({
    sid: t.exposeString('sid', { description: 'Session id: send as the `QUIZSID` cookie (or `?sid=` to /v1).' }),
    user: t.field({ type: QuizUserRef, resolve: (s) => s.user }),
  }),
});

builder.queryField('quizStatus', (t) =>
  t.field({
    type: QuizUserRef,
    description: "The caller's quiz view (bearer token or any session cookie); `Unauthorized.` without one.",
    resolve: (_r, _a, ctx) => ctx.services.quiz.status(ctx.actor),
  }),
);

builder.mutationFields((t) => ({
  quizNonce: t.string({
    description: 'A nonce for quizAuthorize (or POST /v1/authorize): good once, for QUIZ_NONCE_TTL_SECONDS.',
    resolve: (_r, _a, ctx) => ctx.services.quiz.nonce(),
  }),
  quizAuthorize: t.field({
    type: QuizSession,
    description: 'The quiz login of spec 002: digest = MD5(nonce:MD5(login:password)).',
    args: {
      nonce: t.arg.string({ required: true }),
      appid: t.arg.string({ required: true }),
      quizType: t.arg.string({ required: true }),
      login: t.arg.string({ required: true }),
      digest: t.arg.string({ required: true }),
    },
    resolve: (_r, a, ctx) => ctx.services.quiz.authorize(a, undefined, ctx.address),
  }),
  createQuizSchool: t.field({
    type: QuizUserRef,
    description: 'Quiz admins: a school, with its guest account `<login>-guest` (password `guest`).',
    args: {
      name: t.arg.string({ required: true }),
      login: t.arg.string({ required: true }),
      password: t.arg.string({ required: true }),
      accessUntil: t.arg.string({ description: 'YYYY-MM-DD (UTC, included); none: no limit.' }),
    },
    resolve: (_r, a, ctx) => ctx.services.quiz.createSchool(ctx.actor, a),
  }),
  createQuizStudent: t.field({
    type: QuizUserRef,
    description: 'Quiz admins, or the school itself: a student of that school.',
    args: {
      schoolId: t.arg.int({ required: true }),
      name: t.arg.string({ required: true }),
      surname: t.arg.string({ required: true }),
      login: t.arg.string({ required: true }),
      password: t.arg.string({ required: true }),
      accessUntil: t.arg.string({ description: 'YYYY-MM-DD (UTC, included); none: no limit.' }),
    },
    resolve: (_r, a, ctx) => ctx.services.quiz.createStudent(ctx.actor, a),
  }),
}));
