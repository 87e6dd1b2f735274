import type { ModdleElement } from 'bpmn-moddle';

export type { ModdleElement };

/** Typed reads of moddle element properties: the compiler never trusts a property to hold what its name suggests. */
export function stringProperty(element: ModdleElement, name: string): string | undefined {
  const value = element.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** A string property that is present and not blank, trimmed. */
export function textProperty(element: ModdleElement, name: string): string | undefined {
  const value = stringProperty(element, name)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function booleanProperty(element: ModdleElement, name: string): boolean | undefined {
  const value = element.get(name);
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

export function numberProperty(element: ModdleElement, name: string): number | undefined {
  const value = element.get(name);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function isModdleElement(value: unknown): value is ModdleElement {
  return typeof value === 'object' && value !== null && typeof (value as { $type?: unknown }).$type === 'string';
}

export function elementProperty(element: ModdleElement, name: string): ModdleElement | undefined {
  const value = element.get(name);
  return isModdleElement(value) ? value : undefined;
}

export function elementsProperty(element: ModdleElement, name: string): ModdleElement[] {
  const value = element.get(name);
  return Array.isArray(value) ? value.filter(isModdleElement) : [];
}

export function idOf(element: ModdleElement): string | undefined {
  return textProperty(element, 'id');
}

/** Elements of `bpmn:extensionElements`, in document order: typed ones of known dialects and generic ones. */
export function extensionValues(element: ModdleElement): ModdleElement[] {
  const extensionElements = elementProperty(element, 'extensionElements');
  return extensionElements === undefined ? [] : elementsProperty(extensionElements, 'values');
}

/** Text content of an expression element (`bpmn:conditionExpression`, `bpmn:loopCardinality`, ...). */
export function expressionBody(element: ModdleElement | undefined): string | undefined {
  if (element === undefined) return undefined;
  return stringProperty(element, 'body') ?? '';
}

/** How the element is named in messages: `bpmn:UserTask 'approve'`. */
export function describeElement(element: ModdleElement): string {
  const id = idOf(element);
  return id === undefined ? element.$type : `${element.$type} '${id}'`;
}
