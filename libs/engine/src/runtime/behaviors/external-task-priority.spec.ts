import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { compiledProcess, definitions } from '../../testing/bpmn.js';
import { scenario } from '../../testing/decider-spec.js';

/** start → charge (external task on topic `payment`) → end; a message end event `notify` is an external task too when asked. */
const externalTaskXml = (taskAttributes: string, processAttributes = '') =>
  definitions(`  <bpmn:process id="process" isExecutable="true" ${processAttributes}>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge" />
    <bpmn:serviceTask id="charge" camunda:type="external" camunda:topic="payment" ${taskAttributes} />
    <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

const externalTask = async (taskAttributes: string, processAttributes = '') => compiledProcess(externalTaskXml(taskAttributes, processAttributes));

const problemsOf = async (xml: string) => {
  const compiled = await compile(xml);
  return compiled.ok ? [] : compiled.error;
};

describe('external task priority (camunda:taskPriority)', () => {
  it('is the element camunda:taskPriority, evaluated when the task is created', async () => {
    const run = scenario(await externalTask('camunda:taskPriority="${urgency * 10}"')).start({ urgency: 3 });
    expect(run.job('charge').priority).toBe(30);
    expect(run.eventsOf('JobCreated')[0]?.data.priority).toBe(30);
    // Changing the variable later does not move a task already created.
    run.setVariables({ urgency: 9 });
    expect(run.job('charge').priority).toBe(30);
  });

  it('reads a FEEL expression and a negative whole number', async () => {
    expect(scenario(await externalTask('camunda:taskPriority="=urgency + 1"')).start({ urgency: 4 }).job('charge').priority).toBe(5);
    expect(scenario(await externalTask('camunda:taskPriority="-5"')).start().job('charge').priority).toBe(-5);
  });

  it('falls back to the process camunda:taskPriority, and is absent (0) when the model gives none', async () => {
    const fromProcess = scenario(await externalTask('', 'camunda:taskPriority="7"')).start();
    expect(fromProcess.job('charge').priority).toBe(7);
    const own = scenario(await externalTask('camunda:taskPriority="2"', 'camunda:taskPriority="7"')).start();
    expect(own.job('charge').priority).toBe(2);
    const none = scenario(await externalTask('')).start();
    expect(none.job('charge').priority).toBeUndefined();
    expect(none.eventsOf('JobCreated')[0]?.data).not.toHaveProperty('priority');
  });

  it('is not the camunda:jobPriority (that is the priority of asynchronous continuations)', async () => {
    const run = scenario(await externalTask('camunda:jobPriority="9"', 'camunda:jobPriority="8"')).start();
    expect(run.job('charge').priority).toBeUndefined();
  });

  it('raises an EXPRESSION_ERROR incident when its expression gives no whole number; resolved, the task is created', async () => {
    const run = scenario(await externalTask('camunda:taskPriority="${urgency}"')).start({ urgency: 'high' });
    expect(run.incident('charge')).toMatchObject({ type: 'EXPRESSION_ERROR', message: expect.stringContaining('task priority') });
    expect(run.jobs()).toEqual([]);
    run.setVariables({ urgency: 4 }).resolveIncident('charge');
    expect(run.job('charge').priority).toBe(4);
  });

  it('is read on a message end event implemented as an external task', async () => {
    const xml = definitions(`  <bpmn:process id="process" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="notify" />
    <bpmn:endEvent id="notify">
      <bpmn:messageEventDefinition id="notify-definition" camunda:type="external" camunda:topic="notification" camunda:taskPriority="12" />
    </bpmn:endEvent>
  </bpmn:process>`);
    const run = scenario(await compiledProcess(xml)).start();
    expect(run.job('notify')).toMatchObject({ type: 'notification', priority: 12 });
  });

  it('refuses a literal that is no whole number at deployment, naming the element (task and process)', async () => {
    expect(await problemsOf(externalTaskXml('camunda:taskPriority="high"', 'camunda:taskPriority="1.5"'))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'INVALID_ATTRIBUTE',
          elementId: 'charge',
          field: 'camunda:taskPriority',
          message: expect.stringContaining("'high'"),
        }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'process', field: 'camunda:taskPriority' }),
      ]),
    );
    expect(await problemsOf(externalTaskXml('camunda:taskPriority="10"'))).toEqual([]);
  });
});
