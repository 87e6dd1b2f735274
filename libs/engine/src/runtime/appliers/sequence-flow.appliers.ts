import type { SequenceFlowTaken } from '../process-instance-events.js';
import { joinKey, type Draft } from './draft.js';

export function applySequenceFlowTaken(draft: Draft, { data }: SequenceFlowTaken): void {
  if (data.joinToken !== true) return;
  const key = joinKey(data.flowScopeInstanceId, data.targetElementId);
  const tokens = draft.joinTokens[key] ?? {};
  draft.joinTokens[key] = { ...tokens, [data.flowId]: (tokens[data.flowId] ?? 0) + 1 };
}
