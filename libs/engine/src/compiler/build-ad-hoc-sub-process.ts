import type { AdHocSubProcessNode } from '../model/executable-model.js';
import { booleanProperty, elementProperty, elementsProperty, expressionBody, idOf, stringProperty, textProperty } from './moddle-element.js';
import { expressionValue, type ReadContext } from './read-context.js';

type AdHocParts = Pick<AdHocSubProcessNode, 'childIds' | 'startableIds' | 'ordering' | 'activeElements' | 'completionCondition' | 'cancelRemainingInstances'>;

/**
 * An ad-hoc sub-process (BPMN 2.0 §10.3.5, Camunda 8.7+ `zeebe:adHoc`). What can be started: its inner activities
 * and intermediate events without incoming sequence flows. It has no start or end events (both refused, as in the
 * spec and Zeebe) and at least one activity. `zeebe:adHoc/@activeElementsCollection` (FEEL) names what starts on
 * entry; its `outputCollection`/`outputElement` belong to job-worker-driven ad-hoc sub-processes, not run here.
 */
export function readAdHocSubProcess(context: ReadContext): AdHocParts {
  const { element, elementId, errors } = context;
  const children = elementsProperty(element, 'flowElements');
  const targets = new Set(
    children.filter((child) => child.$type === 'bpmn:SequenceFlow').flatMap((flow) => {
      const target = elementProperty(flow, 'targetRef');
      const id = target === undefined ? undefined : idOf(target);
      return id === undefined ? [] : [id];
    }),
  );
  const childIds: string[] = [];
  const startableIds: string[] = [];
  let activities = 0;
  for (const child of children) {
    const id = idOf(child);
    if (id === undefined || child.$type === 'bpmn:SequenceFlow' || !child.$instanceOf('bpmn:FlowNode')) continue;
    childIds.push(id);
    if (child.$type === 'bpmn:StartEvent' || child.$type === 'bpmn:EndEvent') {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `ad-hoc sub-process '${elementId}' holds ${child.$type} '${id}': an ad-hoc sub-process has no start or end events, its inner activities are started on demand`,
        elementId: id,
        field: 'flowElements',
      });
      continue;
    }
    if (child.$type === 'bpmn:SubProcess' && booleanProperty(child, 'triggeredByEvent') === true) {
      errors.add({
        code: 'NOT_SUPPORTED',
        message: `not supported yet: event sub-process '${id}' inside ad-hoc sub-process '${elementId}'`,
        elementId: id,
        field: 'triggeredByEvent',
      });
      continue;
    }
    const isActivity = child.$instanceOf('bpmn:Activity');
    if (isActivity) activities++;
    const startable = isActivity || child.$type === 'bpmn:IntermediateCatchEvent' || child.$type === 'bpmn:IntermediateThrowEvent';
    if (startable && !targets.has(id) && booleanProperty(child, 'isForCompensation') !== true) startableIds.push(id);
  }
  if (activities === 0) {
    errors.add({ code: 'MISSING_ATTRIBUTE', message: `ad-hoc sub-process '${elementId}' has no activity: there would be nothing to start in it`, elementId, field: 'flowElements' });
  }

  const ordering = stringProperty(element, 'ordering') ?? 'Parallel';
  if (ordering !== 'Parallel' && ordering !== 'Sequential') {
    errors.add({ code: 'INVALID_ATTRIBUTE', message: `ordering of ad-hoc sub-process '${elementId}' is '${ordering}': Parallel or Sequential`, elementId, field: 'ordering' });
  }
  const completionCondition = expressionValue(context, expressionBody(elementProperty(element, 'completionCondition')), 'completionCondition', 'condition')?.value;

  const adHoc = context.extensions.take('zeebe:AdHoc');
  const collectionText = adHoc === undefined ? undefined : textProperty(adHoc, 'activeElementsCollection');
  const activeElements = expressionValue(context, collectionText, 'zeebe:adHoc/@activeElementsCollection', 'feel')?.value;
  for (const attribute of ['outputCollection', 'outputElement'] as const) {
    if (adHoc !== undefined && textProperty(adHoc, attribute) !== undefined) {
      errors.add({
        code: 'NOT_SUPPORTED',
        message: `not supported yet: zeebe:adHoc/@${attribute} (results of ad-hoc sub-processes driven by a job worker)`,
        elementId,
        field: `zeebe:adHoc/@${attribute}`,
      });
    }
  }
  return {
    childIds,
    startableIds,
    ordering: ordering === 'Sequential' ? 'Sequential' : 'Parallel',
    ...(activeElements === undefined ? {} : { activeElements }),
    ...(completionCondition === undefined ? {} : { completionCondition }),
    cancelRemainingInstances: booleanProperty(element, 'cancelRemainingInstances') ?? true,
  };
}
