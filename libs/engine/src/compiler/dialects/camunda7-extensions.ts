import type { Expression } from '../../model/expression.js';
import type { AsyncJobDefinition, DecisionBinding, DecisionResultMapping, FormBinding, VariableMapping } from '../../model/executable-model.js';
import { parseRetryCycle } from '../../runtime/async/retry-cycle.js';
import { compileExpression } from '../expression-fields.js';
import {
  booleanProperty,
  elementProperty,
  elementsProperty,
  stringProperty,
  textProperty,
  type ModdleElement,
} from '../moddle-element.js';
import { expressionValue, textValue, type ReadContext } from '../read-context.js';
import type { DialectUserTask, DialectValue } from './merge-dialects.js';

// Camunda 7: attributes and extension elements of the `camunda:` namespace (http://camunda.org/schema/1.0/bpmn).

export function readCamundaAsync(context: ReadContext): { asyncBefore?: true; asyncAfter?: true } {
  const { element } = context;
  const before = booleanProperty(element, 'camunda:asyncBefore') === true || booleanProperty(element, 'camunda:async') === true;
  const after = booleanProperty(element, 'camunda:asyncAfter') === true;
  return { ...(before ? { asyncBefore: true } : {}), ...(after ? { asyncAfter: true } : {}) };
}

/**
 * The job attributes of asynchronous continuations: `camunda:failedJobRetryTimeCycle` (also the retry back-off of a
 * job task's worker job, which `readCamundaJob` took already and hands in as `jobRetryTimeCycle`), checked here so a
 * cycle that cannot be read is refused at deployment; `camunda:jobPriority` (a whole number or an expression) and
 * `camunda:exclusive`. Returned only for an element with `asyncBefore` or `asyncAfter`.
 */
export function readCamundaAsyncJob(
  context: ReadContext,
  async: { asyncBefore?: true; asyncAfter?: true },
  jobRetryTimeCycle: string | undefined,
): { asyncJob?: AsyncJobDefinition } {
  const { element, elementId, errors } = context;
  const cycleElement = context.extensions.take('camunda:FailedJobRetryTimeCycle');
  const retryTimeCycle = (cycleElement === undefined ? undefined : textProperty(cycleElement, 'body')) ?? jobRetryTimeCycle;
  const field = 'camunda:failedJobRetryTimeCycle';
  let cycleValid = retryTimeCycle !== undefined;
  if (retryTimeCycle !== undefined) {
    const parsed = parseRetryCycle(retryTimeCycle);
    if (!parsed.ok) {
      cycleValid = false;
      const code = parsed.error.includes('expressions are not supported') ? 'NOT_SUPPORTED' : 'INVALID_ATTRIBUTE';
      errors.add({ code, message: `the ${field} of '${elementId}' cannot be read: ${parsed.error}`, elementId, field });
    }
  }
  const priority = readPriority(element, 'camunda:jobPriority', `'${elementId}'`, elementId, errors);
  if (async.asyncBefore !== true && async.asyncAfter !== true) return {};
  const exclusive = booleanProperty(element, 'camunda:exclusive') !== false;
  return {
    asyncJob: {
      ...(cycleValid && retryTimeCycle !== undefined ? { retryTimeCycle: retryTimeCycle.trim() } : {}),
      ...(priority === undefined ? {} : { priority }),
      exclusive,
    },
  };
}

/** `camunda:jobPriority` of a process: the default priority of its continuations. */
export function readProcessJobPriority(process: ModdleElement, processId: string, errors: ReadContext['errors']): Expression | undefined {
  return readPriority(process, 'camunda:jobPriority', `process '${processId}'`, processId, errors);
}

/** `camunda:taskPriority` of a process: the default priority of its external tasks. */
export function readProcessTaskPriority(process: ModdleElement, processId: string, errors: ReadContext['errors']): Expression | undefined {
  return readPriority(process, 'camunda:taskPriority', `process '${processId}'`, processId, errors);
}

/**
 * A priority attribute (`camunda:jobPriority`, `camunda:taskPriority`): a whole number or an expression evaluated later.
 * A literal that is no whole number is refused at deployment, naming the element.
 */
function readPriority(
  element: ModdleElement,
  field: 'camunda:jobPriority' | 'camunda:taskPriority',
  owner: string,
  elementId: string,
  errors: ReadContext['errors'],
): Expression | undefined {
  const text = textProperty(element, field);
  if (text === undefined) return undefined;
  const priority = compileExpression(text, { elementId, field, kind: 'value' }, errors);
  if (priority?.language === 'static' && !/^\s*-?\d+\s*$/.test(priority.source)) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `${field} of ${owner} must be a whole number or an expression, not '${text.trim()}'`,
      elementId,
      field,
    });
    return undefined;
  }
  return priority;
}

export interface Mappings {
  readonly inputs: VariableMapping[];
  readonly outputs: VariableMapping[];
}

/** `camunda:inputOutput`: parameters whose text is an expression or a literal; static lists and maps become FEEL. */
export function readCamundaMappings(context: ReadContext): Mappings {
  const inputOutput = context.extensions.take('camunda:InputOutput');
  if (inputOutput === undefined) return { inputs: [], outputs: [] };
  const read = (parameters: ModdleElement[], direction: 'inputParameter' | 'outputParameter'): VariableMapping[] =>
    parameters.flatMap((parameter) => {
      const target = textProperty(parameter, 'name');
      const field = `camunda:${direction}`;
      if (target === undefined) {
        context.errors.add({
          code: 'MISSING_ATTRIBUTE',
          message: `a ${field} of '${context.elementId}' has no name`,
          elementId: context.elementId,
          field: `${field}/@name`,
        });
        return [];
      }
      const source = parameterSource(context, parameter, `${field} '${target}'`);
      return source === undefined ? [] : [{ source, target }];
    });
  return {
    inputs: read(elementsProperty(inputOutput, 'inputParameters'), 'inputParameter'),
    outputs: read(elementsProperty(inputOutput, 'outputParameters'), 'outputParameter'),
  };
}

function parameterSource(context: ReadContext, parameter: ModdleElement, field: string): Expression | undefined {
  const definition = elementProperty(parameter, 'definition');
  if (definition === undefined) {
    const text = stringProperty(parameter, 'value')?.trim() ?? '';
    // An empty parameter sets the variable to null in Camunda 7.
    if (text === '') return { language: 'feel', source: 'null' };
    return compileExpression(text, { elementId: context.elementId, field, kind: 'value' }, context.errors);
  }
  const literal = staticFeelLiteral(definition);
  if (typeof literal === 'string') {
    return compileExpression(`=${literal}`, { elementId: context.elementId, field, kind: 'feel' }, context.errors);
  }
  context.errors.add({ code: 'NOT_SUPPORTED', message: `not supported yet: ${literal.unsupported} in ${field}`, elementId: context.elementId, field });
  return undefined;
}

/**
 * A `camunda:list` or `camunda:map` of literal text, as a FEEL list or context literal. Items that are expressions
 * or scripts would have to be evaluated one by one, which FEEL cannot express for JUEL: they are refused.
 */
function staticFeelLiteral(definition: ModdleElement): string | { unsupported: string } {
  const text = (value: string | undefined): string | { unsupported: string } => {
    if (value === undefined) return 'null';
    if (value.includes('${') || value.includes('#{') || value.trim().startsWith('=')) {
      return { unsupported: 'expressions inside camunda:list or camunda:map' };
    }
    return JSON.stringify(value);
  };
  switch (definition.$type) {
    case 'camunda:Value':
      return text(stringProperty(definition, 'value'));
    case 'camunda:List': {
      const items = elementsProperty(definition, 'items').map(staticFeelLiteral);
      const refused = items.find((item) => typeof item !== 'string');
      return refused ?? `[${items.join(', ')}]`;
    }
    case 'camunda:Map': {
      const entries: string[] = [];
      for (const entry of elementsProperty(definition, 'entries')) {
        const nested = elementProperty(entry, 'definition');
        const value = nested === undefined ? text(stringProperty(entry, 'value')) : staticFeelLiteral(nested);
        if (typeof value !== 'string') return value;
        entries.push(`${JSON.stringify(stringProperty(entry, 'key') ?? '')}: ${value}`);
      }
      return `{${entries.join(', ')}}`;
    }
    case 'camunda:Script':
      return { unsupported: 'camunda:script (scripts in variable mappings)' };
    default:
      return { unsupported: definition.$type };
  }
}

const javaDelegateAttributes = ['camunda:class', 'camunda:delegateExpression', 'camunda:expression'] as const;

export interface CamundaJob {
  readonly type?: DialectValue<Expression>;
  readonly retryTimeCycle?: string;
  /** `camunda:taskPriority` of an external task. */
  readonly priority?: Expression;
  /** A Camunda 7 implementation this version cannot run was found (and reported). */
  readonly refused: boolean;
}

/**
 * Service, send and business rule tasks: `camunda:type="external"` with `camunda:topic` is an external task, a
 * job fetched by a worker, with its `camunda:taskPriority`. Java delegates are refused with a pointer to what works.
 */
export function readCamundaJob(context: ReadContext): CamundaJob {
  const { element, elementId, errors } = context;
  let refused = false;
  for (const attribute of javaDelegateAttributes) {
    const value = textProperty(element, attribute);
    if (value === undefined) continue;
    refused = true;
    errors.add({
      code: 'NOT_SUPPORTED',
      message:
        `not supported yet: ${attribute}="${value}" (Java delegates run only inside a Java engine): ` +
        'make it an external task with camunda:type="external" camunda:topic="..." or give it a zeebe:taskDefinition type',
      elementId,
      field: attribute,
    });
  }
  const retryCycleElement = context.extensions.take('camunda:FailedJobRetryTimeCycle');
  const retryTimeCycle = retryCycleElement === undefined ? undefined : textProperty(retryCycleElement, 'body');
  const camundaType = textProperty(element, 'camunda:type');
  const topic = textProperty(element, 'camunda:topic');
  if (camundaType !== undefined && camundaType !== 'external') {
    refused = true;
    errors.add({
      code: 'NOT_SUPPORTED',
      message: `not supported yet: camunda:type="${camundaType}" (only camunda:type="external" with a camunda:topic runs)`,
      elementId,
      field: 'camunda:type',
    });
    return { refused, ...(retryTimeCycle === undefined ? {} : { retryTimeCycle }) };
  }
  if (camundaType === 'external' && topic === undefined) {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `external task '${elementId}' has camunda:type="external" but no camunda:topic`,
      elementId,
      field: 'camunda:topic',
    });
    return { refused: true };
  }
  const type = topic === undefined ? undefined : expressionValue(context, topic, 'camunda:topic', 'value');
  const priority = readPriority(element, 'camunda:taskPriority', `'${elementId}'`, elementId, errors);
  return {
    refused,
    ...(type === undefined ? {} : { type }),
    ...(retryTimeCycle === undefined ? {} : { retryTimeCycle }),
    ...(priority === undefined ? {} : { priority }),
  };
}

export interface CamundaDecision {
  /** Whether `camunda:decisionRef` was written. */
  readonly defined: boolean;
  readonly decisionId?: DialectValue<Expression>;
  readonly resultVariable?: DialectValue<string>;
  /** Only when written other than the default `latest`. */
  readonly binding?: DialectValue<DecisionBinding>;
  readonly version?: Expression;
  readonly mapDecisionResult: DecisionResultMapping;
}

const camundaBindings: readonly string[] = ['latest', 'deployment', 'version', 'versionTag'];
const resultMappings: readonly string[] = ['singleEntry', 'singleResult', 'collectEntries', 'resultList'];

/**
 * `camunda:decisionRef` of a business rule task (an id, or a JUEL expression), with `camunda:decisionRefBinding`
 * (latest by default, deployment, or version with `camunda:decisionRefVersion`), `camunda:resultVariable` and
 * `camunda:mapDecisionResult` (resultList by default). The binding attributes without a decisionRef are an error:
 * they would call nothing.
 */
export function readCamundaDecision(context: ReadContext): CamundaDecision {
  const { element, elementId, errors } = context;
  const decisionRefText = stringProperty(element, 'camunda:decisionRef');
  // moddle answers the published defaults (latest, resultList) for attributes that were not written.
  const bindingText = textProperty(element, 'camunda:decisionRefBinding') ?? 'latest';
  const versionText = stringProperty(element, 'camunda:decisionRefVersion');
  const mappingText = textProperty(element, 'camunda:mapDecisionResult') ?? 'resultList';
  const tenantId = textProperty(element, 'camunda:decisionRefTenantId');
  const decisionId = expressionValue(context, decisionRefText, 'camunda:decisionRef', 'value');
  const written = decisionRefText !== undefined;
  if (!written) {
    const stray = [
      bindingText !== 'latest' ? 'camunda:decisionRefBinding' : undefined,
      versionText !== undefined ? 'camunda:decisionRefVersion' : undefined,
      mappingText !== 'resultList' ? 'camunda:mapDecisionResult' : undefined,
      tenantId !== undefined ? 'camunda:decisionRefTenantId' : undefined,
    ].filter((name) => name !== undefined);
    if (stray.length > 0) {
      errors.add({
        code: 'MISSING_ATTRIBUTE',
        message: `business rule task '${elementId}' has ${stray.join(', ')} but no camunda:decisionRef: name the decision to call`,
        elementId,
        field: 'camunda:decisionRef',
      });
    }
    return { defined: false, mapDecisionResult: 'resultList' };
  }
  if (decisionRefText.trim() === '') {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `the camunda:decisionRef of business rule task '${elementId}' is empty: name the decision to call`,
      elementId,
      field: 'camunda:decisionRef',
    });
  }
  let binding: DialectValue<DecisionBinding> | undefined;
  let version: Expression | undefined;
  if (!camundaBindings.includes(bindingText)) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `camunda:decisionRefBinding '${bindingText}' of business rule task '${elementId}' is not one of ${camundaBindings.join(', ')}`,
      elementId,
      field: 'camunda:decisionRefBinding',
    });
  } else if (bindingText === 'versionTag') {
    errors.add({
      code: 'NOT_SUPPORTED',
      message:
        `not supported yet: camunda:decisionRefBinding="versionTag" (business rule task '${elementId}'): the Camunda 7 descriptor ` +
        'this version reads has no camunda:decisionRefVersionTag; call the decision by latest, deployment or version',
      elementId,
      field: 'camunda:decisionRefBinding',
    });
  } else if (bindingText !== 'latest') {
    binding = { value: bindingText as DecisionBinding, text: bindingText, field: 'camunda:decisionRefBinding' };
  }
  if (bindingText === 'version') {
    if (versionText === undefined || versionText.trim() === '') {
      errors.add({
        code: 'MISSING_ATTRIBUTE',
        message: `business rule task '${elementId}' calls its decision by version but gives no camunda:decisionRefVersion`,
        elementId,
        field: 'camunda:decisionRefVersion',
      });
    } else {
      version = expressionValue(context, versionText, 'camunda:decisionRefVersion', 'integer')?.value;
    }
  } else if (versionText !== undefined) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `camunda:decisionRefVersion of business rule task '${elementId}' has no effect unless camunda:decisionRefBinding is version`,
      elementId,
      field: 'camunda:decisionRefVersion',
    });
  }
  if (!resultMappings.includes(mappingText)) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `camunda:mapDecisionResult '${mappingText}' of business rule task '${elementId}' is not one of ${resultMappings.join(', ')}`,
      elementId,
      field: 'camunda:mapDecisionResult',
    });
  }
  if (tenantId !== undefined) {
    errors.add({
      code: 'NOT_SUPPORTED',
      message: `not supported yet: camunda:decisionRefTenantId (business rule task '${elementId}'): this version has no tenants`,
      elementId,
      field: 'camunda:decisionRefTenantId',
    });
  }
  const resultVariable = textValue(stringProperty(element, 'camunda:resultVariable'), 'camunda:resultVariable');
  return {
    defined: true,
    ...(decisionId === undefined ? {} : { decisionId }),
    ...(resultVariable === undefined ? {} : { resultVariable }),
    ...(binding === undefined ? {} : { binding }),
    ...(version === undefined ? {} : { version }),
    mapDecisionResult: resultMappings.includes(mappingText) ? (mappingText as DecisionResultMapping) : 'resultList',
  };
}

export type CamundaUserTask = DialectUserTask;

/** Assignment attributes may be comma lists (`a, b`) or expressions: kept as expressions, split at run time. */
export function readCamundaUserTask(context: ReadContext): CamundaUserTask {
  const { element, elementId, errors } = context;
  const read = (name: 'assignee' | 'candidateUsers' | 'candidateGroups' | 'dueDate' | 'followUpDate') =>
    expressionValue(context, stringProperty(element, `camunda:${name}`), `camunda:${name}`, 'value');
  const formHandlerClass = textProperty(element, 'camunda:formHandlerClass');
  if (formHandlerClass !== undefined) {
    errors.add({
      code: 'NOT_SUPPORTED',
      message: `not supported yet: camunda:formHandlerClass (Java form handlers): use camunda:formKey`,
      elementId,
      field: 'camunda:formHandlerClass',
    });
  }
  const result: Record<string, DialectValue<unknown> | undefined> = {
    assignee: read('assignee'),
    candidateUsers: read('candidateUsers'),
    candidateGroups: read('candidateGroups'),
    dueDate: read('dueDate'),
    followUpDate: read('followUpDate'),
    priority: expressionValue(context, stringProperty(element, 'camunda:priority'), 'camunda:priority', 'integer'),
    formKey: textValue(stringProperty(element, 'camunda:formKey'), 'camunda:formKey'),
    // A Camunda Form referenced by id, like zeebe:formDefinition/@formId.
    formId: textValue(stringProperty(element, 'camunda:formRef'), 'camunda:formRef'),
    formBinding: readCamundaFormBinding(context),
  };
  return Object.fromEntries(Object.entries(result).filter(([, value]) => value !== undefined)) as CamundaUserTask;
}

const camundaFormBindings = ['latest', 'deployment', 'version'];

/** `camunda:formRefBinding` (latest by default, deployment, or version with a `camunda:formRefVersion` number). */
function readCamundaFormBinding(context: ReadContext): DialectValue<FormBinding> | undefined {
  const { element, elementId, errors } = context;
  const bindingText = textProperty(element, 'camunda:formRefBinding') ?? 'latest';
  const versionText = textProperty(element, 'camunda:formRefVersion');
  if (!camundaFormBindings.includes(bindingText)) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `camunda:formRefBinding '${bindingText}' of user task '${elementId}' is not one of ${camundaFormBindings.join(', ')}`,
      elementId,
      field: 'camunda:formRefBinding',
    });
    return undefined;
  }
  if (bindingText === 'version') {
    if (versionText !== undefined && /^[1-9]\d*$/.test(versionText)) {
      return { value: { type: 'version', version: Number(versionText) }, text: `version ${versionText}`, field: 'camunda:formRefVersion' };
    }
    errors.add({
      code: versionText === undefined ? 'MISSING_ATTRIBUTE' : 'INVALID_ATTRIBUTE',
      message: `user task '${elementId}' binds its form by version: camunda:formRefVersion must be a version number (1, 2, ...)`,
      elementId,
      field: 'camunda:formRefVersion',
    });
    return undefined;
  }
  return bindingText === 'deployment' ? { value: { type: 'deployment' }, text: 'deployment', field: 'camunda:formRefBinding' } : undefined;
}

/** `camunda:resultVariable` and `camunda:resource` of a script task. */
export function readCamundaScript(context: ReadContext): { resultVariable?: DialectValue<string> } {
  const resource = textProperty(context.element, 'camunda:resource');
  if (resource !== undefined) {
    context.errors.add({
      code: 'NOT_SUPPORTED',
      message: `not supported yet: camunda:resource (scripts loaded from a resource): write the script inline`,
      elementId: context.elementId,
      field: 'camunda:resource',
    });
  }
  const resultVariable = textValue(stringProperty(context.element, 'camunda:resultVariable'), 'camunda:resultVariable');
  return resultVariable === undefined ? {} : { resultVariable };
}

const variableName = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/**
 * `camunda:collection` names a variable holding the collection, or is an expression. A bare name is read as the
 * JUEL expression `${name}`, so that it evaluates to the collection and not to the name.
 */
export function readCamundaCollection(
  loop: ModdleElement,
  context: ReadContext,
): { inputCollection?: DialectValue<Expression>; inputElement?: DialectValue<string> } {
  const collection = textProperty(loop, 'camunda:collection');
  const elementVariable = textValue(stringProperty(loop, 'camunda:elementVariable'), 'camunda:elementVariable');
  const source = collection !== undefined && variableName.test(collection) ? `\${${collection}}` : collection;
  const inputCollection = source === undefined ? undefined : expressionValue(context, source, 'camunda:collection', 'value');
  return {
    ...(inputCollection === undefined ? {} : { inputCollection: { ...inputCollection, text: collection ?? '' } }),
    ...(elementVariable === undefined ? {} : { inputElement: elementVariable }),
  };
}
