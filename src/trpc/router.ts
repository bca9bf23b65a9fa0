import { router } from './init.js';
import { authRouter } from './routers/auth.js';
import { contestsRouter } from './routers/contests.js';
import { judgeRouter } from './routers/judge.js';
import { markingRouter } from './routers/marking.js';
import { socialRouter } from './routers/social.js';
import { quizRouter } from './routers/quiz.js';
import { roomsRouter } from './routers/rooms.js';
import { trainingRouter } from './routers/training.js';
import { workerRouter } from './routers/worker.js';

/** One router per feature, merged; clients import the `AppRouter` type. */
export const appRouter = router({
  auth: authRouter,
  contests: contestsRouter,
  judge: judgeRouter,
  marking: markingRouter,
  social: socialRouter,
  quiz: quizRouter,
  rooms: roomsRouter,
  training: trainingRouter,
  worker: workerRouter,
});

export type AppRouter = typeof appRouter;
