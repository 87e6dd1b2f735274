import type { IncidentType, ProcessInstanceEvent } from './process-instance-events.js';
import type { ElementInstanceState } from './process-instance-state.js';

/**
 * The element-instance lifecycle, as in Zeebe: activating → activated → completing → completed, and from any live
 * state terminating → terminated. Every step is checked against this table; anything else is a bug in the engine.
 */
export const LIFECYCLE: Readonly<Record<ElementInstanceState, readonly ElementInstanceState[]>> = {
  activating: ['activated', 'terminating'],
  activated: ['completing', 'terminating'],
  completing: ['completed', 'terminating'],
  completed: [],
  terminating: ['terminated'],
  terminated: [],
};

export const TRANSITION_EVENT: Readonly<Record<ElementInstanceState, ProcessInstanceEvent['type']>> = {
  activating: 'ElementActivating',
  activated: 'ElementActivated',
  completing: 'ElementCompleting',
  completed: 'ElementCompleted',
  terminating: 'ElementTerminating',
  terminated: 'ElementTerminated',
};

export function isLive(state: ElementInstanceState): boolean {
  return state === 'activating' || state === 'activated' || state === 'completing';
}

/**
 * Why a step of an element could not go on (an expression or mapping failed, no flow can be taken): the step's
 * events are discarded and an incident is raised on the element instance, which waits until it is resolved.
 */
export interface Problem {
  readonly incidentType: IncidentType;
  readonly message: string;
}

/** What a step returns: nothing when it went through, else the problem that stops it. */
export type Outcome = Problem | undefined;

/** A bug in the engine (e.g. an illegal lifecycle transition): the whole command is rejected, nothing is written. */
export class DecisionBug extends Error {}
