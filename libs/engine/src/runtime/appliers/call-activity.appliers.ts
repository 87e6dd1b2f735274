import type {
  ChildProcessInstanceCancelRequested,
  ChildProcessInstanceCompleted,
  ChildProcessInstanceNotCreated,
  ChildProcessInstanceRequested,
} from '../process-instance-events.js';
import type { Draft } from './draft.js';

export function applyChildProcessInstanceRequested(draft: Draft, { data }: ChildProcessInstanceRequested): void {
  draft.childProcessInstances[data.elementInstanceId] = data;
}

/** The call activity no longer has a running child, whether it completed, was never created or is being cancelled. */
export function applyChildProcessInstanceEnded(
  draft: Draft,
  { data }: ChildProcessInstanceCompleted | ChildProcessInstanceNotCreated | ChildProcessInstanceCancelRequested,
): void {
  delete draft.childProcessInstances[data.elementInstanceId];
}
