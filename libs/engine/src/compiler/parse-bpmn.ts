import type { ModdleElement, ParseError, ParseWarning } from 'bpmn-moddle';
import type { ModelErrorCollector } from './model-error-collector.js';
import { ACTIVITI_NAMESPACE, CAMUNDA_NAMESPACE, createBpmnReader } from './moddle-descriptors.js';
import type { SourcePosition, SourcePositions } from './source-positions.js';

const reader = createBpmnReader();

export interface ParsedBpmn {
  readonly definitions: ModdleElement;
}

/**
 * Reads the XML with bpmn-moddle and turns whatever it could not read into model errors. moddle rejects only XML
 * that is not well-formed; anything it cannot map onto BPMN (an unknown element, a duplicate id, a reference to
 * nothing) it skips with a warning, often taking a whole process with it. Each warning is therefore an error here.
 */
export async function parseBpmn(xml: string, positions: SourcePositions, errors: ModelErrorCollector): Promise<ParsedBpmn | undefined> {
  let wellFormed = true;
  try {
    const result = await reader.fromXML(aliasActivitiNamespace(xml));
    for (const warning of result.warnings) wellFormed = reportWarning(warning, positions, errors) && wellFormed;
    // Past a well-formedness problem moddle reads on with guesses (an element without its attributes, say), and
    // what the compiler would say about those guesses would only bury the real problem.
    return wellFormed ? { definitions: result.rootElement } : undefined;
  } catch (thrown) {
    const error = thrown as ParseError;
    const located = locate(error.message, positions);
    if (located !== undefined) {
      // Warnings before a well-formedness error are mostly its echoes (an element read inside an unclosed one).
      errors.add({
        code: 'NOT_WELL_FORMED',
        message: `not well-formed XML: ${located.detail}${located.content ? ` at ${located.content}` : ''}`,
        ...located.position,
      });
    } else {
      // Well-formed, but not BPMN: the warnings say what was found instead of bpmn:definitions.
      for (const warning of error.warnings ?? []) reportWarning(warning, positions, errors);
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

/**
 * moddle writes `unparsable content <tag> detected\n\tline: 3\n\tcolumn: 4\n\tnested error: ...`, 0-based. At the
 * end of the input the XML parser's position is not the end of the text, so that one is computed.
 */
function locate(message: string, positions: SourcePositions): LocatedMessage | undefined {
  const match = /^unparsable content ([\s\S]*?) ?detected\s+line: (\d+)\s+column: (\d+)\s+nested error: ([\s\S]*)$/.exec(message);
  if (match === null) return undefined;
  const detail = match[4].trim();
  return {
    content: match[1].trim(),
    position: detail === 'unexpected end of file' ? positions.end() : { line: Number(match[2]) + 1, column: Number(match[3]) + 1 },
    detail,
  };
}

/** What the XML parser reports as warnings and moddle passes on: each breaks XML's well-formedness rules. */
const wellFormednessWarnings = [
  /^illegal first char attribute name$/,
  /^missing attribute value$/,
  /^illegal attribute name char$/,
  /^illegal declaration of xmlns$/,
  /^attribute value quote missmatch$/,
  /^missing attribute value quotes$/,
  /^missing closing quotes$/,
  /^illegal character after attribute end$/,
  /^attribute <.*> already defined$/,
  /^missing namespace for prefix <.*>$/,
  /^non-whitespace outside of root node$/,
];

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

function describe(element: ModdleElement | undefined): string {
  if (element === undefined) return 'an element';
  const id = element.get('id');
  return typeof id === 'string' ? `${element.$type} '${id}'` : element.$type;
}

/** Reports one moddle warning; returns false when it shows the XML is not well-formed. */
function reportWarning(warning: ParseWarning, positions: SourcePositions, errors: ModelErrorCollector): boolean {
  const message = warning.message;
  // The document reaches us as a decoded string: the encoding its XML declaration names has already been applied
  // by whoever decoded the bytes, and moddle's "falling back to UTF-8" changes nothing in a string.
  if (message.startsWith('unsupported document encoding')) return true;

  const element = warning.element;
  const elementId = typeof element?.get('id') === 'string' ? (element.get('id') as string) : undefined;

  const unresolved = /^unresolved reference <(.*)>$/.exec(message);
  if (unresolved !== null && element !== undefined && warning.property !== undefined) {
    const field = localName(warning.property);
    const isFlowEnd = element.$type === 'bpmn:SequenceFlow' && (field === 'sourceRef' || field === 'targetRef');
    // An event definition's reference (errorRef, messageRef...) is a problem of its event, which users know by id.
    const owner = element.$type.endsWith('EventDefinition') ? (element as { $parent?: ModdleElement }).$parent : undefined;
    const ownerId = owner === undefined ? undefined : (owner.get('id') as unknown);
    errors.add({
      code: isFlowEnd ? (field === 'sourceRef' ? 'MISSING_FLOW_SOURCE' : 'MISSING_FLOW_TARGET') : 'INVALID_ATTRIBUTE',
      message: `${owner === undefined ? '' : `${describe(owner)}: `}${describe(element)}: ${field} '${unresolved[1]}' is not an element of this model`,
      elementId: typeof ownerId === 'string' ? ownerId : elementId,
      field,
    });
    return true;
  }

  const unknownAttribute = /^unknown attribute <(.*)>$/.exec(message);
  if (unknownAttribute !== null && element !== undefined) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `${describe(element)}: unknown attribute ${unknownAttribute[1]}`,
      elementId,
      field: unknownAttribute[1],
    });
    return true;
  }

  const located = locate(message, positions);
  if (located !== undefined) {
    if (wellFormednessWarnings.some((pattern) => pattern.test(located.detail))) {
      errors.add({
        code: 'NOT_WELL_FORMED',
        message: `not well-formed XML: ${located.detail}${located.content ? ` at ${located.content}` : ''}`,
        ...located.position,
      });
      return false;
    }
    const duplicate = /^duplicate ID <(.*)>$/.exec(located.detail);
    if (duplicate !== null) {
      errors.add({
        code: 'DUPLICATE_ID',
        message: `duplicate id '${duplicate[1]}': ids must be unique in a BPMN document (the second ${located.content} is ignored)`,
        elementId: duplicate[1],
        ...located.position,
      });
      return true;
    }
    errors.add({
      code: 'PARSE_WARNING',
      message: `cannot read ${located.content || 'content'}: ${located.detail}`,
      elementId: positions.idAt(located.position),
      ...located.position,
    });
    return true;
  }

  errors.add({ code: 'PARSE_WARNING', message, elementId });
  return true;
}
