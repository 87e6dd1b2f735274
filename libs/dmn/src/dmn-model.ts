import { XmlElement, attr, child, childrenNamed } from './xml-reader.js';
import type { DecisionMetadata } from './dmn-types.js';

/** The elements whose content is decision logic (a boxed expression). */
export const BOXED_EXPRESSIONS = new Set([
  'literalExpression',
  'context',
  'list',
  'relation',
  'functionDefinition',
  'invocation',
  'decisionTable',
  'conditional',
  'filter',
  'for',
  'every',
  'some',
]);

/** The boxed expression of a decision, context entry, BKM logic, binding... (undefined when it has none). */
export const logicOf = (element: XmlElement | undefined): XmlElement | undefined => element?.children.find((c) => BOXED_EXPRESSIONS.has(c.name));

/** The id an `href` points at (`#id` or `namespace#id`), and the namespace when another model's. */
export function hrefTarget(href: string): { namespace: string; id: string } {
  const hash = href.indexOf('#');
  return hash < 0 ? { namespace: '', id: href } : { namespace: href.slice(0, hash), id: href.slice(hash + 1) };
}

/**
 * A compiled DMN model: the definitions read once, indexed by id and name, with the models it imports. Made by
 * `compileDmn` only, which has checked it; evaluate it with `evaluateDecision` / `evaluateDecisionService`.
 */
export class DmnModel {
  readonly namespace: string;
  readonly name: string;
  readonly byId = new Map<string, XmlElement>();
  readonly decisions = new Map<string, XmlElement>();
  readonly knowledgeModels = new Map<string, XmlElement>();
  readonly inputData = new Map<string, XmlElement>();
  readonly itemDefinitions = new Map<string, XmlElement>();
  readonly services = new Map<string, XmlElement>();
  /** Imported models by namespace, with the name (prefix) each is imported as. */
  readonly imports = new Map<string, { readonly prefix: string; readonly model: DmnModel }>();

  /** @internal use `compileDmn`. */
  constructor(readonly definitions: XmlElement) {
    this.namespace = attr(definitions, 'namespace') ?? '';
    this.name = attr(definitions, 'name') ?? '';
    for (const e of definitions.children) {
      const name = attr(e, 'name') ?? '';
      const id = attr(e, 'id');
      if (id) this.byId.set(id, e);
      if (e.name === 'decision') this.decisions.set(name, e);
      else if (e.name === 'businessKnowledgeModel') this.knowledgeModels.set(name, e);
      else if (e.name === 'inputData') this.inputData.set(name, e);
      else if (e.name === 'itemDefinition') this.itemDefinitions.set(name, e);
      else if (e.name === 'decisionService') this.services.set(name, e);
    }
  }

  /** The declared type of an input data, by name. */
  inputType(name: string): string | undefined {
    return attr(child(this.inputData.get(name), 'variable'), 'typeRef');
  }

  /** A decision by id, else by name. */
  decision(idOrName: string): XmlElement | undefined {
    const byId = this.byId.get(idOrName);
    return byId?.name === 'decision' ? byId : this.decisions.get(idOrName);
  }

  /** A decision service by id, else by name. */
  service(idOrName: string): XmlElement | undefined {
    const byId = this.byId.get(idOrName);
    return byId?.name === 'decisionService' ? byId : this.services.get(idOrName);
  }
}

/** The decisions and decision services of a model, for catalogues. */
export function decisionsOf(model: DmnModel): DecisionMetadata[] {
  const metadata: DecisionMetadata[] = [];
  const requirementTargets = (element: XmlElement, kind: string): XmlElement[] =>
    childrenNamed(element, 'informationRequirement')
      .map((r) => r.children.find((c) => c.name === kind))
      .filter((r): r is XmlElement => r !== undefined)
      .map((r) => model.byId.get(hrefTarget(attr(r, 'href') ?? '').id))
      .filter((t): t is XmlElement => t !== undefined);
  const inputsOf = (decision: XmlElement, seen: Set<XmlElement>): string[] => {
    if (seen.has(decision)) return [];
    seen.add(decision);
    const direct = requirementTargets(decision, 'requiredInput').map((t) => attr(t, 'name') ?? '');
    const indirect = requirementTargets(decision, 'requiredDecision').flatMap((d) => inputsOf(d, seen));
    return [...new Set([...direct, ...indirect])];
  };
  for (const element of model.definitions.children) {
    if (element.name !== 'decision' && element.name !== 'decisionService') continue;
    const id = attr(element, 'id') ?? attr(element, 'name') ?? '';
    const typeRef = attr(child(element, 'variable'), 'typeRef');
    if (element.name === 'decision') {
      metadata.push({
        id,
        name: attr(element, 'name') ?? id,
        kind: 'decision',
        ...(typeRef ? { typeRef } : {}),
        inputs: inputsOf(element, new Set()),
        requiredDecisions: requirementTargets(element, 'requiredDecision').map((d) => attr(d, 'id') ?? ''),
        ...(logicOf(element) ? { logic: logicOf(element)?.name } : {}),
      });
    } else {
      const referenced = (kind: string): XmlElement[] =>
        childrenNamed(element, kind)
          .map((r) => model.byId.get(hrefTarget(attr(r, 'href') ?? '').id))
          .filter((t): t is XmlElement => t !== undefined);
      metadata.push({
        id,
        name: attr(element, 'name') ?? id,
        kind: 'decisionService',
        ...(typeRef ? { typeRef } : {}),
        inputs: [...referenced('inputDecision'), ...referenced('inputData')].map((t) => attr(t, 'name') ?? ''),
        requiredDecisions: referenced('outputDecision').map((d) => attr(d, 'id') ?? ''),
      });
    }
  }
  return metadata;
}
