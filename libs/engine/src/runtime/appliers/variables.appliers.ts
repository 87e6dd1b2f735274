import type { VariablesSet } from '../process-instance-events.js';
import type { Draft } from './draft.js';

export function applyVariablesSet(draft: Draft, { data }: VariablesSet): void {
  draft.variables[data.scopeInstanceId] = { ...draft.variables[data.scopeInstanceId], ...data.variables };
}
