import type { MultiInstanceLoop, StandardLoop } from '../model/executable-model.js';
import { readCamundaAsync, readCamundaAsyncJob, readCamundaCollection } from './dialects/camunda7-extensions.js';
import { mergeDialects } from './dialects/merge-dialects.js';
import { readZeebeLoop } from './dialects/zeebe-extensions.js';
import { ElementExtensions } from './extension-elements.js';
import { booleanProperty, elementProperty, expressionBody, numberProperty, type ModdleElement } from './moddle-element.js';
import { readMultiInstanceBehavior } from './multi-instance-behavior.js';
import { expressionValue, type ReadContext } from './read-context.js';

export interface Loops {
  readonly multiInstance?: MultiInstanceLoop;
  readonly standardLoop?: StandardLoop;
}

/** `bpmn:loopCharacteristics` of an activity: multi-instance (both dialects) or a standard loop. */
export function readLoopCharacteristics(context: ReadContext): Loops {
  const loop = elementProperty(context.element, 'loopCharacteristics');
  if (loop === undefined) return {};
  if (loop.$type === 'bpmn:MultiInstanceLoopCharacteristics') {
    const multiInstance = readMultiInstance(loop, context);
    return multiInstance === undefined ? {} : { multiInstance };
  }
  if (loop.$type === 'bpmn:StandardLoopCharacteristics') {
    const standardLoop = readStandardLoop(loop, context);
    return standardLoop === undefined ? {} : { standardLoop };
  }
  context.errors.add({ code: 'NOT_SUPPORTED', message: `not supported yet: ${loop.$type}`, elementId: context.elementId, field: 'loopCharacteristics' });
  return {};
}

/** Parts of the BPMN multi-instance that the dialects replace with their own collection attributes. */
const bpmnDataReferences = ['loopDataInputRef', 'inputDataItem', 'loopDataOutputRef', 'outputDataItem'] as const;

function readMultiInstance(loop: ModdleElement, owner: ReadContext): MultiInstanceLoop | undefined {
  const { elementId, errors } = owner;
  const context: ReadContext = { ...owner, element: loop, extensions: new ElementExtensions(loop, elementId, errors) };
  const problems = errors.count;

  for (const reference of bpmnDataReferences) {
    if (loop.get(reference) !== undefined) {
      errors.add({
        code: 'NOT_SUPPORTED',
        message:
          `not supported yet: bpmn:${reference} (multi-instance data of BPMN): ` +
          'use zeebe:loopCharacteristics inputCollection/outputCollection or camunda:collection/camunda:elementVariable',
        elementId,
        field: reference,
      });
    }
  }
  const behavior = readMultiInstanceBehavior(loop, context);

  const loopCardinalityText = expressionBody(elementProperty(loop, 'loopCardinality'));
  const loopCardinality = expressionValue(context, loopCardinalityText, 'loopCardinality', 'integer');
  const completionCondition = expressionValue(context, expressionBody(elementProperty(loop, 'completionCondition')), 'completionCondition', 'condition');
  const zeebe = readZeebeLoop(context);
  const camunda = readCamundaCollection(loop, context);
  const inputCollection = mergeDialects(zeebe.inputCollection, camunda.inputCollection, elementId, errors);
  const inputElement = mergeDialects(zeebe.inputElement, camunda.inputElement, elementId, errors);
  const async = readCamundaAsync(context);
  const asyncJob = readCamundaAsyncJob(context, async, undefined);
  context.extensions.finish();

  const hasCardinality = loopCardinalityText !== undefined && loopCardinalityText.trim() !== '';
  const hasCollection = zeebe.inputCollection !== undefined || camunda.inputCollection !== undefined;
  if (!hasCardinality && !hasCollection && errors.count === problems) {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message:
        `multi-instance '${elementId}' has neither a loopCardinality nor an input collection ` +
        '(zeebe:loopCharacteristics inputCollection or camunda:collection)',
      elementId,
      field: 'loopCardinality',
    });
  }
  if (hasCardinality && hasCollection) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `multi-instance '${elementId}' has both a loopCardinality and an input collection: the number of instances comes from one of them`,
      elementId,
      field: 'loopCardinality',
    });
  }
  if (zeebe.outputCollection !== undefined && !zeebe.hasOutputElement) {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `multi-instance '${elementId}' has an outputCollection but no outputElement to fill it with`,
      elementId,
      field: 'zeebe:loopCharacteristics/@outputElement',
    });
  }
  if (zeebe.outputCollection === undefined && zeebe.hasOutputElement) {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `multi-instance '${elementId}' has an outputElement but no outputCollection to collect it in`,
      elementId,
      field: 'zeebe:loopCharacteristics/@outputCollection',
    });
  }

  return {
    ...async,
    ...asyncJob,
    isSequential: booleanProperty(loop, 'isSequential') === true,
    ...(loopCardinality === undefined ? {} : { loopCardinality: loopCardinality.value }),
    ...(inputCollection === undefined ? {} : { inputCollection }),
    ...(inputElement === undefined ? {} : { inputElement }),
    ...(zeebe.outputCollection === undefined ? {} : { outputCollection: zeebe.outputCollection }),
    ...(zeebe.outputElement === undefined ? {} : { outputElement: zeebe.outputElement }),
    ...(completionCondition === undefined ? {} : { completionCondition: completionCondition.value }),
    ...behavior,
  };
}

function readStandardLoop(loop: ModdleElement, context: ReadContext): StandardLoop | undefined {
  const conditionText = expressionBody(elementProperty(loop, 'loopCondition'));
  const loopCondition = expressionValue(context, conditionText, 'loopCondition', 'condition');
  const loopMaximum = numberProperty(loop, 'loopMaximum');
  if ((conditionText === undefined || conditionText.trim() === '') && loopMaximum === undefined) {
    context.errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `standard loop '${context.elementId}' has neither a loopCondition nor a loopMaximum: it would never end`,
      elementId: context.elementId,
      field: 'loopCondition',
    });
  }
  if (loopMaximum !== undefined && (!Number.isInteger(loopMaximum) || loopMaximum < 0)) {
    context.errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `loopMaximum of '${context.elementId}' must be a whole number of at least 0: ${loopMaximum}`,
      elementId: context.elementId,
      field: 'loopMaximum',
    });
  }
  return {
    testBefore: booleanProperty(loop, 'testBefore') === true,
    ...(loopCondition === undefined ? {} : { loopCondition: loopCondition.value }),
    ...(loopMaximum === undefined ? {} : { loopMaximum }),
  };
}
