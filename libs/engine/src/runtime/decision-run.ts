import { evaluateExpression, evaluateExpressionWithWarnings } from '../expressions/expressions.js';
import { dropCancelingListenerJobs } from './task-listeners.js';
import type { ExecutableProcess, FlowNode, SequenceFlow, VariableMapping } from '../model/executable-model.js';
import type { Expression } from '../model/expression.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import { err, ok, type Result } from '../result.js';
import { applyEvent } from './appliers/appliers.js';
import { draftOf, type Draft } from './appliers/draft.js';
import { behaviorOf } from './behaviors/behaviors.js';
import type { ElementBehavior } from './behaviors/element-behavior.js';
import { multiInstanceBodyBehavior } from './behaviors/multi-instance-body.behavior.js';
import { flowsWithTrueConditions } from './behaviors/outgoing-flows.js';
import { standardLoopBehavior } from './behaviors/standard-loop.behavior.js';
import { cancelAsyncContinuations, createAsyncContinuation, stopsAfter, stopsBefore } from './async/async-continuations.js';
import { closeCatchSubscriptions, openBoundarySubscriptions } from './catch-events.js';
import { compensationHandlerLeft, recordCompensable } from './compensation.js';
import type { DecisionContext } from './decision.js';
import { DecisionBug, isLive, LIFECYCLE, TRANSITION_EVENT, type Outcome, type Problem } from './element-lifecycle.js';
import type { ElementActivating, IncidentType, ProcessInstanceEvent } from './process-instance-events.js';
import type { ElementInstance, ElementInstanceState, ProcessInstanceState } from './process-instance-state.js';
import { assignTo, describeValue, lookupFrom, propagationTargets, sourceText } from './variables.js';
import type { VariableLookup } from '../expressions/expression-evaluator.js';

/** Follow-up work inside one decision, run in order until none is left. */
interface Step {
  readonly kind: 'activate' | 'complete';
  readonly elementInstanceId: string;
}

/** A decision that has not come to rest after this many steps is looping without a wait state. */
const MAX_STEPS = 100_000;

export interface CreateOptions {
  readonly elementType?: ElementActivating['data']['elementType'];
  readonly loopCounter?: number;
  readonly consumedTokens?: readonly string[];
  /** Local variables the instance starts with (a multi-instance iteration's loopCounter and item). */
  readonly locals?: JsonObject;
  /** The id to give the instance, when an event before its creation names it (an event sub-process's trigger). */
  readonly elementInstanceId?: string;
}

/**
 * One decision in progress: a private draft of the state, the events emitted so far (each applied to the draft at
 * once, so later steps see it) and a queue of follow-up steps. It holds the shared element lifecycle; what differs
 * per kind of element lives in the behaviours.
 */
export class DecisionRun {
  state: Draft;
  readonly events: ProcessInstanceEvent[] = [];
  private readonly queue: Step[] = [];
  private head = 0;
  private steps = 0;

  constructor(
    private readonly initial: ProcessInstanceState,
    readonly context: DecisionContext,
  ) {
    this.state = draftOf(initial);
  }

  get process(): ExecutableProcess {
    return this.context.process;
  }

  get now(): string {
    return this.context.now;
  }

  newId(): string {
    return this.context.newId();
  }

  emit(event: ProcessInstanceEvent): void {
    this.events.push(event);
    applyEvent(this.state, event);
  }

  node(elementId: string): FlowNode {
    const node = this.process.elements[elementId];
    if (node === undefined) throw new DecisionBug(`Element '${elementId}' is not part of process '${this.process.id}'`);
    return node;
  }

  flow(flowId: string): SequenceFlow {
    const flow = this.process.flows[flowId];
    if (flow === undefined) throw new DecisionBug(`Sequence flow '${flowId}' is not part of process '${this.process.id}'`);
    return flow;
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------------

  /** Moves an element instance to its next lifecycle state, checked against the lifecycle table. */
  transition(elementInstanceId: string, to: ElementInstanceState): void {
    const instance = this.state.elementInstances[elementInstanceId];
    if (instance === undefined) throw new DecisionBug(`Element instance '${elementInstanceId}' cannot become ${to}: it does not exist`);
    if (!LIFECYCLE[instance.state].includes(to)) {
      throw new DecisionBug(`Element instance '${elementInstanceId}' (${instance.elementId}) cannot go from ${instance.state} to ${to}`);
    }
    this.emit({ type: TRANSITION_EVENT[to], data: { elementInstanceId } } as ProcessInstanceEvent);
  }

  activated(instance: ElementInstance): void {
    this.transition(instance.id, 'activated');
  }

  /** Queues the completion of an activated instance. */
  complete(instance: ElementInstance): void {
    this.queue.push({ kind: 'complete', elementInstanceId: instance.id });
  }

  /** Runs queued steps until none is left: the command has then run to quiescence. */
  runToQuiescence(): void {
    while (this.head < this.queue.length) {
      if (++this.steps > MAX_STEPS) {
        throw new DecisionBug(`The command did not come to rest after ${MAX_STEPS} steps: does the process loop without a wait state?`);
      }
      const step = this.queue[this.head++];
      const instance = this.state.elementInstances[step.elementInstanceId];
      // Terminated meanwhile (e.g. by a terminate end event on a parallel branch).
      if (instance === undefined) continue;
      if (step.kind === 'activate') {
        this.activate(instance);
      } else {
        this.transition(instance.id, 'completing');
        this.finishCompleting(this.state.elementInstances[instance.id]);
      }
    }
  }

  /** The activation step of an activating instance; run again when its incident is resolved. */
  activate(instance: ElementInstance): void {
    this.attempt(instance, () => {
      const node = this.node(instance.elementId);
      const behavior = this.behaviorFor(instance, node);
      if (behavior === undefined) return unsupported(node);
      // asyncBefore: the instance waits, activating, for the job executor to run its continuation.
      if (stopsBefore(this, instance, node)) return createAsyncContinuation(this, instance, node, 'before');
      if (instance.elementType !== 'multiInstanceBody') {
        if (node.standardLoop !== undefined) {
          const runs = standardLoopBehavior.beforeIteration(this, instance, node);
          if (!runs.ok) return runs.error;
          if (!runs.value) {
            this.activated(instance);
            this.complete(instance);
            return undefined;
          }
        }
        const inputs = this.applyInputMappings(instance, node);
        if (inputs !== undefined) return inputs;
      }
      const activated = behavior.onActivate(this, instance, node);
      if (activated !== undefined) return activated;
      // Boundary events attach to the activity as a whole: to a multi-instance body, not to each of its iterations.
      const attachable = instance.elementType === 'multiInstanceBody' || node.multiInstance === undefined;
      if (attachable && node.boundaryEventIds !== undefined && this.state.elementInstances[instance.id]?.state === 'activated') {
        return openBoundarySubscriptions(this, this.state.elementInstances[instance.id], node);
      }
      return undefined;
    });
  }

  /** The completing step: output mappings, then the next iteration or the outgoing flows; run again when its incident is resolved. */
  finishCompleting(instance: ElementInstance): void {
    this.attempt(instance, () => {
      const node = this.node(instance.elementId);
      const behavior = this.behaviorFor(instance, node);
      if (behavior === undefined) return unsupported(node);
      const skipped = node.standardLoop !== undefined && instance.elementType !== 'multiInstanceBody' && standardLoopBehavior.wasSkipped(this, instance);
      if (!skipped) {
        const completed = behavior.onComplete?.(this, instance, node);
        if (completed !== undefined) return completed;
        // A body's variables are the iterations' business: the activity's mappings apply to each iteration.
        const mapped = instance.elementType === 'multiInstanceBody' ? undefined : this.applyOutputMappings(instance, node);
        if (mapped !== undefined) return mapped;
      }
      if (instance.elementType === 'multiInstanceBody') return this.leaveOrStop(instance, node);
      const scope = this.state.elementInstances[instance.flowScopeInstanceId];
      if (scope?.elementType === 'multiInstanceBody') return this.leaveOrStop(instance, node);
      if (node.standardLoop !== undefined && !skipped) {
        // Each iteration of a standard loop did the work once: each is compensated.
        recordCompensable(this, instance, node);
        return standardLoopBehavior.afterIteration(this, instance, node);
      }
      return this.leaveOrStop(instance, node);
    });
  }

  /**
   * asyncAfter: the element did its work; it waits, completing, for the job executor to run its continuation (its
   * boundary events are closed: it can no longer be interrupted, as in Camunda 7). Otherwise it leaves.
   */
  private leaveOrStop(instance: ElementInstance, node: FlowNode): Outcome {
    if (!stopsAfter(this, instance, node)) {
      // Remembered for compensation before its local variables (what its handler sees) leave with it.
      recordCompensable(this, instance, node);
      // An iteration of a multi-instance activity ends in its body, which decides whether another one follows.
      const scope = this.state.elementInstances[instance.flowScopeInstanceId];
      if (instance.elementType !== 'multiInstanceBody' && scope?.elementType === 'multiInstanceBody') {
        return multiInstanceBodyBehavior.onIterationCompleted(this, scope, instance, node);
      }
      return this.leave(instance, node);
    }
    const stopped = createAsyncContinuation(this, instance, node, 'after');
    if (stopped === undefined) closeCatchSubscriptions(this, instance.id);
    return stopped;
  }

  /** The asyncAfter continuation of a completing instance ran: it leaves by its outgoing flows. */
  leaveAfterAsync(instance: ElementInstance): void {
    this.attempt(instance, () => this.leaveOrStop(instance, this.node(instance.elementId)));
  }

  /** Terminates a live instance: its children first (innermost first), then what it handed out, then itself. */
  terminate(elementInstanceId: string): void {
    const instance = this.state.elementInstances[elementInstanceId];
    if (instance === undefined || !isLive(instance.state)) return;
    this.transition(instance.id, 'terminating');
    for (const child of this.liveChildren(instance.id)) this.terminate(child.id);
    const node = this.node(instance.elementId);
    this.behaviorFor(instance, node)?.onTerminate?.(this, instance, node);
    closeCatchSubscriptions(this, instance.id);
    cancelAsyncContinuations(this, instance.id);
    for (const incident of Object.values(this.state.incidents)) {
      if (incident.elementInstanceId === instance.id) this.emit({ type: 'IncidentResolved', data: { incidentId: incident.id } });
    }
    this.transition(instance.id, 'terminated');
  }

  private behaviorFor(instance: ElementInstance, node: FlowNode): ElementBehavior | undefined {
    return instance.elementType === 'multiInstanceBody' ? multiInstanceBodyBehavior : behaviorOf(node);
  }

  // ---- tokens ----------------------------------------------------------------------------------------------------

  /** A token arrives at an element: a multi-instance body, the first iteration of a standard loop, or a plain instance. */
  enter(node: FlowNode, flowScopeInstanceId: string, consumedTokens?: readonly string[]): string {
    if (node.multiInstance !== undefined) {
      return this.createInstance(node, flowScopeInstanceId, { elementType: 'multiInstanceBody', consumedTokens });
    }
    return this.createInstance(node, flowScopeInstanceId, {
      loopCounter: node.standardLoop === undefined ? undefined : 1,
      consumedTokens,
    });
  }

  createInstance(node: FlowNode, flowScopeInstanceId: string, options: CreateOptions = {}): string {
    const elementInstanceId = options.elementInstanceId ?? this.newId();
    this.emit({
      type: 'ElementActivating',
      data: {
        elementInstanceId,
        elementId: node.id,
        elementType: options.elementType ?? node.kind,
        flowScopeInstanceId,
        ...(options.loopCounter === undefined ? {} : { loopCounter: options.loopCounter }),
        ...(options.consumedTokens === undefined ? {} : { consumedTokens: options.consumedTokens }),
      },
    });
    if (options.locals !== undefined) this.setLocal(elementInstanceId, options.locals);
    this.queue.push({ kind: 'activate', elementInstanceId });
    return elementInstanceId;
  }

  /** The instance completes and its token moves on by the selected outgoing flows. */
  leave(instance: ElementInstance, node: FlowNode): Outcome {
    const behavior = this.behaviorFor(instance, node);
    const flows = behavior?.selectOutgoing?.(this, instance, node) ?? flowsWithTrueConditions(this, instance, node, { firstOnly: false, defaultFlowId: node.defaultFlowId });
    if (!flows.ok) return flows.error;
    closeCatchSubscriptions(this, instance.id);
    this.transition(instance.id, 'completed');
    for (const flow of flows.value) this.takeFlow(flow, instance.flowScopeInstanceId);
    // A compensation handler (it has no outgoing flows) is done: the next one starts, or its throw event goes on.
    const compensated = compensationHandlerLeft(this, instance);
    if (compensated !== undefined) return compensated;
    // A link throw event's token goes on at its link catch event, entered before the scope is looked at so that a
    // token crossing a link never leaves its scope idle.
    const linked = node.kind === 'intermediateThrowEvent' ? node.link?.catchEventId : undefined;
    if (linked !== undefined) this.enter(this.node(linked), instance.flowScopeInstanceId);
    return this.scopeChanged(instance.flowScopeInstanceId, behavior?.completesFlowScope?.(node) ?? false);
  }

  private takeFlow(flow: SequenceFlow, flowScopeInstanceId: string): void {
    const target = this.node(flow.targetId);
    const joining = target.incoming.length > 1 && behaviorOf(target)?.join !== undefined;
    this.emit({
      type: 'SequenceFlowTaken',
      data: {
        flowId: flow.id,
        sourceElementId: flow.sourceId,
        targetElementId: flow.targetId,
        flowScopeInstanceId,
        ...(joining ? { joinToken: true } : {}),
      },
    });
    // A joining gateway fires once all flows are taken (see scopeChanged), never halfway through a fork.
    if (!joining) this.enter(target, flowScopeInstanceId);
  }

  /**
   * Something ended or a token arrived in a flow scope: fire the joins that may now fire, then complete the scope
   * when nothing is left alive or waiting in it (or at once, after a terminate end event).
   */
  private scopeChanged(flowScopeInstanceId: string, force: boolean): Outcome {
    this.fireReadyJoins(flowScopeInstanceId);
    if (flowScopeInstanceId === this.state.processInstanceId) {
      if (this.state.status === 'active' && (force || this.isIdle(flowScopeInstanceId))) {
        // The process level's event sub-processes stop waiting with it.
        closeCatchSubscriptions(this, flowScopeInstanceId);
        dropCancelingListenerJobs(this);
        this.emit({ type: 'ProcessInstanceCompleted', data: { endedAt: this.now } });
      }
      return undefined;
    }
    const scope = this.state.elementInstances[flowScopeInstanceId];
    // A multi-instance body completes by counting its iterations (see its behaviour), not by running empty.
    if (scope === undefined || scope.elementType === 'multiInstanceBody' || scope.state !== 'activated') return undefined;
    // An ad-hoc sub-process decides itself (completion condition, elements waiting their turn).
    const scopeNode = this.node(scope.elementId);
    const decides = force ? undefined : behaviorOf(scopeNode)?.onInnerElementLeft;
    if (decides !== undefined) return decides(this, scope, scopeNode, this.isIdle(flowScopeInstanceId));
    if (force || this.isIdle(flowScopeInstanceId)) this.complete(scope);
    return undefined;
  }

  private fireReadyJoins(flowScopeInstanceId: string): void {
    const prefix = `${flowScopeInstanceId}/`;
    for (let fired = true; fired; ) {
      fired = false;
      for (const key of Object.keys(this.state.joinTokens)) {
        const tokens = this.state.joinTokens[key];
        if (!key.startsWith(prefix) || tokens === undefined) continue;
        const gateway = this.node(key.slice(prefix.length));
        const consumed = behaviorOf(gateway)?.join?.(this, flowScopeInstanceId, gateway, tokens);
        if (consumed !== undefined && consumed.length > 0) {
          this.enter(gateway, flowScopeInstanceId, consumed);
          fired = true;
        }
      }
    }
  }

  isIdle(flowScopeInstanceId: string): boolean {
    if (this.liveChildren(flowScopeInstanceId).length > 0) return false;
    const prefix = `${flowScopeInstanceId}/`;
    return !Object.keys(this.state.joinTokens).some((key) => key.startsWith(prefix));
  }

  liveChildren(flowScopeInstanceId: string): ElementInstance[] {
    return Object.values(this.state.elementInstances).filter(
      (instance) => instance.flowScopeInstanceId === flowScopeInstanceId && isLive(instance.state),
    );
  }

  /**
   * Nodes of a flow scope where a token still is: live element instances, and joining gateways (other than
   * `except`) with tokens waiting.
   */
  busyNodes(flowScopeInstanceId: string, except: string): Set<string> {
    const busy = new Set<string>();
    for (const instance of Object.values(this.state.elementInstances)) {
      if (instance.flowScopeInstanceId === flowScopeInstanceId) busy.add(instance.elementId);
    }
    const prefix = `${flowScopeInstanceId}/`;
    for (const key of Object.keys(this.state.joinTokens)) {
      if (key.startsWith(prefix) && key !== `${prefix}${except}`) busy.add(key.slice(prefix.length));
    }
    return busy;
  }

  // ---- variables -------------------------------------------------------------------------------------------------

  lookup(scopeInstanceId: string, overlay?: JsonObject): VariableLookup {
    return lookupFrom(this.state, scopeInstanceId, overlay);
  }

  evaluate(expression: Expression, scopeInstanceId: string, incidentType: IncidentType, overlay?: JsonObject): Result<JsonValue, Problem> {
    const evaluated = evaluateExpression(expression, { variables: this.lookup(scopeInstanceId, overlay), now: this.now });
    return evaluated.ok ? evaluated : err({ incidentType, message: evaluated.error.message });
  }

  /** A condition must be a boolean: anything else (null for a missing variable, say) is a CONDITION_ERROR naming it. */
  evaluateCondition(expression: Expression, scopeInstanceId: string, subject: string, overlay?: JsonObject): Result<boolean, Problem> {
    if (expression.language === 'static') {
      const literal = expression.source.trim().toLowerCase();
      if (literal === 'true' || literal === 'false') return ok(literal === 'true');
    }
    const evaluated = evaluateExpressionWithWarnings(expression, { variables: this.lookup(scopeInstanceId, overlay), now: this.now });
    if (!evaluated.ok) return err({ incidentType: 'CONDITION_ERROR', message: `Failed to evaluate ${subject}: ${evaluated.error.message}` });
    const { value, warnings } = evaluated.value;
    if (typeof value === 'boolean') return ok(value);
    const why = warnings.length > 0 ? ` (${warnings.join('; ')})` : '';
    return err({
      incidentType: 'CONDITION_ERROR',
      message: `Expected ${subject} '${sourceText(expression)}' to be a boolean, but it was ${describeValue(value)}${why}`,
    });
  }

  /** Sets variables in one scope. */
  setLocal(scopeInstanceId: string, variables: JsonObject): void {
    if (Object.keys(variables).length === 0) return;
    this.emit({ type: 'VariablesSet', data: { scopeInstanceId, variables } });
  }

  /** Sets each variable in the nearest scope, from `fromScopeId` outwards, that already holds it, else in the process instance. */
  propagate(fromScopeId: string, variables: JsonObject): void {
    for (const [scopeInstanceId, group] of propagationTargets(this.state, fromScopeId, variables)) this.setLocal(scopeInstanceId, group);
  }

  /**
   * Variables a job, user task or script hands back: local to the element when it has output mappings (which then
   * decide what leaves it), else propagated from the element itself, as Zeebe and Camunda 7 do (a local variable
   * of the element, e.g. one a multi-instance iteration made by an input mapping, takes the value).
   */
  setCompletionVariables(instance: ElementInstance, node: FlowNode, variables: JsonObject | undefined): void {
    if (variables === undefined) return;
    if (node.outputMappings.length > 0) this.setLocal(instance.id, variables);
    else this.propagate(instance.id, variables);
  }

  private applyInputMappings(instance: ElementInstance, node: FlowNode): Outcome {
    if (node.inputMappings.length === 0) return undefined;
    const values = this.evaluateMappings(node.inputMappings, instance.id, 'input');
    if (!values.ok) return values.error;
    this.setLocal(instance.id, values.value);
    return undefined;
  }

  /**
   * Output mappings are evaluated in the element's scope and written from its flow scope outwards; a multi-instance
   * iteration writes from its own scope, as in Zeebe, so that the output element can read what it mapped.
   */
  private applyOutputMappings(instance: ElementInstance, node: FlowNode): Outcome {
    if (node.outputMappings.length === 0) return undefined;
    const values = this.evaluateMappings(node.outputMappings, instance.id, 'output');
    if (!values.ok) return values.error;
    const iteration = this.state.elementInstances[instance.flowScopeInstanceId]?.elementType === 'multiInstanceBody';
    this.propagate(iteration ? instance.id : instance.flowScopeInstanceId, values.value);
    return undefined;
  }

  /**
   * Evaluates mappings in the element's scope, each seeing the ones before it; a dotted target (`order.total`) merges
   * into the object that the first name holds as seen from there, as in Zeebe.
   */
  private evaluateMappings(mappings: readonly VariableMapping[], scopeInstanceId: string, direction: 'input' | 'output'): Result<JsonObject, Problem> {
    const values: JsonObject = {};
    const existing = this.lookup(scopeInstanceId);
    for (const mapping of mappings) {
      const value = this.evaluate(mapping.source, scopeInstanceId, 'IO_MAPPING_ERROR', values);
      if (!value.ok) {
        return err({ incidentType: 'IO_MAPPING_ERROR', message: `Failed to map ${direction} variable '${mapping.target}': ${value.error.message}` });
      }
      assignTo(values, mapping.target, value.value, existing);
    }
    return ok(values);
  }

  // ---- incidents -------------------------------------------------------------------------------------------------

  /**
   * Runs a step of an element instance as a unit: when it meets a problem, its events and follow-up steps are
   * discarded and an incident is raised instead; the instance stays where it was until the incident is resolved.
   */
  private attempt(instance: ElementInstance, step: () => Outcome): void {
    const eventMark = this.events.length;
    const queueMark = this.queue.length;
    const problem = step();
    if (problem === undefined) return;
    this.events.length = eventMark;
    this.queue.length = queueMark;
    this.rebuildState();
    this.raiseIncident(instance, problem);
  }

  /**
   * Discards the events from `eventMark` on (an asynchronous continuation whose run failed: see
   * `runAsyncContinuation`). Only once the queue is empty, so that no follow-up step of them is left.
   */
  rollBackTo(eventMark: number): void {
    if (this.head < this.queue.length) throw new DecisionBug('Cannot roll back while steps are queued');
    this.events.length = eventMark;
    this.rebuildState();
  }

  private rebuildState(): void {
    // Failures are rare: rebuilding the draft from the events kept is simpler than undoing appliers.
    this.state = draftOf(this.initial);
    for (const event of this.events) applyEvent(this.state, event);
  }

  raiseIncident(instance: ElementInstance, problem: Problem, jobId?: string): void {
    this.emit({
      type: 'IncidentCreated',
      data: {
        incidentId: this.newId(),
        incidentType: problem.incidentType,
        message: problem.message,
        elementId: instance.elementId,
        elementInstanceId: instance.id,
        ...(jobId === undefined ? {} : { jobId }),
        createdAt: this.now,
      },
    });
  }
}

function unsupported(node: FlowNode): Problem {
  return { incidentType: 'UNSUPPORTED', message: `Elements of kind '${String(node.kind)}' cannot be executed by this version` };
}
