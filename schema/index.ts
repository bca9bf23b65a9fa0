import { builder } from './builder.js';
import './types/user.js';
import './types/judge.js';
import './types/contests.js';
import './types/social.js';
import './types/quiz.js';
import './types/marking.js';
import './types/rooms.js';
import './types/training.js';

/** The GraphQL schema, built once from every type file. */
export const schema = builder.toSchema();
