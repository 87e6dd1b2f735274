import { err, ok, type Result } from '../result.js';
import { handleCommand } from './command-handlers.js';
import { triggerSatisfiedConditions } from './conditions/conditional-events.js';
import type { DecisionContext, Failure } from './decision.js';
import { DecisionRun } from './decision-run.js';
import { DecisionBug } from './element-lifecycle.js';
import type { ProcessInstanceCommand } from './process-instance-commands.js';
import type { ProcessInstanceEvent } from './process-instance-events.js';
import type { ProcessInstanceState } from './process-instance-state.js';

/**
 * Decides what a command means for a process instance: the events to append, in one batch, after the command ran
 * to quiescence (every follow-up step done, up to the next wait state). The state is not changed. Never throws.
 */
export function decide(
  state: ProcessInstanceState,
  command: ProcessInstanceCommand,
  context: DecisionContext,
): Result<ProcessInstanceEvent[], Failure> {
  const decided = decideWithState(state, command, context);
  return decided.ok ? ok(decided.value.events) : decided;
}

export interface Decided {
  readonly events: ProcessInstanceEvent[];
  /** The state the decision left behind: the given state with the events applied. */
  readonly state: ProcessInstanceState;
}

/** Like `decide`, also returning the state the events lead to (it was built while deciding, so it costs nothing). */
export function decideWithState(
  state: ProcessInstanceState,
  command: ProcessInstanceCommand,
  context: DecisionContext,
): Result<Decided, Failure> {
  try {
    const run = new DecisionRun(state, context);
    const failure = handleCommand(run, command);
    if (failure !== undefined) return err(failure);
    run.runToQuiescence();
    triggerSatisfiedConditions(run);
    return ok({ events: run.events, state: run.state });
  } catch (error) {
    // A bug in the engine must not take the caller down with it: the command is rejected and nothing is written.
    const message = error instanceof DecisionBug ? error.message : `Internal error: ${error instanceof Error ? error.message : String(error)}`;
    return err({ code: 'INVALID_STATE', message });
  }
}
