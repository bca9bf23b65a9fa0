import type { Deps } from '../deps.js';

/** A case changed state: judges wake on it, subscriptions and training rooms relay it. */
export interface CaseEvent {
  id: string;
  status: number;
  userId: string;
  datasetId: string;
  valid?: boolean;
  cost?: number;
  reason?: string | null;
}

export const CASE_TOPIC = 'judge.cases';

export function publishCaseEvent(deps: Pick<Deps, 'bus'>, event: CaseEvent): Promise<void> {
  return deps.bus.publish(CASE_TOPIC, event);
}
