import type { ModdleElement, ParseError, ParseWarning } from 'bpmn-moddle';
import type { ModelErrorCollector } from './model-error-collector.js';
import { ACTIVITI_NAMESPACE, CAMUNDA_NAMESPACE, createBpmnReader } from './moddle-descriptors.js';
import type { SourcePosition, SourcePositions } from './source-positions.js';

const reader = createBpmnReader();

export interface ParsedBpmn {
  readonly definitions: ModdleElement;
  readonly elementsById: Readonly<Record<string, ModdleElement>>;
}

/**
 * Reads the XML with bpmn-moddle and turns whatever it could not read into model errors. moddle rejects only XML
 * that is not well-formed; anything it cannot map onto BPMN (an unknown element, a duplicate id, a reference to
 * nothing) it skips with a warning, often taking a whole process with it. Each warning is therefore an error here.
 */
export async function parseBpmn(xml: string, positions: SourcePositions, errors: ModelErrorCollector): Promise<ParsedBpmn | undefined> {
  try {
    const result = await reader.fromXML(aliasActivitiNamespace(xml));
    for (const warning of result.warnings) reportWarning(warning, positions, errors);
    return { definitions: result.rootElement, elementsById: result.elementsById };
  } catch (thrown) {
    const error = thrown as ParseError;
    const located = locate(error.message);
    if (located !== undefined) {
      errors.add({
        code: 'NOT_WELL_FORMED',
        message: `not well-formed XML: ${located.detail}${located.content ? ` at ${located.content}` : ''}`,
        ...located.position,
      });
    }
    for (const warning of error.warnings ?? []) reportWarning(warning, positions, errors);
    if (located === undefined) {
      errors.add({ code: 'PARSE_WARNING', message: `not a BPMN 2.0 document: ${error.message} (the root element must be bpmn:definitions)` });
    }
    return undefined;
  }
}

/**
 * Camunda 7 reads `http://activiti.org/bpmn` as its own namespace. Renaming the namespace in its declarations
 * changes no line and shifts columns only on the declaring line, after the declaration.
 */
function aliasActivitiNamespace(xml: string): string {
  if (!xml.includes(ACTIVITI_NAMESPACE)) return xml;
  const declaration = new RegExp(`(xmlns:[\\w.-]+\\s*=\\s*)(["'])${ACTIVITI_NAMESPACE.replace(/[./]/g, '\\$&')}\\2`, 'g');
  return xml.replace(declaration, `$1$2${CAMUNDA_NAMESPACE}$2`);
}

interface LocatedMessage {
  readonly content: string;
  readonly detail: string;
  readonly position: SourcePosition;
}

/** moddle writes `unparsable content <tag> detected\n\tline: 3\n\tcolumn: 4\n\tnested error: ...`, 0-based. */
function locate(message: string): LocatedMessage | undefined {
  const match = /^unparsable content (.*?) ?detected\s+line: (\d+)\s+column: (\d+)\s+nested error: ([\s\S]*)$/.exec(message);
  if (match === null) return undefined;
  return {
    content: match[1],
    position: { line: Number(match[2]) + 1, column: Number(match[3]) + 1 },
    detail: match[4].trim(),
  };
}

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

function describe(element: ModdleElement | undefined): string {
  if (element === undefined) return 'an element';
  const id = element.get('id');
  return typeof id === 'string' ? `${element.$type} '${id}'` : element.$type;
}

function reportWarning(warning: ParseWarning, positions: SourcePositions, errors: ModelErrorCollector): void {
  const message = warning.message;
  // The document reaches us as a decoded string: the encoding its XML declaration names has already been applied
  // by whoever decoded the bytes, and moddle's "falling back to UTF-8" changes nothing in a string.
  if (message.startsWith('unsupported document encoding')) return;

  const element = warning.element;
  const elementId = typeof element?.get('id') === 'string' ? (element.get('id') as string) : undefined;

  const unresolved = /^unresolved reference <(.*)>$/.exec(message);
  if (unresolved !== null && element !== undefined && warning.property !== undefined) {
    const field = localName(warning.property);
    const isFlowEnd = element.$type === 'bpmn:SequenceFlow' && (field === 'sourceRef' || field === 'targetRef');
    errors.add({
      code: isFlowEnd ? (field === 'sourceRef' ? 'MISSING_FLOW_SOURCE' : 'MISSING_FLOW_TARGET') : 'INVALID_ATTRIBUTE',
      message: `${describe(element)}: ${field} '${unresolved[1]}' is not an element of this model`,
      elementId,
      field,
    });
    return;
  }

  const unknownAttribute = /^unknown attribute <(.*)>$/.exec(message);
  if (unknownAttribute !== null && element !== undefined) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `${describe(element)}: unknown attribute ${unknownAttribute[1]}`,
      elementId,
      field: unknownAttribute[1],
    });
    return;
  }

  const located = locate(message);
  if (located !== undefined) {
    const duplicate = /^duplicate ID <(.*)>$/.exec(located.detail);
    if (duplicate !== null) {
      errors.add({
        code: 'DUPLICATE_ID',
        message: `duplicate id '${duplicate[1]}': ids must be unique in a BPMN document (the second ${located.content} is ignored)`,
        elementId: duplicate[1],
        ...located.position,
      });
      return;
    }
    errors.add({
      code: 'PARSE_WARNING',
      message: `cannot read ${located.content || 'content'}: ${located.detail}`,
      elementId: positions.idAt(located.position),
      ...located.position,
    });
    return;
  }

  errors.add({ code: 'PARSE_WARNING', message, elementId });
}
