import type { DmnImportSource, DmnProblem as DmnCompileProblem } from '@trellis/dmn';
import type { ProblemFieldError } from '@trellis/platform';
import { DmnModdle, type DmnModdleElement, type DmnParseError, type DmnParseWarning } from 'dmn-moddle';

import { locateModdleMessage, positionOfId, startTags } from './source-text.js';

/** A decision of a DMN resource, as a deployment versions it. */
export interface DmnDecision {
  readonly id: string;
  readonly name?: string;
  /** `camunda:versionTag` (Camunda 7) or `zeebe:versionTag` (Camunda 8) of the decision. */
  readonly versionTag?: string;
}

/** What a deployment keeps of a valid DMN resource: its decision requirements graph and its decisions. */
export interface DmnResource {
  /** `dmn:definitions/@id` (optional in DMN). */
  readonly definitionsId?: string;
  readonly definitionsName?: string;
  readonly decisions: readonly DmnDecision[];
}

export type DmnProblem = Omit<ProblemFieldError, 'resource'>;

/**
 * The namespaces of DMN 1.1 to 1.5 (models and diagram interchange). dmn-moddle knows DMN 1.3 only: the others are
 * read as 1.3, which shares their structure as far as a deployment looks (definitions, decisions, requirements).
 */
const DMN13_MODEL = 'https://www.omg.org/spec/DMN/20191111/MODEL/';
const DMN13_DI = 'https://www.omg.org/spec/DMN/20191111/DMNDI/';
const modelNamespaces: Readonly<Record<string, string>> = {
  'http://www.omg.org/spec/DMN/20151101/dmn.xsd': '1.1',
  'http://www.omg.org/spec/DMN/20180521/MODEL/': '1.2',
  'https://www.omg.org/spec/DMN/20191111/MODEL/': '1.3',
  'https://www.omg.org/spec/DMN/20211108/MODEL/': '1.4',
  'https://www.omg.org/spec/DMN/20230324/MODEL/': '1.5',
};
const diNamespaces = ['http://www.omg.org/spec/DMN/20180521/DMNDI/', 'https://www.omg.org/spec/DMN/20211108/DMNDI/', 'https://www.omg.org/spec/DMN/20230324/DMNDI/'];

/**
 * Boxed expressions DMN 1.4 added (conditional, filter, iterators). dmn-moddle's 1.3 metamodel does not know them;
 * in a 1.4 or 1.5 model they are what the standard says, so they are not problems of the model. Evaluating them is
 * the decision engine's business (issue #8).
 */
const dmn14Expressions = new Set(['dmn:Conditional', 'dmn:Filter', 'dmn:For', 'dmn:Some', 'dmn:Every']);

const CAMUNDA_DMN = 'http://camunda.org/schema/1.0/dmn';
const ZEEBE = 'http://camunda.org/schema/zeebe/1.0';

/** An id usable in `<decisionId>:<version>` and in a URL path: an XML NCName (no colon). */
const ncName = /^[\p{L}_][\p{L}\p{N}_.-]*$/u;

const reader = new DmnModdle();

/** The DMN version of the document's model namespace (undefined when it declares none of them). */
function dmnVersionOf(xml: string): string | undefined {
  for (const [namespace, version] of Object.entries(modelNamespaces)) if (xml.includes(namespace)) return version;
  return undefined;
}

function asDmn13(xml: string): string {
  let text = xml;
  for (const namespace of Object.keys(modelNamespaces)) if (namespace !== DMN13_MODEL) text = text.split(namespace).join(DMN13_MODEL);
  for (const namespace of diNamespaces) text = text.split(namespace).join(DMN13_DI);
  return text;
}

const elementsOf = (element: DmnModdleElement, name: string): DmnModdleElement[] => {
  const value = element.get(name);
  return Array.isArray(value) ? (value as DmnModdleElement[]) : [];
};
const textOf = (element: DmnModdleElement, name: string): string | undefined => {
  const value = element.get(name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

/**
 * Reads a DMN resource and checks what a deployment relies on: well-formed XML, a `dmn:definitions` root, content the
 * DMN metamodel can place, unique ids, references within the document that name an element, and decisions with ids
 * (each usable as `<decisionId>:<version>`). Every problem is reported at once, with its line and column where the
 * text shows it.
 */
export async function readDmnResource(xml: string): Promise<{ ok: true; value: DmnResource } | { ok: false; problems: DmnProblem[] }> {
  const problems: DmnProblem[] = [];
  const version = dmnVersionOf(xml);
  let definitions: DmnModdleElement;
  let elementsById: Readonly<Record<string, DmnModdleElement>>;
  try {
    const result = await reader.fromXML(asDmn13(xml), 'dmn:Definitions');
    definitions = result.rootElement;
    elementsById = result.elementsById;
    const hasImports = elementsOf(definitions, 'import').length > 0;
    for (const warning of result.warnings) {
      const problem = warningProblem(warning, xml, version, hasImports);
      if (problem !== undefined) problems.push(problem);
    }
    if (problems.some((problem) => problem.code === 'NOT_WELL_FORMED')) return { ok: false, problems };
  } catch (thrown) {
    const error = thrown as DmnParseError;
    const located = locateModdleMessage(error.message, xml);
    if (located !== undefined) {
      problems.push({ code: 'NOT_WELL_FORMED', message: `not well-formed XML: ${located.detail}${located.content ? ` at ${located.content}` : ''}`, ...located.position });
    } else {
      const found = error.warnings?.map((warning) => locateModdleMessage(warning.message, xml)).find((located) => located !== undefined);
      problems.push({
        code: 'NOT_DMN',
        message: `not a DMN document: the root element must be the definitions element of DMN 1.1 to 1.5${found ? ` (found ${found.content})` : ''}`,
        ...(found ? found.position : {}),
      });
    }
    return { ok: false, problems };
  }

  const definitionsId = textOf(definitions, 'id');
  const decisions: DmnDecision[] = [];
  const tagsWithoutId = startTags(xml, 'decision').filter((tag) => !tag.hasId);
  let withoutId = 0;
  for (const element of elementsOf(definitions, 'drgElement')) {
    if (element.$type !== 'dmn:Decision') continue;
    const id = textOf(element, 'id');
    const name = textOf(element, 'name');
    if (id === undefined) {
      problems.push({
        code: 'MISSING_ATTRIBUTE',
        field: 'decision/@id',
        message: `the decision ${name === undefined ? '' : `'${name}' `}has no id: a decision is deployed, versioned and called by its id`,
        ...tagsWithoutId[withoutId++]?.position,
      });
      continue;
    }
    if (!ncName.test(id)) {
      problems.push({
        code: 'INVALID_ID',
        elementId: id,
        field: 'decision/@id',
        message: `the decision id '${id}' is not an XML name (letters, digits, _, - and ., starting with a letter or _)`,
        ...positionOfId(xml, id),
      });
      continue;
    }
    const versionTag = versionTagOf(element, definitions);
    decisions.push({ id, ...(name === undefined ? {} : { name }), ...(versionTag === undefined ? {} : { versionTag }) });
  }
  problems.push(...danglingReferences(definitions, elementsById, xml));
  if (problems.length > 0) return { ok: false, problems };
  const definitionsName = textOf(definitions, 'name');
  return {
    ok: true,
    value: { ...(definitionsId === undefined ? {} : { definitionsId }), ...(definitionsName === undefined ? {} : { definitionsName }), decisions },
  };
}

function warningProblem(warning: DmnParseWarning, xml: string, version: string | undefined, hasImports: boolean): DmnProblem | undefined {
  const message = warning.message;
  const elementId = warning.element === undefined ? undefined : textOf(warning.element, 'id');
  const unresolved = /^unresolved reference <(.*)>$/.exec(message);
  if (unresolved !== null) {
    // A reference qualified by an import's prefix names an element of another model, which is not read here.
    if (hasImports && unresolved[1].includes(':')) return undefined;
    return {
      code: 'INVALID_REFERENCE',
      message: `${warning.element?.$type ?? 'an element'}${elementId ? ` '${elementId}'` : ''}: ${warning.property ?? 'a reference'} '${unresolved[1]}' is not an element of this model`,
      ...(elementId === undefined ? {} : { elementId, ...positionOfId(xml, elementId) }),
    };
  }
  const located = locateModdleMessage(message, xml);
  if (located === undefined) return { code: 'PARSE_WARNING', message, ...(elementId === undefined ? {} : { elementId }) };
  const unknownType = /^unknown type <(.*)>$/.exec(located.detail);
  if (unknownType !== null && (version === '1.4' || version === '1.5') && dmn14Expressions.has(unknownType[1])) return undefined;
  const duplicate = /^duplicate ID <(.*)>$/.exec(located.detail);
  if (duplicate !== null) {
    return { code: 'DUPLICATE_ID', elementId: duplicate[1], message: `duplicate id '${duplicate[1]}': ids must be unique in a DMN document`, ...located.position };
  }
  if (/^(unexpected end of file|closing tag mismatch|missing start tag|unclosed tag|illegal|missing attribute value|attribute value quote|missing closing quotes|non-whitespace outside of root node)/.test(located.detail)) {
    return { code: 'NOT_WELL_FORMED', message: `not well-formed XML: ${located.detail}${located.content ? ` at ${located.content}` : ''}`, ...located.position };
  }
  return { code: 'PARSE_WARNING', message: `cannot read ${located.content || 'content'}: ${located.detail}`, ...located.position };
}

/**
 * Requirements and other `href` references of DMN elements that point into this document (`#id`) must name one of
 * its elements. Vendor extensions are not DMN and are left alone (their references follow their own rules).
 */
function danglingReferences(definitions: DmnModdleElement, elementsById: Readonly<Record<string, DmnModdleElement>>, xml: string): DmnProblem[] {
  const problems: DmnProblem[] = [];
  const seen = new Set<object>();
  const visit = (element: DmnModdleElement, owner: string | undefined): void => {
    if (seen.has(element)) return;
    seen.add(element);
    const id = textOf(element, 'id') ?? owner;
    const href = textOf(element, 'href');
    if (href?.startsWith('#') && elementsById[href.slice(1)] === undefined) {
      problems.push({
        code: 'INVALID_REFERENCE',
        ...(id === undefined ? {} : { elementId: id, ...positionOfId(xml, id) }),
        message: `${id === undefined ? 'an element' : `'${id}'`} refers to '${href}', which is not an element of this model`,
      });
    }
    for (const value of Object.values(element)) {
      const children = Array.isArray(value) ? value : [value];
      for (const child of children) {
        if (isDmnChild(child, element)) {
          visit(child as DmnModdleElement, id);
        }
      }
    }
  };
  visit(definitions, undefined);
  return problems;
}

function isDmnChild(value: unknown, parent: DmnModdleElement): value is DmnModdleElement {
  if (typeof value !== 'object' || value === null) return false;
  const element = value as Partial<DmnModdleElement>;
  return typeof element.$type === 'string' && element.$type.startsWith('dmn:') && element.$parent === parent;
}

/** The prefix a document declares for a namespace, e.g. `camunda` for the Camunda 7 DMN namespace. */
function prefixOf(definitions: DmnModdleElement, namespace: string): string | undefined {
  const declaration = Object.entries(definitions.$attrs ?? {}).find(([name, value]) => name.startsWith('xmlns:') && value === namespace);
  return declaration?.[0].slice('xmlns:'.length);
}

/** Camunda 7 writes `camunda:versionTag` on the decision; Camunda 8 a `zeebe:versionTag` extension element. */
function versionTagOf(decision: DmnModdleElement, definitions: DmnModdleElement): string | undefined {
  const camunda = prefixOf(definitions, CAMUNDA_DMN);
  const attribute = camunda === undefined ? undefined : decision.$attrs?.[`${camunda}:versionTag`]?.trim();
  if (attribute) return attribute;
  const zeebe = prefixOf(definitions, ZEEBE);
  const extensionElements = decision.get('extensionElements') as DmnModdleElement | undefined;
  if (zeebe === undefined || extensionElements === undefined) return undefined;
  const tag = elementsOf(extensionElements, 'values').find((value) => value.$type === `${zeebe}:versionTag`);
  const value = tag?.$attrs?.['value'] ?? (tag === undefined ? undefined : textOf(tag, 'value'));
  return value?.trim() || undefined;
}

/** The other DMN resources of a deployment, as the models a DMN resource may import. */
export function dmnImportsOf(uploads: readonly { readonly name: string; readonly content: string | Uint8Array }[], except: string): DmnImportSource[] {
  return uploads
    .filter((upload) => upload.name !== except && /\.dmn(11\.xml)?$/i.test(upload.name))
    .map((upload) => ({ xml: (typeof upload.content === 'string' ? upload.content : Buffer.from(upload.content).toString('utf8')).replace(/^\uFEFF/, '') }));
}

/** A problem of the decision engine's compiler, as a deployment lists it (element, field, line). */
export function dmnCompileProblem(problem: DmnCompileProblem): DmnProblem {
  return {
    code: problem.code,
    message: problem.message,
    ...(problem.elementId === undefined ? {} : { elementId: problem.elementId }),
    ...(problem.field === undefined ? {} : { field: problem.field }),
    ...(problem.line === undefined ? {} : { line: problem.line }),
  };
}
