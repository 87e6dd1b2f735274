import type { ComplexGatewayReset, ComplexGatewayWaitingForReset } from '../process-instance-events.js';
import { joinKey, type Draft } from './draft.js';
import { consumeTokens } from './element.appliers.js';

export function applyComplexGatewayWaitingForReset(draft: Draft, { data }: ComplexGatewayWaitingForReset): void {
  draft.complexGatewaysWaitingForReset[joinKey(data.flowScopeInstanceId, data.elementId)] = [...data.awaitedFlowIds];
}

export function applyComplexGatewayReset(draft: Draft, { data }: ComplexGatewayReset): void {
  const key = joinKey(data.flowScopeInstanceId, data.elementId);
  delete draft.complexGatewaysWaitingForReset[key];
  if (data.consumedTokens.length > 0) consumeTokens(draft, key, data.consumedTokens);
}
