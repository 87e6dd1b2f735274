import type { EventSubProcessTriggered } from '../process-instance-events.js';
import type { Draft } from './draft.js';

/**
 * The event sub-process remembers why it started; an interrupting one marks its scope interrupted, and the tokens
 * waiting at the scope's joining gateways die with what the interruption terminates.
 */
export function applyEventSubProcessTriggered(draft: Draft, { data }: EventSubProcessTriggered): void {
  draft.eventSubProcessTriggers[data.elementInstanceId] = {
    startEventId: data.startEventId,
    ...(data.variables === undefined ? {} : { variables: data.variables }),
  };
  if (!data.interrupting) return;
  draft.interruptedScopes[data.scopeInstanceId] = data.elementInstanceId;
  const prefix = `${data.scopeInstanceId}/`;
  for (const key of Object.keys(draft.joinTokens)) {
    if (key.startsWith(prefix)) delete draft.joinTokens[key];
  }
}
