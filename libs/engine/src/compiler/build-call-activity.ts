import type { CallActivityNode, VariableMapping } from '../model/executable-model.js';
import type { Expression } from '../model/expression.js';
import { compileExpression } from './expression-fields.js';
import { booleanProperty, stringProperty, textProperty, type ModdleElement } from './moddle-element.js';
import type { ReadContext } from './read-context.js';

type CallActivityFields = Pick<CallActivityNode, 'calledElement' | 'binding' | 'version' | 'childInputs' | 'childOutputs' | 'businessKey' | 'dialect'>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The process a call activity calls and the variables it passes: `zeebe:calledElement` (Camunda 8) or the
 * `calledElement` attribute with `camunda:in` / `camunda:out` (Camunda 7). Returns undefined after reporting a problem.
 */
export function readCallActivity(context: ReadContext): Partial<CallActivityFields> {
  const zeebe = context.extensions.take('zeebe:CalledElement');
  const camundaIns = context.extensions.takeAll('camunda:In');
  const camundaOuts = context.extensions.takeAll('camunda:Out');
  const calledElementAttribute = textProperty(context.element, 'calledElement');
  if (zeebe !== undefined) return readZeebeCalledElement(context, zeebe);
  if (calledElementAttribute !== undefined) return readCamundaCallActivity(context, calledElementAttribute, camundaIns, camundaOuts);
  context.errors.add({
    code: 'MISSING_ATTRIBUTE',
    message: `call activity '${context.elementId}' names no process to call: set calledElement (Camunda 7) or zeebe:calledElement processId (Camunda 8)`,
    elementId: context.elementId,
    field: 'calledElement',
  });
  return {};
}

function readZeebeCalledElement(context: ReadContext, calledElement: ModdleElement): Partial<CallActivityFields> {
  const text = textProperty(calledElement, 'processId') ?? textProperty(calledElement, 'processIdExpression');
  if (text === undefined) {
    context.errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `zeebe:calledElement of '${context.elementId}' has no processId`,
      elementId: context.elementId,
      field: 'zeebe:calledElement/@processId',
    });
    return {};
  }
  const processId = compileExpression(text, { elementId: context.elementId, field: 'zeebe:calledElement/@processId', kind: 'value' }, context.errors);
  const bindingType = textProperty(calledElement, 'bindingType');
  if (bindingType !== undefined && bindingType !== 'latest' && bindingType !== 'deployment') {
    context.errors.add({
      code: 'NOT_SUPPORTED',
      message: `not supported yet: zeebe:calledElement bindingType '${bindingType}' (latest and deployment are)`,
      elementId: context.elementId,
      field: 'zeebe:calledElement/@bindingType',
    });
  }
  if (processId === undefined) return {};
  return {
    calledElement: processId,
    binding: bindingType === 'deployment' ? 'deployment' : 'latest',
    // Zeebe's defaults: the child sees every variable of the call activity, and the caller gets all of the child's back.
    childInputs: { from: booleanProperty(calledElement, 'propagateAllParentVariables') === false ? 'locals' : 'all', mappings: [] },
    childOutputs: { all: booleanProperty(calledElement, 'propagateAllChildVariables') !== false, mappings: [] },
    dialect: 'zeebe',
  };
}

function readCamundaCallActivity(context: ReadContext, calledElementText: string, ins: ModdleElement[], outs: ModdleElement[]): Partial<CallActivityFields> {
  const { elementId, errors } = context;
  const calledElement = compileExpression(calledElementText, { elementId, field: 'calledElement', kind: 'value' }, errors);
  const bindingText = textProperty(context.element, 'camunda:calledElementBinding') ?? 'latest';
  let binding: CallActivityNode['binding'] = 'latest';
  let version: Expression | undefined;
  if (bindingText === 'deployment' || bindingText === 'latest') {
    binding = bindingText;
  } else if (bindingText === 'version') {
    binding = 'version';
    const versionText = textProperty(context.element, 'camunda:calledElementVersion');
    if (versionText === undefined) {
      errors.add({ code: 'MISSING_ATTRIBUTE', message: `call activity '${elementId}' binds a version but names none`, elementId, field: 'camunda:calledElementVersion' });
    } else {
      version = compileExpression(versionText, { elementId, field: 'camunda:calledElementVersion', kind: 'integer' }, errors);
    }
  } else {
    errors.add({
      code: bindingText === 'versionTag' ? 'NOT_SUPPORTED' : 'INVALID_ATTRIBUTE',
      message:
        bindingText === 'versionTag'
          ? `not supported yet: camunda:calledElementBinding="versionTag" on '${elementId}' (latest, deployment and version are)`
          : `camunda:calledElementBinding of '${elementId}' is '${bindingText}': it is latest, deployment or version`,
      elementId,
      field: 'camunda:calledElementBinding',
    });
  }
  const inputs = readCamundaBindings(context, ins, 'camunda:in');
  const outputs = readCamundaBindings(context, outs, 'camunda:out');
  if (calledElement === undefined) return {};
  return {
    calledElement,
    binding,
    ...(version === undefined ? {} : { version }),
    childInputs: { from: inputs.all ? (inputs.localOnly ? 'locals' : 'all') : 'none', mappings: inputs.mappings },
    childOutputs: { all: outputs.all, mappings: outputs.mappings },
    ...(inputs.businessKey === undefined ? {} : { businessKey: inputs.businessKey }),
    dialect: 'camunda',
  };
}

interface CamundaBindings {
  readonly all: boolean;
  readonly localOnly: boolean;
  readonly mappings: VariableMapping[];
  readonly businessKey?: Expression;
}

/** `camunda:in` / `camunda:out`: `variables="all"`, `source`/`sourceExpression` to `target`, and (in) `businessKey`. */
function readCamundaBindings(context: ReadContext, bindings: ModdleElement[], field: string): CamundaBindings {
  const { elementId, errors } = context;
  let all = false;
  let localOnly = false;
  let businessKey: Expression | undefined;
  const mappings: VariableMapping[] = [];
  for (const binding of bindings) {
    if (textProperty(binding, 'variables') === 'all') {
      all = true;
      localOnly = booleanProperty(binding, 'local') === true;
      continue;
    }
    const businessKeyText = textProperty(binding, 'businessKey');
    if (businessKeyText !== undefined && field === 'camunda:in') {
      businessKey = compileExpression(businessKeyText, { elementId, field: `${field}/@businessKey`, kind: 'value' }, errors);
      continue;
    }
    const target = textProperty(binding, 'target');
    const source = textProperty(binding, 'source');
    const sourceExpression = stringProperty(binding, 'sourceExpression')?.trim();
    if (target === undefined || (source === undefined && (sourceExpression === undefined || sourceExpression === ''))) {
      errors.add({
        code: 'MISSING_ATTRIBUTE',
        message: `a ${field} of '${elementId}' needs a target and a source or sourceExpression (or variables="all")`,
        elementId,
        field: target === undefined ? `${field}/@target` : `${field}/@source`,
      });
      continue;
    }
    if (source !== undefined && !IDENTIFIER.test(source)) {
      errors.add({
        code: 'NOT_SUPPORTED',
        message: `not supported yet: ${field} source '${source}' of '${elementId}' (a variable name made of letters, digits, _ and $; use sourceExpression)`,
        elementId,
        field: `${field}/@source`,
      });
      continue;
    }
    const expression =
      source !== undefined
        ? ({ language: 'juel', source: `\${${source}}` } as const)
        : compileExpression(sourceExpression ?? '', { elementId, field: `${field}/@sourceExpression`, kind: 'value' }, errors);
    if (expression !== undefined) mappings.push({ source: expression, target });
  }
  return { all, localOnly, mappings, ...(businessKey === undefined ? {} : { businessKey }) };
}
