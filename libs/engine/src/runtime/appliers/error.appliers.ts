import type { ChildEscalationAnswered, ErrorNotCaughtByCaller, ErrorThrownToCaller, EscalationAnswered, EscalationThrownToCaller } from '../process-instance-events.js';
import type { Draft } from './draft.js';

/** The thrower waits for its caller's answer: the error is kept until then (and sent again after a restart). */
export function applyErrorThrownToCaller(draft: Draft, { data }: ErrorThrownToCaller): void {
  draft.errorsThrownToCaller[data.elementInstanceId] = data;
}

export function applyErrorNotCaughtByCaller(draft: Draft, { data }: ErrorNotCaughtByCaller): void {
  delete draft.errorsThrownToCaller[data.elementInstanceId];
}

/** The thrower waits for its caller's answer: the escalation is kept until then (and sent again after a restart). */
export function applyEscalationThrownToCaller(draft: Draft, { data }: EscalationThrownToCaller): void {
  draft.escalationsThrownToCaller[data.elementInstanceId] = data;
}

export function applyEscalationAnswered(draft: Draft, { data }: EscalationAnswered): void {
  delete draft.escalationsThrownToCaller[data.elementInstanceId];
}

export function applyChildEscalationAnswered(draft: Draft, { data }: ChildEscalationAnswered): void {
  draft.answeredChildEscalations[data.escalationId] = data.elementInstanceId;
}
