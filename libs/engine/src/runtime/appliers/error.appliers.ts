import type { ErrorNotCaughtByCaller, ErrorThrownToCaller } from '../process-instance-events.js';
import type { Draft } from './draft.js';

/** The thrower waits for its caller's answer: the error is kept until then (and sent again after a restart). */
export function applyErrorThrownToCaller(draft: Draft, { data }: ErrorThrownToCaller): void {
  draft.errorsThrownToCaller[data.elementInstanceId] = data;
}

export function applyErrorNotCaughtByCaller(draft: Draft, { data }: ErrorNotCaughtByCaller): void {
  delete draft.errorsThrownToCaller[data.elementInstanceId];
}
