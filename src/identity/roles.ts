/** Judge user types of spec 004: a lower number has more rights. */
export const JudgeType = { ROOT: 0, ADMIN: 100, USER: 200, WORKER: 300 } as const;
export type JudgeType = (typeof JudgeType)[keyof typeof JudgeType];

const JUDGE_TYPES: readonly number[] = Object.values(JudgeType);

export function isJudgeType(n: unknown): n is JudgeType {
  return typeof n === 'number' && JUDGE_TYPES.includes(n);
}

/** Spec 004's matrix: ROOT manages ADMIN, WORKER and USER; ADMIN manages USER; nobody else manages anyone. */
export function canManage(actor: JudgeType, target: number): boolean {
  if (actor === JudgeType.ROOT) return target === JudgeType.ADMIN || target === JudgeType.WORKER || target === JudgeType.USER;
  if (actor === JudgeType.ADMIN) return target === JudgeType.USER;
  return false;
}
