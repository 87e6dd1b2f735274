import type { BoundaryEventNode, ErrorEventDefinition, EscalationEventDefinition, FlowNode, ThrowEventDefinition } from '../model/executable-model.js';
import type { ModelErrorCollector } from './model-error-collector.js';
import { booleanProperty, elementProperty, elementsProperty, textProperty, type ModdleElement } from './moddle-element.js';
import { expressionValue, type ReadContext } from './read-context.js';

/** The two kinds of thrown event: what their definitions reference, and the attribute of the root element holding the code. */
const KINDS = {
  error: { reference: 'errorRef', code: 'errorCode', root: 'bpmn:error' },
  escalation: { reference: 'escalationRef', code: 'escalationCode', root: 'bpmn:escalation' },
} as const;

type Kind = keyof typeof KINDS;

function definitionOf(context: ReadContext): ModdleElement | undefined {
  return [...elementsProperty(context.element, 'eventDefinitions'), ...elementsProperty(context.element, 'eventDefinitionRef')][0];
}

/** The `bpmn:error` / `bpmn:escalation` a definition names; an unresolved reference was already reported by the parser. */
function referenced(context: ReadContext, definition: ModdleElement, kind: Kind, required: boolean): ModdleElement | undefined {
  const { reference } = KINDS[kind];
  const root = elementProperty(definition, reference);
  if (root === undefined && required && !context.errors.has('INVALID_ATTRIBUTE', context.elementId)) {
    context.errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `${kind} throw event '${context.elementId}' names no ${KINDS[kind].root} (${reference}): it would throw nothing a boundary event could catch`,
      elementId: context.elementId,
      field: reference,
    });
  }
  return root;
}

/**
 * The code a catching event matches: static text, since it is compared with what was thrown. No reference, or a
 * referenced element without a code, catches every error or escalation (a catch-all, as in Zeebe and Camunda 7).
 */
function catchCode(context: ReadContext, definition: ModdleElement, kind: Kind): string | undefined {
  const root = referenced(context, definition, kind, false);
  const code = root === undefined ? undefined : textProperty(root, KINDS[kind].code);
  if (code !== undefined && (code.startsWith('=') || /[$#]\{/.test(code))) {
    context.errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `the ${KINDS[kind].code} '${code}' caught by '${context.elementId}' is an expression: a catch event matches a static code`,
      elementId: context.elementId,
      field: KINDS[kind].code,
    });
    return undefined;
  }
  return code;
}

/** An error boundary event: it always interrupts its activity (BPMN 10.5.4), so `cancelActivity="false"` is refused. */
export function readErrorCatch(context: ReadContext, definition: ModdleElement): ErrorEventDefinition {
  if (booleanProperty(context.element, 'cancelActivity') === false) {
    context.errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `error boundary event '${context.elementId}' has cancelActivity="false": an error always interrupts the activity it is thrown in`,
      elementId: context.elementId,
      field: 'cancelActivity',
    });
  }
  const errorCode = catchCode(context, definition, 'error');
  const errorCodeVariable = textProperty(definition, 'camunda:errorCodeVariable');
  const errorMessageVariable = textProperty(definition, 'camunda:errorMessageVariable');
  return {
    type: 'error',
    ...(errorCode === undefined ? {} : { errorCode }),
    ...(errorCodeVariable === undefined ? {} : { errorCodeVariable }),
    ...(errorMessageVariable === undefined ? {} : { errorMessageVariable }),
  };
}

/** An escalation boundary event: interrupting or not, for one code or any. */
export function readEscalationCatch(context: ReadContext, definition: ModdleElement): EscalationEventDefinition {
  const escalationCode = catchCode(context, definition, 'escalation');
  return { type: 'escalation', ...(escalationCode === undefined ? {} : { escalationCode }) };
}

/**
 * What an error or escalation end event, or an escalation intermediate throw event, throws: the code of the element
 * it names, which it must name and which must have a code. The code may be an expression (Camunda 8), evaluated when
 * the event is reached.
 */
export function readThrownEvent(context: ReadContext): { thrown?: ThrowEventDefinition } {
  const definition = definitionOf(context);
  const kind: Kind | undefined =
    definition?.$type === 'bpmn:ErrorEventDefinition' ? 'error' : definition?.$type === 'bpmn:EscalationEventDefinition' ? 'escalation' : undefined;
  if (definition === undefined || kind === undefined) return {};
  const root = referenced(context, definition, kind, true);
  if (root === undefined) return {};
  const { code: codeAttribute, root: rootType } = KINDS[kind];
  const text = textProperty(root, codeAttribute);
  if (text === undefined) {
    context.errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `the ${rootType} '${textProperty(root, 'id') ?? ''}' thrown by '${context.elementId}' has no ${codeAttribute}: a boundary event catches it by its code`,
      elementId: context.elementId,
      field: codeAttribute,
    });
    return {};
  }
  const expression = expressionValue(context, text, codeAttribute, 'value')?.value;
  if (expression === undefined) return {};
  return { thrown: kind === 'error' ? { type: 'error', errorCode: expression } : { type: 'escalation', escalationCode: expression } };
}

/**
 * Two boundary events of one activity catching the same error or escalation code (or two catch-alls) would leave it
 * to chance which one runs: refused, as Zeebe does.
 */
export function checkBoundaryCatchCodes(elements: Readonly<Record<string, FlowNode>>, errors: ModelErrorCollector): void {
  for (const activity of Object.values(elements)) {
    const seen = new Map<string, string>();
    for (const boundaryId of activity.boundaryEventIds ?? []) {
      const boundary = elements[boundaryId];
      if (boundary?.kind !== 'boundaryEvent') continue;
      // Nodes are built despite problems: a definition that could not be read is absent.
      const definition = boundary.eventDefinition as BoundaryEventNode['eventDefinition'] | undefined;
      if (definition === undefined || (definition.type !== 'error' && definition.type !== 'escalation')) continue;
      const code = definition.type === 'error' ? definition.errorCode : definition.escalationCode;
      const key = `${definition.type}:${code ?? ''}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, boundary.id);
        continue;
      }
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message:
          code === undefined
            ? `boundary events '${first}' and '${boundary.id}' of '${activity.id}' both catch every ${definition.type}: one catch-all per activity`
            : `boundary events '${first}' and '${boundary.id}' of '${activity.id}' both catch the ${definition.type} '${code}': which one runs would be left to chance`,
        elementId: boundary.id,
        field: definition.type === 'error' ? 'errorRef' : 'escalationRef',
      });
    }
  }
}
