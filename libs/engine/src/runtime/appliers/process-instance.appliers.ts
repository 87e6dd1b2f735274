import type {
  ProcessInstanceCompleted,
  ProcessInstanceCreated,
  ProcessInstanceTerminated,
} from '../process-instance-events.js';
import type { Draft } from './draft.js';

export function applyProcessInstanceCreated(draft: Draft, { data }: ProcessInstanceCreated): void {
  draft.status = 'active';
  draft.processInstanceId = data.processInstanceId;
  draft.processDefinitionId = data.processDefinitionId;
  draft.processId = data.processId;
  draft.version = data.version;
  if (data.businessKey !== undefined) draft.businessKey = data.businessKey;
  if (data.correlationKey !== undefined) draft.correlationKey = data.correlationKey;
  draft.startedAt = data.startedAt;
  if (data.parentProcessInstanceId !== undefined && data.parentElementInstanceId !== undefined) {
    draft.parent = { processInstanceId: data.parentProcessInstanceId, elementInstanceId: data.parentElementInstanceId };
  }
}

/** Process variables stay readable after the end; waiting join tokens die with the instance. */
export function applyProcessInstanceCompleted(draft: Draft, { data }: ProcessInstanceCompleted): void {
  draft.status = 'completed';
  draft.endedAt = data.endedAt;
  draft.joinTokens = {};
}

export function applyProcessInstanceTerminated(draft: Draft, { data }: ProcessInstanceTerminated): void {
  draft.status = 'terminated';
  draft.endedAt = data.endedAt;
  draft.joinTokens = {};
}
