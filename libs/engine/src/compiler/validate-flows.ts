import type { Expression } from '../model/expression.js';
import type { FlowNodeKind, SequenceFlow } from '../model/executable-model.js';
import { asFeel, compileExpression } from './expression-fields.js';
import { ElementExtensions } from './extension-elements.js';
import type { ModelErrorCollector } from './model-error-collector.js';
import { describeElement, elementProperty, expressionBody, idOf, stringProperty, textProperty } from './moddle-element.js';
import type { FlowEntry, NodeEntry, ProcessGraph } from './process-graph.js';

export interface ExpressionDefaults {
  /** `bpmn:definitions/@expressionLanguage` names FEEL: conditions without `=` or a language of their own are FEEL. */
  readonly feel?: boolean;
}

export interface ResolvedFlows {
  readonly flows: Record<string, SequenceFlow>;
  /** Incoming and outgoing flow ids per flow node id, in document order of the flows. */
  readonly incoming: ReadonlyMap<string, string[]>;
  readonly outgoing: ReadonlyMap<string, string[]>;
}

/** Sources whose outgoing conditions are evaluated: activities, exclusive and inclusive gateways. */
const conditionalSources: ReadonlySet<FlowNodeKind> = new Set<FlowNodeKind>([
  'task',
  'manualTask',
  'userTask',
  'serviceTask',
  'sendTask',
  'businessRuleTask',
  'scriptTask',
  'subProcess',
  'exclusiveGateway',
  'inclusiveGateway',
  'complexGateway',
  'adHocSubProcess',
]);

/**
 * Resolves every sequence flow of a process: both ends must be flow nodes of the flow's own scope, and a
 * condition must parse and sit where it is evaluated. Incoming and outgoing lists follow the flows' document
 * order, whether or not the model repeats them as `bpmn:incoming`/`bpmn:outgoing` elements.
 */
export function resolveFlows(graph: ProcessGraph, errors: ModelErrorCollector, defaults: ExpressionDefaults = {}): ResolvedFlows {
  const flows: Record<string, SequenceFlow> = {};
  const incoming = new Map<string, string[]>();
  const outgoing = new Map<string, string[]>();
  for (const id of graph.nodes.keys()) {
    incoming.set(id, []);
    outgoing.set(id, []);
  }

  for (const flow of graph.flows.values()) {
    const extensions = new ElementExtensions(flow.element, flow.id, errors);
    extensions.finish();
    const source = flowEnd(flow, 'sourceRef', graph, errors);
    const target = flowEnd(flow, 'targetRef', graph, errors);
    if (source !== undefined) outgoing.get(source.id)?.push(flow.id);
    if (target !== undefined) incoming.get(target.id)?.push(flow.id);
    const condition = readCondition(flow, source, errors, defaults);
    const name = stringProperty(flow.element, 'name');
    flows[flow.id] = {
      id: flow.id,
      ...(name === undefined ? {} : { name }),
      sourceId: source?.id ?? '',
      targetId: target?.id ?? '',
      ...(condition === undefined ? {} : { condition }),
    };
  }
  return { flows, incoming, outgoing };
}

function flowEnd(flow: FlowEntry, end: 'sourceRef' | 'targetRef', graph: ProcessGraph, errors: ModelErrorCollector): NodeEntry | undefined {
  const code = end === 'sourceRef' ? 'MISSING_FLOW_SOURCE' : 'MISSING_FLOW_TARGET';
  const referenced = elementProperty(flow.element, end);
  if (referenced === undefined) {
    // An id that names nothing was reported by the parser already.
    if (!errors.has(code, flow.id)) {
      errors.add({ code, message: `sequence flow '${flow.id}' has no ${end}`, elementId: flow.id, field: end });
    }
    return undefined;
  }
  const entry = graph.nodes.get(idOf(referenced) ?? '');
  if (entry === undefined || entry.element !== referenced) {
    errors.add({
      code,
      message: `sequence flow '${flow.id}' has ${end} ${describeElement(referenced)}, which is not a flow node of this process`,
      elementId: flow.id,
      field: end,
    });
    return undefined;
  }
  if (entry.parentId !== flow.parentId) {
    errors.add({
      code,
      message:
        `sequence flow '${flow.id}' in '${flow.parentId}' has ${end} '${entry.id}' in '${entry.parentId}': ` +
        'a sequence flow connects flow nodes of one process or sub-process',
      elementId: flow.id,
      field: end,
    });
    return undefined;
  }
  return entry;
}

/** Languages of `conditionExpression/@language` that name FEEL (Camunda 8, DMN-style tools). */
export const feelLanguage = /^(feel|https?:\/\/www\.omg\.org\/spec\/(feel|dmn)\/.*)$/i;
const juelLanguage = /^(juel|el)$/i;

function readCondition(flow: FlowEntry, source: NodeEntry | undefined, errors: ModelErrorCollector, defaults: ExpressionDefaults): Expression | undefined {
  const conditionElement = elementProperty(flow.element, 'conditionExpression');
  if (conditionElement === undefined) return undefined;
  const where = { elementId: flow.id, field: 'conditionExpression' };
  if (source !== undefined && source.support.executable && !conditionalSources.has(source.support.kind)) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message:
        `sequence flow '${flow.id}' has a condition, but ${describeElement(source.element)} never evaluates one: ` +
        'conditions belong on flows leaving an activity or an exclusive or inclusive gateway',
      ...where,
    });
    return undefined;
  }
  if (textProperty(conditionElement, 'camunda:resource') !== undefined) {
    errors.add({ code: 'NOT_SUPPORTED', message: 'not supported yet: camunda:resource (conditions loaded from a script resource)', ...where });
    return undefined;
  }
  const body = expressionBody(conditionElement) ?? '';
  if (body.trim() === '') {
    errors.add({ code: 'INVALID_EXPRESSION', message: `the condition of sequence flow '${flow.id}' is empty`, ...where });
    return undefined;
  }
  const language = textProperty(conditionElement, 'language');
  if (language === undefined && defaults.feel === true && !/[$#]\{/.test(body)) {
    return compileExpression(asFeel(body), { ...where, kind: 'condition' }, errors);
  }
  if (language === undefined || juelLanguage.test(language)) {
    return compileExpression(body, { ...where, kind: 'condition' }, errors);
  }
  if (feelLanguage.test(language)) return compileExpression(asFeel(body), { ...where, kind: 'condition' }, errors);
  errors.add({
    code: 'NOT_SUPPORTED',
    message: `not supported yet: conditions in language '${language}': write FEEL (=expression) or JUEL (\${expression})`,
    ...where,
  });
  return undefined;
}
