/** BPMN models with timers for the runtime's tests. */

const definitions = (id: string, body: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="${id}-definitions" targetNamespace="http://example.org/test">
${body}
</bpmn:definitions>`;

/** start → wait (intermediate timer, `timeDuration` as given) → review it (user task) → end. */
export const waitThenReviewBpmn = (duration = 'PT1H', processId = 'wait-then-review'): string =>
  definitions(
    processId,
    `  <bpmn:process id="${processId}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-wait" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${duration}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="to-review" sourceRef="wait" targetRef="review-it" />
    <bpmn:userTask id="review-it"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="to-end" sourceRef="review-it" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`,
  );

/** A timer start event `tick` (the timer as given, e.g. `<bpmn:timeCycle>R/PT1H</bpmn:timeCycle>`) → check (user task) → end. */
export const timerStartedBpmn = (timer: string, processId = 'timer-started'): string =>
  definitions(
    processId,
    `  <bpmn:process id="${processId}" isExecutable="true">
    <bpmn:startEvent id="tick"><bpmn:timerEventDefinition>${timer}</bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:sequenceFlow id="to-check" sourceRef="tick" targetRef="check" />
    <bpmn:userTask id="check"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="to-end" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`,
  );
