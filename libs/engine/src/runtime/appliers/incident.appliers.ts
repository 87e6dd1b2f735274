import type { IncidentCreated, IncidentResolved } from '../process-instance-events.js';
import type { Draft } from './draft.js';

export function applyIncidentCreated(draft: Draft, { data }: IncidentCreated): void {
  draft.incidents[data.incidentId] = {
    id: data.incidentId,
    type: data.incidentType,
    message: data.message,
    elementId: data.elementId,
    elementInstanceId: data.elementInstanceId,
    ...(data.jobId === undefined ? {} : { jobId: data.jobId }),
    createdAt: data.createdAt,
  };
}

export function applyIncidentResolved(draft: Draft, { data }: IncidentResolved): void {
  delete draft.incidents[data.incidentId];
}
