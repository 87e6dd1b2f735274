import { flowNodeSupport, type FlowNodeSupport } from './flow-node-support.js';
import type { ModelErrorCollector } from './model-error-collector.js';
import { booleanProperty, elementProperty, elementsProperty, idOf, type ModdleElement } from './moddle-element.js';

export interface NodeEntry {
  readonly element: ModdleElement;
  readonly id: string;
  /** The process id, or the id of the enclosing sub-process. */
  readonly parentId: string;
  readonly support: FlowNodeSupport;
  /** True for the flow nodes directly inside an event sub-process (`triggeredByEvent="true"`). */
  readonly inEventSubProcess?: boolean;
}

export interface FlowEntry {
  readonly element: ModdleElement;
  readonly id: string;
  readonly parentId: string;
}

/** The flow nodes and sequence flows of one process, nested ones included, in document order. */
export interface ProcessGraph {
  readonly processId: string;
  readonly nodes: ReadonlyMap<string, NodeEntry>;
  readonly flows: ReadonlyMap<string, FlowEntry>;
  /**
   * The associations (`bpmn:association` artifacts) of the process and its sub-processes, by source element id: what
   * links a compensation boundary event to its handler.
   */
  readonly associations: ReadonlyMap<string, readonly string[]>;
}

/**
 * Walks a process and its embedded sub-processes. Flow nodes this version does not execute are reported here,
 * once, and not entered: what is inside a transaction or an ad-hoc sub-process would only repeat the news.
 * Data objects, data stores, artifacts and lanes have no execution semantics in this engine and are skipped.
 */
export function collectProcessGraph(process: ModdleElement, processId: string, errors: ModelErrorCollector): ProcessGraph {
  const nodes = new Map<string, NodeEntry>();
  const flows = new Map<string, FlowEntry>();
  const associations = new Map<string, string[]>();

  const visit = (container: ModdleElement, parentId: string, inEventSubProcess: boolean): void => {
    for (const artifact of elementsProperty(container, 'artifacts')) {
      if (artifact.$type !== 'bpmn:Association') continue;
      const source = elementProperty(artifact, 'sourceRef');
      const target = elementProperty(artifact, 'targetRef');
      const sourceId = source === undefined ? undefined : idOf(source);
      const targetId = target === undefined ? undefined : idOf(target);
      if (sourceId !== undefined && targetId !== undefined) associations.set(sourceId, [...(associations.get(sourceId) ?? []), targetId]);
    }
    for (const element of elementsProperty(container, 'flowElements')) {
      const isFlow = element.$type === 'bpmn:SequenceFlow';
      const isFlowNode = !isFlow && element.$instanceOf('bpmn:FlowNode');
      if (!isFlow && !isFlowNode) continue;
      const id = idOf(element);
      if (id === undefined) {
        errors.add({
          code: 'MISSING_ATTRIBUTE',
          message: `a ${element.$type} in '${parentId}' has no id: every flow node and sequence flow needs one`,
          elementId: parentId,
          field: 'id',
        });
        continue;
      }
      if (nodes.has(id) || flows.has(id)) continue; // moddle reported the duplicate id
      if (isFlow) {
        flows.set(id, { element, id, parentId });
        continue;
      }
      const support = flowNodeSupport(element);
      nodes.set(id, { element, id, parentId, support, ...(inEventSubProcess ? { inEventSubProcess } : {}) });
      if (!support.executable) {
        errors.add({ code: support.code ?? 'NOT_SUPPORTED', message: support.message, elementId: id, ...(support.field === undefined ? {} : { field: support.field }) });
      } else if (support.kind === 'subProcess' || support.kind === 'adHocSubProcess') {
        visit(element, id, booleanProperty(element, 'triggeredByEvent') === true);
      }
    }
  };

  visit(process, processId, false);
  return { processId, nodes, flows, associations };
}
