import type { FlowNode, IntermediateCatchEventNode } from '../model/executable-model.js';
import type { ModelErrorCollector } from './model-error-collector.js';

/**
 * Resolves every link throw event to the link catch event of the same name in its scope (the process or the
 * sub-process it sits in), and refuses links that cannot work: a throw without a catch, two catches sharing a name,
 * a catch with incoming flows (it is entered only through its link) and a throw with outgoing flows (its token
 * leaves through the link). Returns the elements with each throw event's `link.catchEventId` set.
 */
export function resolveLinks(elements: Readonly<Record<string, FlowNode>>, errors: ModelErrorCollector): Record<string, FlowNode> {
  const catches = new Map<string, IntermediateCatchEventNode>();
  for (const node of Object.values(elements)) {
    const definition = node.kind === 'intermediateCatchEvent' ? definitionOf(node) : undefined;
    if (node.kind !== 'intermediateCatchEvent' || definition?.type !== 'link') continue;
    if (node.incoming.length > 0) {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `link catch event '${node.id}' has incoming sequence flows (${node.incoming.join(', ')}): it is entered only through its link`,
        elementId: node.id,
        field: 'incoming',
      });
    }
    const key = scopedName(node.parentId, definition.name);
    const first = catches.get(key);
    if (first !== undefined) {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `link catch events '${first.id}' and '${node.id}' in '${node.parentId}' are both named '${definition.name}': a link throw event would not know where to go`,
        elementId: node.id,
        field: 'name',
      });
      continue;
    }
    catches.set(key, node);
  }

  const resolved: Record<string, FlowNode> = { ...elements };
  for (const node of Object.values(elements)) {
    if (node.kind !== 'intermediateThrowEvent' || node.link === undefined) continue;
    if (node.outgoing.length > 0) {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `link throw event '${node.id}' has outgoing sequence flows (${node.outgoing.join(', ')}): its token leaves through the link '${node.link.name}'`,
        elementId: node.id,
        field: 'outgoing',
      });
    }
    const target = catches.get(scopedName(node.parentId, node.link.name));
    if (target === undefined) {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `link throw event '${node.id}' jumps to the link '${node.link.name}', but no link catch event in '${node.parentId}' has that name`,
        elementId: node.id,
        field: 'name',
      });
      continue;
    }
    resolved[node.id] = { ...node, link: { ...node.link, catchEventId: target.id } };
  }
  return resolved;
}

/** A catch event whose definition did not compile is built without one (the model is refused for it anyway). */
export function definitionOf(node: IntermediateCatchEventNode): IntermediateCatchEventNode['eventDefinition'] | undefined {
  return node.eventDefinition as IntermediateCatchEventNode['eventDefinition'] | undefined;
}

/**
 * For each link catch event, the link throw events that jump to it: the hidden incoming edges of the process graph,
 * for whoever walks it backwards.
 */
export function linkSources(elements: Readonly<Record<string, FlowNode>>): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  for (const node of Object.values(elements)) {
    const catchEventId = node.kind === 'intermediateThrowEvent' ? node.link?.catchEventId : undefined;
    if (catchEventId !== undefined) sources.set(catchEventId, [...(sources.get(catchEventId) ?? []), node.id]);
  }
  return sources;
}

const scopedName = (scopeId: string, name: string): string => `${scopeId}\u0000${name}`;
