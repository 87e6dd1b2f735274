import type { BoundaryEventNode, FlowNode } from '../model/executable-model.js';
import type { JsonObject } from '../model/json.js';
import { standardLoopBehavior } from './behaviors/standard-loop.behavior.js';
import { catchEventOccurred } from './catch-events.js';
import type { DecisionRun } from './decision-run.js';
import { DecisionBug, type Outcome } from './element-lifecycle.js';
import type { CompensableActivity, CompensationHandlerRun, ElementInstance } from './process-instance-state.js';

/**
 * Compensation (BPMN 2.0 §10.7): undoing the work of activities that completed. An activity with a compensation
 * boundary event is remembered in its scope when it completes (`CompensableActivityCompleted`), with its local
 * variables; so is a sub-process (or multi-instance body) in which such activities completed, with what completed in
 * it kept under its own instance id. A compensation throw event then runs the handlers of what completed in its
 * scope, one after the other, in reverse order of completion, and waits until the last is done (or, with
 * `waitForCompletion="false"`, goes on at once while they run, keeping its scope from completing). Handlers run in the
 * throw event's scope, with the compensated instance's variables (and those of the completed scopes around it) as
 * their locals. Only what completed is compensated, once.
 */

/** Whether a completing instance is to be remembered for compensation. */
function isCompensable(run: DecisionRun, instance: ElementInstance, node: FlowNode): boolean {
  if (node.isForCompensation === true || (node.kind === 'subProcess' && node.triggeredByEvent === true)) return false;
  // A standard loop's instance whose loop condition did not let it run did nothing to undo.
  if (node.standardLoop !== undefined && instance.elementType !== 'multiInstanceBody' && standardLoopBehavior.wasSkipped(run, instance)) return false;
  const inner = (run.state.compensableActivities[instance.id]?.length ?? 0) > 0;
  // Each iteration of a multi-instance activity is remembered in its body, which holds them.
  if (instance.elementType === 'multiInstanceBody') return inner;
  if (node.compensationHandlerId !== undefined) return true;
  if (node.kind === 'subProcess') return inner || node.compensationEventSubProcessId !== undefined;
  return node.kind === 'adHocSubProcess' && inner;
}

/** An activity instance is about to leave, completed: remembered in its scope when it can be compensated. */
export function recordCompensable(run: DecisionRun, instance: ElementInstance, node: FlowNode): void {
  if (!isCompensable(run, instance, node)) return;
  const body = instance.elementType === 'multiInstanceBody';
  // A body's own variables are its counters: each iteration carries its item.
  const variables = body ? undefined : run.state.variables[instance.id];
  run.emit({
    type: 'CompensableActivityCompleted',
    data: {
      scopeInstanceId: instance.flowScopeInstanceId,
      elementInstanceId: instance.id,
      elementId: instance.elementId,
      ...(body ? { multiInstanceBody: true } : {}),
      ...(variables === undefined || Object.keys(variables).length === 0 ? {} : { variables }),
    },
  });
}

interface Plan {
  readonly handlers: CompensationHandlerRun[];
  readonly released: string[];
}

/**
 * The handlers that compensate one completed instance: its own handler; for a sub-process without one, its
 * compensation event sub-process, or else (default compensation) what completed in it, in reverse order; for a
 * multi-instance body, each iteration in reverse order.
 */
function planCompensation(run: DecisionRun, record: CompensableActivity, inherited: JsonObject, plan: Plan): void {
  const node = run.node(record.elementId);
  const variables = { ...inherited, ...record.variables };
  const handler = (handlerId: string): CompensationHandlerRun => ({
    handlerId,
    compensatedInstanceId: record.elementInstanceId,
    ...(Object.keys(variables).length === 0 ? {} : { variables }),
  });
  if (record.multiInstanceBody !== true && node.compensationHandlerId !== undefined) {
    plan.handlers.push(handler(node.compensationHandlerId));
    plan.released.push(record.elementInstanceId);
    return;
  }
  if (record.multiInstanceBody !== true && node.kind === 'subProcess' && node.compensationEventSubProcessId !== undefined) {
    // What completed in the sub-process moves to the event sub-process's instance when it starts: a compensation
    // throw event in it compensates those.
    plan.handlers.push(handler(node.compensationEventSubProcessId));
    return;
  }
  plan.released.push(record.elementInstanceId);
  for (const inner of [...(run.state.compensableActivities[record.elementInstanceId] ?? [])].reverse()) planCompensation(run, inner, variables, plan);
}

/**
 * The scope a compensation throw event compensates: its own, or, when it is in an event sub-process started by an
 * event (an error caught, say), the scope that event sub-process runs in.
 */
export function compensatedScopeOf(run: DecisionRun, thrower: ElementInstance): string {
  const scope = run.state.elementInstances[thrower.flowScopeInstanceId];
  if (scope === undefined || scope.elementType === 'multiInstanceBody') return thrower.flowScopeInstanceId;
  const node = run.node(scope.elementId);
  if (node.kind !== 'subProcess' || node.triggeredByEvent !== true) return thrower.flowScopeInstanceId;
  const start = run.node(node.startEventId);
  const compensating = start.kind === 'startEvent' && start.eventDefinition?.type === 'compensation';
  return compensating ? thrower.flowScopeInstanceId : scope.flowScopeInstanceId;
}

/**
 * A compensation throw event or cancel end event (`thrower`, activated) compensates the completed instances of one
 * activity (`activityId`) or of every activity of `scopeInstanceId`: the handlers start one after the other, and the
 * thrower goes on once the last is done (at once when there is nothing to compensate). With `waitForCompletion`
 * false the thrower goes on at once, after the first handler started: the handlers run in its scope on their own, and
 * the scope completes only after them, since they are its children.
 */
export function throwCompensation(run: DecisionRun, thrower: ElementInstance, scopeInstanceId: string, activityId?: string, waitForCompletion = true): Outcome {
  const records = (run.state.compensableActivities[scopeInstanceId] ?? []).filter((record) => activityId === undefined || record.elementId === activityId);
  const plan: Plan = { handlers: [], released: [] };
  for (const record of [...records].reverse()) planCompensation(run, record, {}, plan);
  run.emit({
    type: 'CompensationThrown',
    data: {
      elementInstanceId: thrower.id,
      elementId: thrower.elementId,
      scopeInstanceId,
      handlers: plan.handlers,
      compensatedInstanceIds: records.map((record) => record.elementInstanceId),
      releasedScopeIds: plan.released,
      ...(waitForCompletion ? {} : { waitForCompletion: false, handlerScopeInstanceId: thrower.flowScopeInstanceId }),
    },
  });
  const started = startNextHandler(run, thrower.id);
  if (started !== undefined || waitForCompletion) return started;
  run.complete(thrower);
  return undefined;
}

/**
 * Starts the next handler of a compensation (by its thrower's instance id) in the scope the handlers run in, or, when
 * none is left, ends the compensation: a waiting thrower then goes on.
 */
function startNextHandler(run: DecisionRun, throwerId: string): Outcome {
  const compensation = run.state.compensations[throwerId];
  if (compensation === undefined) throw new DecisionBug(`Element instance '${throwerId}' threw no compensation in progress`);
  const detached = compensation.waitForCompletion === false;
  const thrower = run.state.elementInstances[throwerId];
  const next = compensation.pending[0];
  if (next === undefined) {
    run.emit({ type: 'CompensationCompleted', data: { elementInstanceId: throwerId } });
    if (detached) return undefined;
    if (thrower === undefined) throw new DecisionBug(`Compensation thrower '${throwerId}' ended while it waited`);
    return compensationDone(run, thrower);
  }
  const handlerScopeInstanceId = detached ? compensation.handlerScopeInstanceId : thrower?.flowScopeInstanceId;
  if (handlerScopeInstanceId === undefined) throw new DecisionBug(`Compensation of '${throwerId}' has no scope to run its handlers in`);
  const handlerInstanceId = run.newId();
  run.emit({
    type: 'CompensationHandlerStarted',
    data: { elementInstanceId: throwerId, handlerInstanceId, handlerId: next.handlerId, compensatedInstanceId: next.compensatedInstanceId },
  });
  const handler = run.node(next.handlerId);
  run.createInstance(handler, handlerScopeInstanceId, {
    elementInstanceId: handlerInstanceId,
    ...(handler.multiInstance === undefined ? {} : { elementType: 'multiInstanceBody' }),
    ...(next.variables === undefined ? {} : { locals: next.variables }),
  });
  return undefined;
}

/**
 * An instance left, completed: when it is the running handler of a compensation, the next handler starts (or the
 * waiting thrower goes on). A compensation nobody waits for goes on without its thrower, which has long moved on.
 */
export function compensationHandlerLeft(run: DecisionRun, instance: ElementInstance): Outcome {
  for (const [throwerId, compensation] of Object.entries(run.state.compensations)) {
    if (compensation.handlerInstanceId !== instance.id) continue;
    if (compensation.waitForCompletion !== false && run.state.elementInstances[throwerId] === undefined) return undefined;
    return startNextHandler(run, throwerId);
  }
  return undefined;
}

/** Every handler is done: a compensation event goes on; a cancel end event leaves its transaction by its cancel boundary event. */
function compensationDone(run: DecisionRun, thrower: ElementInstance): Outcome {
  const node = run.node(thrower.elementId);
  if (node.kind !== 'endEvent' || node.eventDefinition !== 'cancel') {
    run.complete(thrower);
    return undefined;
  }
  const transaction = run.state.elementInstances[thrower.flowScopeInstanceId];
  if (transaction === undefined) throw new DecisionBug(`Cancel end event '${thrower.elementId}' is not inside a running transaction`);
  // Boundary events attach to a multi-instance transaction as a whole: to its body.
  const body = run.state.elementInstances[transaction.flowScopeInstanceId];
  const owner = body?.elementType === 'multiInstanceBody' ? body : transaction;
  const cancel = (run.node(transaction.elementId).boundaryEventIds ?? [])
    .map((id) => run.node(id))
    .find((boundary): boundary is BoundaryEventNode => boundary.kind === 'boundaryEvent' && boundary.eventDefinition.type === 'cancel');
  if (cancel === undefined) throw new DecisionBug(`Transaction '${transaction.elementId}' has no cancel boundary event`);
  catchEventOccurred(run, owner, cancel);
  return undefined;
}

/**
 * A cancel end event was reached: everything else in its transaction is terminated, then what completed in the
 * transaction is compensated, and the transaction is left by its cancel boundary event.
 */
export function cancelTransaction(run: DecisionRun, end: ElementInstance): Outcome {
  for (const sibling of run.liveChildren(end.flowScopeInstanceId)) {
    if (sibling.id !== end.id) run.terminate(sibling.id);
  }
  return throwCompensation(run, end, end.flowScopeInstanceId);
}
