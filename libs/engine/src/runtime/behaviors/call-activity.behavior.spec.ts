import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { bpmnProcess, compiledProcess } from '../../testing/bpmn.js';
import { scenario } from '../../testing/decider-spec.js';

/** start → call (call activity) → end */
const caller = (callActivity: string) =>
  compiledProcess(
    bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    ${callActivity}
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
    <bpmn:endEvent id="end" />`),
  );

const zeebeCall = (attributes = '', mappings = '') =>
  caller(`<bpmn:callActivity id="call"><bpmn:extensionElements>
      <zeebe:calledElement processId="shipping" ${attributes} />${mappings}
    </bpmn:extensionElements></bpmn:callActivity>`);

describe('call activity', () => {
  it('Camunda 8: asks for a child of the latest version with every visible variable, and takes all of its variables back', async () => {
    const run = scenario(await zeebeCall()).start({ orderId: 'A-1', amount: 40 });
    const [requested] = run.eventsOf('ChildProcessInstanceRequested');
    expect(requested.data).toEqual({
      elementInstanceId: run.instance('call').id,
      elementId: 'call',
      childProcessInstanceId: expect.any(String),
      processId: 'shipping',
      binding: 'latest',
      variables: { orderId: 'A-1', amount: 40 },
    });
    expect(run.active()).toEqual(['call']);

    run.send({
      type: 'CompleteCallActivity',
      elementInstanceId: requested.data.elementInstanceId,
      childProcessInstanceId: requested.data.childProcessInstanceId,
      variables: { trackingNumber: 'T-9', amount: 42 },
    });
    expect(run.state.status).toBe('completed');
    expect(run.variables).toEqual({ orderId: 'A-1', amount: 42, trackingNumber: 'T-9' });
  });

  it('Camunda 8: without propagation only the input mappings go in and only the output mappings come out', async () => {
    const run = scenario(
      await zeebeCall(
        'propagateAllParentVariables="false" propagateAllChildVariables="false"',
        '<zeebe:ioMapping><zeebe:input source="=orderId" target="id" /><zeebe:output source="=trackingNumber" target="tracking" /></zeebe:ioMapping>',
      ),
    ).start({ orderId: 'A-1', secret: 'x' });
    const [requested] = run.eventsOf('ChildProcessInstanceRequested');
    expect(requested.data.variables).toEqual({ id: 'A-1' });
    run.send({ type: 'CompleteCallActivity', ...ids(requested.data), variables: { trackingNumber: 'T-9', internal: 1 } });
    expect(run.variables).toEqual({ orderId: 'A-1', secret: 'x', tracking: 'T-9' });
  });

  it('Camunda 7: passes only what camunda:in names, the business key, and takes back what camunda:out names', async () => {
    const process = await caller(`<bpmn:callActivity id="call" calledElement="\${subProcessId}" camunda:calledElementBinding="version" camunda:calledElementVersion="2">
      <bpmn:extensionElements>
        <camunda:in source="orderId" target="id" />
        <camunda:in sourceExpression="\${amount * 2}" target="doubled" />
        <camunda:in businessKey="\${orderId}" />
        <camunda:out source="result" target="shippingResult" />
      </bpmn:extensionElements></bpmn:callActivity>`);
    const run = scenario(process).start({ subProcessId: 'shipping', orderId: 'A-1', amount: 21, secret: 'x' });
    const [requested] = run.eventsOf('ChildProcessInstanceRequested');
    expect(requested.data).toMatchObject({ processId: 'shipping', binding: 'version', version: 2, businessKey: 'A-1', variables: { id: 'A-1', doubled: 42 } });
    run.send({ type: 'CompleteCallActivity', ...ids(requested.data), variables: { result: 'sent', other: true } });
    expect(run.variables).toEqual({ subProcessId: 'shipping', orderId: 'A-1', amount: 21, secret: 'x', shippingResult: 'sent' });
  });

  it('Camunda 7 variables="all": everything in and everything out', async () => {
    const process = await caller(`<bpmn:callActivity id="call" calledElement="shipping"><bpmn:extensionElements>
        <camunda:in variables="all" /><camunda:out variables="all" />
      </bpmn:extensionElements></bpmn:callActivity>`);
    const run = scenario(process).start({ a: 1 });
    const [requested] = run.eventsOf('ChildProcessInstanceRequested');
    expect(requested.data.variables).toEqual({ a: 1 });
    run.send({ type: 'CompleteCallActivity', ...ids(requested.data), variables: { a: 2, b: 3 } });
    expect(run.variables).toEqual({ a: 2, b: 3 });
  });

  it('asks for the cancellation of its child when it is terminated, and refuses to complete with another child', async () => {
    const run = scenario(await zeebeCall()).start();
    const [requested] = run.eventsOf('ChildProcessInstanceRequested');
    expect(run.reject({ type: 'CompleteCallActivity', elementInstanceId: requested.data.elementInstanceId, childProcessInstanceId: 'other', variables: {} })).toMatchObject({
      code: 'INVALID_STATE',
    });
    run.cancel();
    expect(run.lastEvents).toContainEqual({ type: 'ChildProcessInstanceCancelRequested', data: ids(requested.data) });
  });

  it('raises CALLED_ELEMENT_ERROR when no child could be created, and asks again once resolved', async () => {
    const run = scenario(await zeebeCall()).start();
    const [first] = run.eventsOf('ChildProcessInstanceRequested');
    run.send({ type: 'FailCallActivity', ...ids(first.data), message: "No process definition for process id 'shipping'" });
    expect(run.incident('call')).toMatchObject({ type: 'CALLED_ELEMENT_ERROR', message: "No process definition for process id 'shipping'" });
    run.resolveIncident('call');
    const [, second] = run.eventsOf('ChildProcessInstanceRequested');
    expect(second.data.childProcessInstanceId).not.toBe(first.data.childProcessInstanceId);
    expect(run.incidents()).toEqual([]);
  });

  it('a child refuses to be cancelled on its own: the root is cancelled', async () => {
    const run = scenario(await zeebeCall());
    run.send({ type: 'CreateProcessInstance', processInstanceId: 'pi', processDefinitionId: 'shipping:1', version: 1, parent: { processInstanceId: 'root', elementInstanceId: 'e-1' } });
    expect(run.reject({ type: 'CancelProcessInstance' })).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining("cancel that instance instead") });
    run.send({ type: 'CancelProcessInstance', byParent: true });
    expect(run.state.status).toBe('terminated');
  });

  it('refuses a call activity that names no process, and an unknown binding', async () => {
    const compiled = await compile(
      bpmnProcess(`<bpmn:startEvent id="start" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="nothing" />
        <bpmn:callActivity id="nothing" />
        <bpmn:sequenceFlow id="f2" sourceRef="nothing" targetRef="tagged" />
        <bpmn:callActivity id="tagged" calledElement="shipping" camunda:calledElementBinding="versionTag" />`),
    );
    expect(compiled.ok).toBe(false);
    const problems = compiled.ok ? [] : compiled.error.map(({ code, elementId, field }) => ({ code, elementId, field }));
    expect(problems).toEqual(
      expect.arrayContaining([
        { code: 'MISSING_ATTRIBUTE', elementId: 'nothing', field: 'calledElement' },
        { code: 'NOT_SUPPORTED', elementId: 'tagged', field: 'camunda:calledElementBinding' },
      ]),
    );
  });
});

function ids(data: { readonly elementInstanceId: string; readonly childProcessInstanceId: string }) {
  return { elementInstanceId: data.elementInstanceId, childProcessInstanceId: data.childProcessInstanceId };
}
