import type { FlowNode, MultiInstanceLoop } from '../../model/executable-model.js';
import type { JsonObject, JsonValue } from '../../model/json.js';
import { err, type Result } from '../../result.js';
import type { DecisionRun } from '../decision-run.js';
import type { Outcome, Problem } from '../element-lifecycle.js';
import type { ElementInstance } from '../process-instance-state.js';
import type { ElementBehavior } from './element-behavior.js';
import { throwBehaviorEvents } from './multi-instance-behavior-events.js';
import { asCount, evaluateAs } from './values.js';

/**
 * The body of a multi-instance activity (elementType `multiInstanceBody`, same element id). It holds the counters
 * (Camunda 7 `nrOf…` and Zeebe `numberOf…` names) and the output collection as local variables, runs the iterations
 * (all at once, or one after another), and leaves by the activity's outgoing flows when they are done.
 * Each iteration is an instance of the activity itself with a local `loopCounter` (1-based) and input element.
 */
export const multiInstanceBodyBehavior: ElementBehavior & {
  onIterationCompleted(run: DecisionRun, body: ElementInstance, iteration: ElementInstance, node: FlowNode): Outcome;
} = {
  onActivate(run, body, node) {
    const loop = multiInstanceOf(node);
    const items = inputItems(run, body.id, node, loop);
    if (!items.ok) return items.error;
    const count = typeof items.value === 'number' ? items.value : items.value.length;
    const list = typeof items.value === 'number' ? undefined : items.value;
    run.setLocal(body.id, {
      ...counters(count, loop.isSequential ? Math.min(count, 1) : count, 0),
      ...(loop.outputCollection === undefined ? {} : { [loop.outputCollection]: new Array<JsonValue>(count).fill(null) }),
    });
    run.activated(body);
    if (count === 0) run.complete(body);
    const startNow = loop.isSequential ? Math.min(count, 1) : count;
    for (let loopCounter = 1; loopCounter <= startNow; loopCounter++) startIteration(run, body, node, loopCounter, list?.[loopCounter - 1]);
    return undefined;
  },

  onComplete(run, body, node) {
    const { outputCollection } = multiInstanceOf(node);
    if (outputCollection !== undefined) {
      run.propagate(body.flowScopeInstanceId, { [outputCollection]: run.state.variables[body.id]?.[outputCollection] ?? [] });
    }
    return undefined;
  },

  onIterationCompleted(run, body, iteration, node) {
    const loop = multiInstanceOf(node);
    const bodyVariables = run.state.variables[body.id] ?? {};
    const loopCounter = iteration.loopCounter ?? 1;
    const updates: JsonObject = {};
    if (loop.outputCollection !== undefined && loop.outputElement !== undefined) {
      const element = run.evaluate(loop.outputElement, iteration.id, 'EXPRESSION_ERROR');
      if (!element.ok) return element.error;
      const current = bodyVariables[loop.outputCollection];
      const collected = Array.isArray(current) ? [...current] : [];
      while (collected.length < loopCounter) collected.push(null);
      collected[loopCounter - 1] = element.value;
      updates[loop.outputCollection] = collected;
    }
    const total = numberIn(bodyVariables, 'nrOfInstances');
    const completed = numberIn(bodyVariables, 'nrOfCompletedInstances') + 1;
    const active = Math.max(numberIn(bodyVariables, 'nrOfActiveInstances') - 1, 0);
    run.setLocal(body.id, { ...updates, ...counters(total, active, completed) });
    const thrown = throwBehaviorEvents(run, body, iteration, node, loop, completed);
    if (thrown !== undefined) return thrown;
    // An interrupting boundary event caught what the body threw: the activity is terminated, iterations included.
    if (run.state.elementInstances[body.id]?.state !== 'activated') return undefined;
    let done = completed >= total;
    if (!done && loop.completionCondition !== undefined) {
      const condition = run.evaluateCondition(loop.completionCondition, iteration.id, `the completion condition of '${node.id}'`);
      if (!condition.ok) return condition.error;
      done = condition.value;
    }
    run.transition(iteration.id, 'completed');
    if (done) {
      for (const remaining of run.liveChildren(body.id)) run.terminate(remaining.id);
      run.complete(body);
      return undefined;
    }
    if (!loop.isSequential) return undefined;
    const next = loopCounter + 1;
    let item: JsonValue | undefined;
    if (loop.inputCollection !== undefined) {
      const items = inputItems(run, body.id, node, loop);
      if (!items.ok) return items.error;
      if (typeof items.value === 'number' || items.value.length < next) {
        return { incidentType: 'EXPRESSION_ERROR', message: `The input collection of '${node.id}' has no item ${next} any more` };
      }
      item = items.value[next - 1];
    }
    run.setLocal(body.id, counters(total, active + 1, completed));
    startIteration(run, body, node, next, item);
    return undefined;
  },
};

function multiInstanceOf(node: FlowNode): MultiInstanceLoop {
  // Only elements with multi-instance characteristics get a body (see DecisionRun.enter).
  return node.multiInstance as MultiInstanceLoop;
}

/** The items of the input collection, or the number of instances from the cardinality. */
function inputItems(run: DecisionRun, bodyId: string, node: FlowNode, loop: MultiInstanceLoop): Result<readonly JsonValue[] | number, Problem> {
  if (loop.inputCollection !== undefined) {
    return evaluateAs(run, loop.inputCollection, bodyId, `the input collection of '${node.id}'`, 'a list', (value) =>
      Array.isArray(value) ? value : undefined,
    );
  }
  if (loop.loopCardinality !== undefined) {
    return evaluateAs(run, loop.loopCardinality, bodyId, `the loop cardinality of '${node.id}'`, 'a whole number of at least 0', asCount);
  }
  return err({ incidentType: 'EXPRESSION_ERROR', message: `Multi-instance '${node.id}' has neither a loop cardinality nor an input collection` });
}

function startIteration(run: DecisionRun, body: ElementInstance, node: FlowNode, loopCounter: number, item: JsonValue | undefined): void {
  const { inputElement } = multiInstanceOf(node);
  run.createInstance(node, body.id, {
    loopCounter,
    locals: { loopCounter, ...(inputElement === undefined || item === undefined ? {} : { [inputElement]: item }) },
  });
}

function counters(instances: number, active: number, completed: number): JsonObject {
  return {
    nrOfInstances: instances,
    nrOfActiveInstances: active,
    nrOfCompletedInstances: completed,
    numberOfInstances: instances,
    numberOfActiveInstances: active,
    numberOfCompletedInstances: completed,
  };
}

function numberIn(variables: JsonObject, name: string): number {
  const value = variables[name];
  return typeof value === 'number' ? value : 0;
}
