import { parseExpression } from '../expressions/expressions.js';
import { DECISION_JOB_TYPE } from '../model/decision-job.js';
import type {
  DecisionBinding,
  DecisionResultMapping,
  ExecutableProcess,
  FlowNode,
  MultiInstanceLoop,
  SequenceFlow,
  StandardLoop,
  UserTaskAssignment,
  VariableMapping,
} from '../model/executable-model.js';
import type { Expression } from '../model/expression.js';

/**
 * Builds executable processes for tests without BPMN XML: elements and flows are listed, the builder fills in
 * what the compiler would derive (parents, incoming and outgoing flows, start events, inclusive-join upstream nodes).
 */

type Mapping = readonly [source: string, target: string];

interface Common {
  readonly name?: string;
  readonly inputs?: readonly Mapping[];
  readonly outputs?: readonly Mapping[];
  readonly multiInstance?: {
    readonly sequential?: boolean;
    readonly cardinality?: string;
    readonly inputCollection?: string;
    readonly inputElement?: string;
    readonly outputCollection?: string;
    readonly outputElement?: string;
    readonly completionCondition?: string;
  };
  readonly loop?: { readonly condition?: string; readonly testBefore?: boolean; readonly maximum?: number };
}

type ListedNode = FlowNode extends infer N ? (N extends FlowNode ? Omit<N, 'parentId' | 'incoming' | 'outgoing'> : never) : never;

/** An element as listed by a test: a flow node without the derived fields, and sub-process contents. */
export interface ElementSpec {
  readonly node: ListedNode;
  readonly children?: readonly ElementSpec[];
  readonly flows?: readonly FlowSpec[];
}

export interface FlowSpec {
  readonly id: string;
  readonly sourceId: string;
  readonly targetId: string;
  readonly condition?: string;
}

export function expression(text: string): Expression {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function base(id: string, common: Common = {}) {
  const mappings = (list: readonly Mapping[] = []): VariableMapping[] =>
    list.map(([source, target]) => ({ source: expression(source), target }));
  const mi = common.multiInstance;
  const multiInstance: MultiInstanceLoop | undefined =
    mi === undefined
      ? undefined
      : {
          isSequential: mi.sequential ?? false,
          ...(mi.cardinality === undefined ? {} : { loopCardinality: expression(mi.cardinality) }),
          ...(mi.inputCollection === undefined ? {} : { inputCollection: expression(mi.inputCollection) }),
          ...(mi.inputElement === undefined ? {} : { inputElement: mi.inputElement }),
          ...(mi.outputCollection === undefined ? {} : { outputCollection: mi.outputCollection }),
          ...(mi.outputElement === undefined ? {} : { outputElement: expression(mi.outputElement) }),
          ...(mi.completionCondition === undefined ? {} : { completionCondition: expression(mi.completionCondition) }),
        };
  const loop = common.loop;
  const standardLoop: StandardLoop | undefined =
    loop === undefined
      ? undefined
      : {
          testBefore: loop.testBefore ?? false,
          ...(loop.condition === undefined ? {} : { loopCondition: expression(loop.condition) }),
          ...(loop.maximum === undefined ? {} : { loopMaximum: loop.maximum }),
        };
  return {
    id,
    ...(common.name === undefined ? {} : { name: common.name }),
    inputMappings: mappings(common.inputs),
    outputMappings: mappings(common.outputs),
    ...(multiInstance === undefined ? {} : { multiInstance }),
    ...(standardLoop === undefined ? {} : { standardLoop }),
  };
}

export const startEvent = (id: string, common?: Common): ElementSpec => ({ node: { ...base(id, common), kind: 'startEvent' } });

export const endEvent = (id: string, options: Common & { readonly terminate?: boolean } = {}): ElementSpec => ({
  node: { ...base(id, options), kind: 'endEvent', eventDefinition: options.terminate === true ? 'terminate' : 'none' },
});

export const task = (id: string, common?: Common): ElementSpec => ({ node: { ...base(id, common), kind: 'task' } });
export const manualTask = (id: string, common?: Common): ElementSpec => ({ node: { ...base(id, common), kind: 'manualTask' } });

export const serviceTask = (
  id: string,
  options: Common & {
    readonly type: string;
    readonly retries?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly kind?: 'serviceTask' | 'sendTask' | 'businessRuleTask';
  },
): ElementSpec => ({
  node: {
    ...base(id, options),
    kind: options.kind ?? 'serviceTask',
    job: { type: expression(options.type), retries: expression(options.retries ?? '3'), customHeaders: options.headers ?? {}, dialect: 'zeebe' },
  },
});

/** A business rule task that calls a decision, as the compiler builds it: a job of the reserved decision type. */
export const decisionTask = (
  id: string,
  options: Common & {
    readonly decisionId: string;
    readonly resultVariable?: string;
    readonly binding?: DecisionBinding;
    readonly version?: string;
    readonly versionTag?: string;
    readonly mapDecisionResult?: DecisionResultMapping;
    readonly dialect?: 'zeebe' | 'camunda';
  },
): ElementSpec => {
  const dialect = options.dialect ?? 'zeebe';
  return {
    node: {
      ...base(id, options),
      kind: 'businessRuleTask',
      job: { type: { language: 'static', source: DECISION_JOB_TYPE }, retries: expression('3'), customHeaders: {}, dialect },
      decision: {
        decisionId: expression(options.decisionId),
        ...(options.resultVariable === undefined ? {} : { resultVariable: options.resultVariable }),
        binding: options.binding ?? 'latest',
        ...(options.version === undefined ? {} : { version: expression(options.version) }),
        ...(options.versionTag === undefined ? {} : { versionTag: options.versionTag }),
        ...(options.mapDecisionResult === undefined ? {} : { mapDecisionResult: options.mapDecisionResult }),
        dialect,
      },
    },
  };
};

export const userTask = (
  id: string,
  options: Common & { readonly [K in keyof UserTaskAssignment]?: string } & { readonly formKey?: string; readonly formId?: string } = {},
): ElementSpec => {
  const assignment: UserTaskAssignment = Object.fromEntries(
    (['assignee', 'candidateUsers', 'candidateGroups', 'dueDate', 'followUpDate', 'priority'] as const)
      .filter((field) => options[field] !== undefined)
      .map((field) => [field, expression(options[field] as string)]),
  );
  return {
    node: {
      ...base(id, options),
      kind: 'userTask',
      assignment,
      ...(options.formKey === undefined ? {} : { formKey: options.formKey }),
      ...(options.formId === undefined ? {} : { formId: options.formId }),
    },
  };
};

export const scriptTask = (id: string, options: Common & { readonly script: string; readonly resultVariable?: string }): ElementSpec => ({
  node: {
    ...base(id, options),
    kind: 'scriptTask',
    script: expression(options.script),
    ...(options.resultVariable === undefined ? {} : { resultVariable: options.resultVariable }),
  },
});

const gateway =
  (kind: 'exclusiveGateway' | 'parallelGateway' | 'inclusiveGateway') =>
  (id: string, options: Common & { readonly default?: string } = {}): ElementSpec => ({
    node: { ...base(id, options), kind, ...(options.default === undefined ? {} : { defaultFlowId: options.default }) },
  });

export const exclusiveGateway = gateway('exclusiveGateway');
export const parallelGateway = gateway('parallelGateway');
export const inclusiveGateway = gateway('inclusiveGateway');

export const subProcess = (
  id: string,
  contents: { readonly elements: readonly ElementSpec[]; readonly flows: readonly FlowSpec[] },
  common?: Common,
): ElementSpec => {
  const start = contents.elements.find((element) => element.node.kind === 'startEvent');
  return {
    node: {
      ...base(id, common),
      kind: 'subProcess',
      startEventId: start?.node.id ?? '',
      childIds: contents.elements.map((element) => element.node.id),
    },
    children: contents.elements,
    flows: contents.flows,
  };
};

/** A sequence flow; its id defaults to `source-target`. */
export const flow = (sourceId: string, targetId: string, options: { readonly id?: string; readonly condition?: string } = {}): FlowSpec => ({
  id: options.id ?? `${sourceId}-${targetId}`,
  sourceId,
  targetId,
  ...(options.condition === undefined ? {} : { condition: options.condition }),
});

/** Flows between consecutive elements: `sequence('a', 'b', 'c')` is a→b and b→c. */
export const sequence = (...ids: string[]): FlowSpec[] => ids.slice(1).map((id, index) => flow(ids[index], id));

export function buildProcess(id: string, elements: readonly ElementSpec[], flows: readonly FlowSpec[]): ExecutableProcess {
  const nodes: Record<string, FlowNode> = {};
  const sequenceFlows: Record<string, SequenceFlow> = {};
  const collect = (parentId: string, specs: readonly ElementSpec[], flowSpecs: readonly FlowSpec[]): void => {
    for (const spec of specs) {
      nodes[spec.node.id] = { ...spec.node, parentId, incoming: [], outgoing: [] } as FlowNode;
      collect(spec.node.id, spec.children ?? [], spec.flows ?? []);
    }
    for (const flowSpec of flowSpecs) {
      sequenceFlows[flowSpec.id] = {
        id: flowSpec.id,
        sourceId: flowSpec.sourceId,
        targetId: flowSpec.targetId,
        ...(flowSpec.condition === undefined ? {} : { condition: expression(flowSpec.condition) }),
      };
    }
  };
  collect(id, elements, flows);
  const incoming: Record<string, string[]> = {};
  const outgoing: Record<string, string[]> = {};
  for (const sequenceFlow of Object.values(sequenceFlows)) {
    (outgoing[sequenceFlow.sourceId] ??= []).push(sequenceFlow.id);
    (incoming[sequenceFlow.targetId] ??= []).push(sequenceFlow.id);
  }
  for (const node of Object.values(nodes)) {
    nodes[node.id] = { ...node, incoming: incoming[node.id] ?? [], outgoing: outgoing[node.id] ?? [] };
  }
  return {
    id,
    elements: nodes,
    flows: sequenceFlows,
    startEventIds: elements.filter((element) => element.node.kind === 'startEvent').map((element) => element.node.id),
    inclusiveJoinUpstream: inclusiveJoinUpstream(nodes, sequenceFlows),
  };
}

/** For each inclusive join: the nodes from which each incoming flow can be reached without passing the gateway. */
function inclusiveJoinUpstream(
  nodes: Readonly<Record<string, FlowNode>>,
  flows: Readonly<Record<string, SequenceFlow>>,
): Record<string, Record<string, string[]>> {
  const upstream: Record<string, Record<string, string[]>> = {};
  for (const gateway of Object.values(nodes)) {
    if (gateway.kind !== 'inclusiveGateway' || gateway.incoming.length < 2) continue;
    upstream[gateway.id] = {};
    for (const flowId of gateway.incoming) {
      const seen = new Set<string>();
      const pending = [flows[flowId].sourceId];
      while (pending.length > 0) {
        const nodeId = pending.pop() as string;
        if (nodeId === gateway.id || seen.has(nodeId)) continue;
        seen.add(nodeId);
        for (const incomingId of nodes[nodeId].incoming) pending.push(flows[incomingId].sourceId);
      }
      upstream[gateway.id][flowId] = [...seen];
    }
  }
  return upstream;
}
