import type { Expression } from '../../model/expression.js';
import type { DecisionBinding, FormBinding, VariableMapping } from '../../model/executable-model.js';
import { compileExpression } from '../expression-fields.js';
import { elementsProperty, stringProperty, textProperty, type ModdleElement } from '../moddle-element.js';
import { expressionValue, textValue, type ReadContext } from '../read-context.js';
import type { Mappings } from './camunda7-extensions.js';
import type { DialectUserTask, DialectValue } from './merge-dialects.js';

// Camunda 8: extension elements of the `zeebe:` namespace (http://camunda.org/schema/zeebe/1.0).

/** `zeebe:ioMapping`: inputs and outputs with a `source` (FEEL with `=`, or a literal) and a `target` (a path). */
export function readZeebeMappings(context: ReadContext): Mappings {
  const ioMapping = context.extensions.take('zeebe:IoMapping');
  if (ioMapping === undefined) return { inputs: [], outputs: [] };
  const read = (parameters: ModdleElement[], direction: 'input' | 'output'): VariableMapping[] =>
    parameters.flatMap((parameter) => {
      const field = `zeebe:${direction}`;
      const target = textProperty(parameter, 'target');
      const sourceText = stringProperty(parameter, 'source');
      if (target === undefined || sourceText === undefined || sourceText.trim() === '') {
        const missing = target === undefined ? 'target' : 'source';
        context.errors.add({
          code: 'MISSING_ATTRIBUTE',
          message: `a ${field} mapping of '${context.elementId}' has no ${missing}`,
          elementId: context.elementId,
          field: `${field}/@${missing}`,
        });
        return [];
      }
      const source = compileExpression(sourceText, { elementId: context.elementId, field: `${field} '${target}'`, kind: 'value' }, context.errors);
      return source === undefined ? [] : [{ source, target }];
    });
  return {
    inputs: read(elementsProperty(ioMapping, 'inputParameters'), 'input'),
    outputs: read(elementsProperty(ioMapping, 'outputParameters'), 'output'),
  };
}

export interface ZeebeJob {
  readonly type?: DialectValue<Expression>;
  readonly retries?: Expression;
  readonly customHeaders: Readonly<Record<string, string>>;
  /** Whether a `zeebe:taskDefinition` was written (even an invalid one). */
  readonly defined: boolean;
}

/** `zeebe:taskDefinition` (job type and retries) and `zeebe:taskHeaders` of a job task. */
export function readZeebeJob(context: ReadContext): ZeebeJob {
  const { elementId, errors } = context;
  const customHeaders: Record<string, string> = {};
  for (const headers of context.extensions.takeAll('zeebe:TaskHeaders')) {
    for (const header of elementsProperty(headers, 'values')) {
      const key = stringProperty(header, 'key');
      if (key === undefined || key === '') {
        errors.add({ code: 'MISSING_ATTRIBUTE', message: `a zeebe:header of '${elementId}' has no key`, elementId, field: 'zeebe:header/@key' });
        continue;
      }
      customHeaders[key] = stringProperty(header, 'value') ?? '';
    }
  }
  const definition = context.extensions.take('zeebe:TaskDefinition');
  if (definition === undefined) return { customHeaders, defined: false };
  const typeText = stringProperty(definition, 'type');
  if (typeText === undefined || typeText.trim() === '') {
    errors.add({ code: 'MISSING_ATTRIBUTE', message: `the zeebe:taskDefinition of '${elementId}' has no type`, elementId, field: 'zeebe:taskDefinition/@type' });
  }
  const type = expressionValue(context, typeText, 'zeebe:taskDefinition/@type', 'value');
  const retries = expressionValue(context, stringProperty(definition, 'retries'), 'zeebe:taskDefinition/@retries', 'integer');
  return {
    customHeaders,
    defined: true,
    ...(type === undefined ? {} : { type }),
    ...(retries === undefined ? {} : { retries: retries.value }),
  };
}

export interface ZeebeDecision {
  /** Whether a `zeebe:calledDecision` was written (even an incomplete one). */
  readonly defined: boolean;
  readonly decisionId?: DialectValue<Expression>;
  readonly resultVariable?: DialectValue<string>;
  /** Only when written other than the default `latest`. */
  readonly binding?: DialectValue<DecisionBinding>;
  readonly versionTag?: string;
}

const zeebeBindings: readonly DecisionBinding[] = ['latest', 'deployment', 'versionTag'];

/**
 * `zeebe:calledDecision`: the decision id (FEEL with `=`, or the id itself), the result variable (both required, as
 * Camunda 8 requires them), and which version: `bindingType` latest (default), deployment, or versionTag with a
 * `versionTag`.
 */
export function readZeebeDecision(context: ReadContext): ZeebeDecision {
  const { elementId, errors } = context;
  const calledDecision = context.extensions.take('zeebe:CalledDecision');
  if (calledDecision === undefined) return { defined: false };
  const field = (name: string): string => `zeebe:calledDecision/@${name}`;
  const decisionIdText = stringProperty(calledDecision, 'decisionId');
  if (decisionIdText === undefined || decisionIdText.trim() === '') {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `the zeebe:calledDecision of business rule task '${elementId}' has no decisionId: name the decision to call`,
      elementId,
      field: field('decisionId'),
    });
  }
  const decisionId = expressionValue(context, decisionIdText, field('decisionId'), 'value');
  const resultVariable = textValue(stringProperty(calledDecision, 'resultVariable'), field('resultVariable'));
  if (resultVariable === undefined) {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `the zeebe:calledDecision of business rule task '${elementId}' has no resultVariable: name the variable that receives the result`,
      elementId,
      field: field('resultVariable'),
    });
  }
  const bindingText = textProperty(calledDecision, 'bindingType') ?? 'latest';
  const versionTag = textProperty(calledDecision, 'versionTag');
  let binding: DialectValue<DecisionBinding> | undefined;
  if (!(zeebeBindings as readonly string[]).includes(bindingText)) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `bindingType '${bindingText}' of business rule task '${elementId}' is not one of ${zeebeBindings.join(', ')}`,
      elementId,
      field: field('bindingType'),
    });
  } else if (bindingText !== 'latest') {
    binding = { value: bindingText as DecisionBinding, text: bindingText, field: field('bindingType') };
  }
  if (bindingText === 'versionTag' && versionTag === undefined) {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `business rule task '${elementId}' calls its decision by versionTag but gives no versionTag`,
      elementId,
      field: field('versionTag'),
    });
  } else if (bindingText !== 'versionTag' && versionTag !== undefined) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `the versionTag '${versionTag}' of business rule task '${elementId}' has no effect unless bindingType is versionTag`,
      elementId,
      field: field('versionTag'),
    });
  }
  return {
    defined: true,
    ...(decisionId === undefined ? {} : { decisionId }),
    ...(resultVariable === undefined ? {} : { resultVariable }),
    ...(binding === undefined ? {} : { binding }),
    ...(versionTag === undefined ? {} : { versionTag }),
  };
}

export type ZeebeUserTask = DialectUserTask;

/**
 * `zeebe:userTask` (a Camunda user task; without it Camunda 8 runs the task as a job, which this engine does
 * not distinguish), `zeebe:assignmentDefinition`, `zeebe:taskSchedule`, `zeebe:priorityDefinition` and
 * `zeebe:formDefinition`.
 */
export function readZeebeUserTask(context: ReadContext): ZeebeUserTask {
  const { extensions } = context;
  extensions.take('zeebe:UserTask');
  const assignment = extensions.take('zeebe:AssignmentDefinition');
  const schedule = extensions.take('zeebe:TaskSchedule');
  const priority = extensions.take('zeebe:PriorityDefinition');
  const form = extensions.take('zeebe:FormDefinition');
  const read = (element: ModdleElement | undefined, owner: string, name: string, kind: 'value' | 'integer' = 'value') =>
    element === undefined ? undefined : expressionValue(context, stringProperty(element, name), `${owner}/@${name}`, kind);
  const result: Record<string, DialectValue<unknown> | undefined> = {
    assignee: read(assignment, 'zeebe:assignmentDefinition', 'assignee'),
    candidateUsers: read(assignment, 'zeebe:assignmentDefinition', 'candidateUsers'),
    candidateGroups: read(assignment, 'zeebe:assignmentDefinition', 'candidateGroups'),
    dueDate: read(schedule, 'zeebe:taskSchedule', 'dueDate'),
    followUpDate: read(schedule, 'zeebe:taskSchedule', 'followUpDate'),
    priority: read(priority, 'zeebe:priorityDefinition', 'priority', 'integer'),
    // An external form is addressed by its reference, as Camunda 7 addresses any form by its key.
    formKey:
      form === undefined
        ? undefined
        : (textValue(stringProperty(form, 'formKey'), 'zeebe:formDefinition/@formKey') ??
          textValue(stringProperty(form, 'externalReference'), 'zeebe:formDefinition/@externalReference')),
    formId: form === undefined ? undefined : textValue(stringProperty(form, 'formId'), 'zeebe:formDefinition/@formId'),
    formBinding: form === undefined ? undefined : readZeebeFormBinding(context, form),
  };
  return Object.fromEntries(Object.entries(result).filter(([, value]) => value !== undefined)) as ZeebeUserTask;
}

const zeebeFormBindings = ['latest', 'deployment', 'versionTag'];

/** `bindingType` (latest by default, deployment, or versionTag with a `versionTag`) of a form referenced by formId. */
function readZeebeFormBinding(context: ReadContext, form: ModdleElement): DialectValue<FormBinding> | undefined {
  const { elementId, errors } = context;
  const field = (name: string): string => `zeebe:formDefinition/@${name}`;
  const bindingText = textProperty(form, 'bindingType') ?? 'latest';
  const versionTag = textProperty(form, 'versionTag');
  if (!zeebeFormBindings.includes(bindingText)) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `bindingType '${bindingText}' of the form of user task '${elementId}' is not one of ${zeebeFormBindings.join(', ')}`,
      elementId,
      field: field('bindingType'),
    });
    return undefined;
  }
  if (bindingText === 'versionTag') {
    if (versionTag !== undefined) return { value: { type: 'versionTag', versionTag }, text: `versionTag ${versionTag}`, field: field('versionTag') };
    errors.add({ code: 'MISSING_ATTRIBUTE', message: `user task '${elementId}' binds its form by versionTag but gives no versionTag`, elementId, field: field('versionTag') });
    return undefined;
  }
  return bindingText === 'deployment' ? { value: { type: 'deployment' }, text: 'deployment', field: field('bindingType') } : undefined;
}

/** `zeebe:script`: a FEEL expression whose value goes to `resultVariable`. */
export function readZeebeScript(context: ReadContext): { script?: DialectValue<Expression>; resultVariable?: DialectValue<string>; defined: boolean } {
  const script = context.extensions.take('zeebe:Script');
  if (script === undefined) return { defined: false };
  const expressionText = stringProperty(script, 'expression');
  if (expressionText === undefined || expressionText.trim() === '') {
    context.errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `the zeebe:script of '${context.elementId}' has no expression`,
      elementId: context.elementId,
      field: 'zeebe:script/@expression',
    });
  }
  const expression = expressionValue(context, expressionText, 'zeebe:script/@expression', 'feel');
  const resultVariable = textValue(stringProperty(script, 'resultVariable'), 'zeebe:script/@resultVariable');
  return {
    defined: true,
    ...(expression === undefined ? {} : { script: expression }),
    ...(resultVariable === undefined ? {} : { resultVariable }),
  };
}

export interface ZeebeLoop {
  readonly inputCollection?: DialectValue<Expression>;
  readonly inputElement?: DialectValue<string>;
  readonly outputCollection?: string;
  readonly outputElement?: Expression;
  /** Whether an outputElement was written (even one that did not parse). */
  readonly hasOutputElement: boolean;
}

/** `zeebe:loopCharacteristics` inside a `bpmn:multiInstanceLoopCharacteristics`. */
export function readZeebeLoop(loopContext: ReadContext): ZeebeLoop {
  const loop = loopContext.extensions.take('zeebe:LoopCharacteristics');
  if (loop === undefined) return { hasOutputElement: false };
  const field = (name: string): string => `zeebe:loopCharacteristics/@${name}`;
  const inputCollection = expressionValue(loopContext, stringProperty(loop, 'inputCollection'), field('inputCollection'), 'value');
  const inputElement = textValue(stringProperty(loop, 'inputElement'), field('inputElement'));
  const outputCollection = textProperty(loop, 'outputCollection');
  const outputElement = expressionValue(loopContext, stringProperty(loop, 'outputElement'), field('outputElement'), 'value');
  return {
    hasOutputElement: textProperty(loop, 'outputElement') !== undefined,
    ...(inputCollection === undefined ? {} : { inputCollection }),
    ...(inputElement === undefined ? {} : { inputElement }),
    ...(outputCollection === undefined ? {} : { outputCollection }),
    ...(outputElement === undefined ? {} : { outputElement: outputElement.value }),
  };
}
