import type { ModelErrorCollector } from './model-error-collector.js';
import { describeElement, extensionValues, type ModdleElement } from './moddle-element.js';

/** `zeebe:TaskDefinition` (moddle's type name) as written in XML: `zeebe:taskDefinition`. */
export function xmlName(type: string): string {
  const colon = type.indexOf(':');
  return `${type.slice(0, colon + 1)}${type.charAt(colon + 1).toLowerCase()}${type.slice(colon + 2)}`;
}

/**
 * Extension elements with execution semantics this version does not run yet. Each refuses the deployment with
 * NOT_SUPPORTED wherever it appears, since running the model without it would do something else than written.
 */
const notSupportedExtensions: Readonly<Record<string, string>> = {
  'camunda:ExecutionListener': 'camunda:executionListener (execution listeners)',
  'camunda:Connector': 'camunda:connector (Camunda Connect connectors): use an external task topic',
  'camunda:FormData': 'camunda:formData (generated task forms): use camunda:formKey',
  'camunda:FormProperty': 'camunda:formProperty (generated task forms): use camunda:formKey',
  'camunda:ErrorEventDefinition': 'camunda:errorEventDefinition (BPMN errors thrown from external tasks)',
  'zeebe:ExecutionListeners': 'zeebe:executionListeners (execution listeners)',
  'zeebe:ConditionalFilter': 'zeebe:conditionalFilter (conditional events)',
  'zeebe:AgentDefinition': 'zeebe:agentDefinition (AI agent sub-processes)',
};

/**
 * Extension elements without execution semantics in the engine: modelling metadata, forms and links a task list
 * reads, scheduling hints. They are accepted anywhere and not copied into the executable model.
 */
const metadataExtensions = new Set([
  'camunda:Properties',
  'camunda:PotentialStarter',
  // Fields are injected into Java delegates only; a delegate is refused on its own.
  'camunda:Field',
  // A retry cycle is read where it means something (asynchronous continuations, worker jobs); elsewhere it is kept as
  // metadata, as Camunda 7 reads it only for jobs.
  'camunda:FailedJobRetryTimeCycle',
  'zeebe:Properties',
  'zeebe:VersionTag',
  'zeebe:UserTaskForm',
  'zeebe:LinkedResources',
  'zeebe:JobPriorityDefinition',
]);

const dialectPrefixes = ['camunda:', 'zeebe:'];

/**
 * The extension elements of one BPMN element. Readers `take` what they understand; `finish` then refuses what
 * was left: extensions this version does not run (NOT_SUPPORTED) and dialect extensions that mean nothing on
 * this kind of element (INVALID_ATTRIBUTE). Elements of other namespaces (vendor metadata) are left alone.
 */
export class ElementExtensions {
  private readonly remaining: ModdleElement[];

  constructor(
    private readonly owner: ModdleElement,
    private readonly elementId: string,
    private readonly errors: ModelErrorCollector,
    values: readonly ModdleElement[] = extensionValues(owner),
  ) {
    this.remaining = [...values];
  }

  /** The extension element of this type; a second one of the same type is an error. */
  take(type: string): ModdleElement | undefined {
    const found = this.takeAll(type);
    if (found.length > 1) {
      this.errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `${describeElement(this.owner)} has ${found.length} ${xmlName(type)} elements: it may have one`,
        elementId: this.elementId,
        field: xmlName(type),
      });
    }
    return found[0];
  }

  takeAll(type: string): ModdleElement[] {
    const found = this.remaining.filter((value) => value.$type === type);
    for (const value of found) this.remaining.splice(this.remaining.indexOf(value), 1);
    return found;
  }

  /** Whether an extension element of this type is present (and not yet taken). */
  has(type: string): boolean {
    return this.remaining.some((value) => value.$type === type);
  }

  finish(): void {
    for (const value of this.remaining) {
      const type = value.$type;
      if (value.$descriptor?.isGeneric === true || !dialectPrefixes.some((prefix) => type.startsWith(prefix))) continue;
      if (metadataExtensions.has(type)) continue;
      const notSupported = notSupportedExtensions[type];
      if (notSupported !== undefined) {
        this.errors.add({ code: 'NOT_SUPPORTED', message: `not supported yet: ${notSupported}`, elementId: this.elementId, field: xmlName(type) });
      } else {
        this.errors.add({
          code: 'INVALID_ATTRIBUTE',
          message: `${xmlName(type)} has no effect on ${describeElement(this.owner)}`,
          elementId: this.elementId,
          field: xmlName(type),
        });
      }
    }
    this.remaining.length = 0;
  }
}
