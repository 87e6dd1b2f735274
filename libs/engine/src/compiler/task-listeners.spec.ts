import { describe, expect, it } from '@jest/globals';
import { compile } from './compile.js';
import { bpmnProcess, compiledProcess } from '../testing/bpmn.js';

const withTask = (extensions: string) =>
  bpmnProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review"><bpmn:extensionElements>${extensions}</bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />`);

async function problemsOf(xml: string) {
  const compiled = await compile(xml);
  return compiled.ok ? [] : compiled.error;
}

describe('task listeners: compiler', () => {
  it('compiles zeebe:taskListeners into job listeners, in model order, with their retries', async () => {
    const process = await compiledProcess(
      withTask(`<zeebe:userTask /><zeebe:taskListeners>
        <zeebe:taskListener eventType="creating" type="assign-reviewer" retries="5" />
        <zeebe:taskListener eventType="completing" type="check-four-eyes" />
        <zeebe:taskListener eventType="complete" type="audit" />
        <zeebe:taskListener eventType="canceling" type="notify-canceled" />
        <zeebe:taskListener eventType="cancel" type="clean-up" />
      </zeebe:taskListeners>`),
    );
    expect(process.elements.review).toMatchObject({
      taskListeners: [
        { eventType: 'creating', type: 'assign-reviewer', retries: 5 },
        { eventType: 'completing', type: 'check-four-eyes', retries: 3 },
        { eventType: 'completing', type: 'audit', retries: 3 },
        { eventType: 'canceling', type: 'notify-canceled', retries: 3 },
        { eventType: 'canceling', type: 'clean-up', retries: 3 },
      ],
    });
  });

  it('maps a Camunda 7 delegateExpression listener to a job of the named type', async () => {
    const process = await compiledProcess(
      withTask(`<camunda:taskListener event="create" delegateExpression="\${assignReviewer}" />
        <camunda:taskListener event="complete" delegateExpression="\${ auditCompletion }" />
        <camunda:taskListener event="delete" delegateExpression="\${notifyDeleted}" />`),
    );
    expect(process.elements.review).toMatchObject({
      taskListeners: [
        { eventType: 'creating', type: 'assignReviewer', retries: 3 },
        { eventType: 'completing', type: 'auditCompletion', retries: 3 },
        { eventType: 'canceling', type: 'notifyDeleted', retries: 3 },
      ],
    });
  });

  it('compiles a Camunda 7 timeout listener with its timer', async () => {
    const process = await compiledProcess(
      withTask(`<camunda:taskListener event="timeout" id="remind" delegateExpression="\${remindAssignee}">
          <bpmn:timerEventDefinition><bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition>
        </camunda:taskListener>`),
    );
    expect(process.elements.review).toMatchObject({
      taskListeners: [{ eventType: 'timeout', type: 'remindAssignee', timer: { kind: 'timeDuration', expression: { source: 'PT2H' } } }],
    });
  });

  it.each([
    ['<camunda:taskListener event="timeout" delegateExpression="${remind}" />', 'MISSING_ATTRIBUTE', 'camunda:taskListener[0]/timerEventDefinition'],
    [
      '<camunda:taskListener event="timeout" delegateExpression="${remind}"><bpmn:timerEventDefinition><bpmn:timeDuration>soon</bpmn:timeDuration></bpmn:timerEventDefinition></camunda:taskListener>',
      'INVALID_ATTRIBUTE',
      'timeDuration',
    ],
    [
      '<camunda:taskListener event="create" delegateExpression="${remind}"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></camunda:taskListener>',
      'INVALID_ATTRIBUTE',
      'camunda:taskListener[0]/camunda:timerEventDefinition',
    ],
  ])('refuses a timeout listener without a valid timer, or a timer on another listener: %s', async (extension, code, field) => {
    const found = await problemsOf(withTask(extension));
    expect(found).toEqual([expect.objectContaining({ code, elementId: 'review', field })]);
  });

  it('a user task without listeners has none', async () => {
    const process = await compiledProcess(withTask('<zeebe:userTask />'));
    expect(process.elements.review).not.toHaveProperty('taskListeners');
  });

  it.each([
    ['<camunda:taskListener event="create" class="org.example.Assign" />', 'NOT_SUPPORTED', 'camunda:taskListener[0]/@class', /Java class cannot run here/],
    ['<camunda:taskListener event="create" expression="${audit.log(task)}" />', 'NOT_SUPPORTED', 'camunda:taskListener[0]/@expression', /JUEL expression/],
    ['<camunda:taskListener event="assignment" delegateExpression="${audit}" />', 'NOT_SUPPORTED', 'camunda:taskListener[0]/@event', /'assignment'/],
    ['<camunda:taskListener event="complete" delegateExpression="#{audit}" />', 'INVALID_ATTRIBUTE', 'camunda:taskListener[0]/@delegateExpression', /job type/],
    ['<zeebe:taskListeners><zeebe:taskListener eventType="assigning" type="a" /></zeebe:taskListeners>', 'NOT_SUPPORTED', 'zeebe:taskListener[0]/@eventType', /'assigning'/],
    ['<zeebe:taskListeners><zeebe:taskListener eventType="updating" type="a" /></zeebe:taskListeners>', 'NOT_SUPPORTED', 'zeebe:taskListener[0]/@eventType', /'updating'/],
    ['<camunda:taskListener event="update" delegateExpression="${audit}" />', 'NOT_SUPPORTED', 'camunda:taskListener[0]/@event', /'update'/],
    ['<zeebe:taskListeners><zeebe:taskListener eventType="sometimes" type="a" /></zeebe:taskListeners>', 'INVALID_ATTRIBUTE', 'zeebe:taskListener[0]/@eventType', /not 'sometimes'/],
    ['<zeebe:taskListeners><zeebe:taskListener eventType="creating" /></zeebe:taskListeners>', 'MISSING_ATTRIBUTE', 'zeebe:taskListener[0]/@type', /no job type/],
    ['<zeebe:taskListeners><zeebe:taskListener eventType="creating" type="=kind" /></zeebe:taskListeners>', 'NOT_SUPPORTED', 'zeebe:taskListener[0]/@type', /expression/],
    ['<zeebe:taskListeners><zeebe:taskListener eventType="creating" type="a" retries="many" /></zeebe:taskListeners>', 'INVALID_ATTRIBUTE', 'zeebe:taskListener[0]/@retries', /whole number/],
  ])('refuses %s at deployment, naming the element and field', async (extension, code, field, message) => {
    const found = await problemsOf(withTask(extension));
    expect(found).toEqual([expect.objectContaining({ code, elementId: 'review', field, message: expect.stringMatching(message) })]);
  });
});
