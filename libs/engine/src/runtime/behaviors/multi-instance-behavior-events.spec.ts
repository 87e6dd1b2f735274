import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { compiledProcess, definitions } from '../../testing/bpmn.js';
import { scenario } from '../../testing/decider-spec.js';

/**
 * start → approve (multi-instance user task over `approvers`, with `loopCharacteristics`, and a non-interrupting
 * escalation boundary event `progress` → notify (user task) → notified) → end.
 */
function approvals(loopCharacteristics: string, boundary = '<bpmn:escalationEventDefinition escalationRef="esc-progress" />', cancelActivity = false): string {
  return definitions(`
  <bpmn:escalation id="esc-progress" escalationCode="progress" />
  <bpmn:escalation id="esc-rejected" escalationCode="rejected" />
  <bpmn:signal id="sig-progress" name="approval-progress" />
  <bpmn:escalationEventDefinition id="throw-progress" escalationRef="esc-progress" />
  <bpmn:signalEventDefinition id="throw-signal" signalRef="sig-progress" />
  <bpmn:messageEventDefinition id="throw-message" />
  <bpmn:process id="process" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="approve" />
    <bpmn:userTask id="approve">
      ${loopCharacteristics}
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="progress" attachedToRef="approve" cancelActivity="${cancelActivity}">${boundary}</bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="progress" targetRef="notify" />
    <bpmn:userTask id="notify" />
    <bpmn:sequenceFlow id="f3" sourceRef="notify" targetRef="notified" />
    <bpmn:endEvent id="notified" />
  </bpmn:process>`);
}

const loop = (attributes: string, inner = '') => `<bpmn:multiInstanceLoopCharacteristics ${attributes}>
        <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=approvers" inputElement="approver" /></bpmn:extensionElements>
        ${inner}
      </bpmn:multiInstanceLoopCharacteristics>`;

const completeApprovalOf = (run: ReturnType<typeof scenario>, approver: string, variables?: Record<string, string>) => {
  const iteration = Object.values(run.state.elementInstances).find(
    (instance) => instance.elementId === 'approve' && instance.elementType === 'userTask' && run.state.variables[instance.id]?.approver === approver,
  );
  const task = Object.values(run.state.userTasks).find((candidate) => candidate.elementInstanceId === iteration?.id);
  if (task === undefined) throw new Error(`no approval task of ${approver}`);
  return run.send({ type: 'CompleteUserTask', userTaskId: task.id, ...(variables === undefined ? {} : { variables }) });
};

describe('multi-instance behavior', () => {
  it('None throws the event at every completed iteration: a non-interrupting boundary event runs each time', async () => {
    const run = scenario(await compiledProcess(approvals(loop('behavior="None" noneBehaviorEventRef="throw-progress"')))).start({ approvers: ['ann', 'bob', 'cy'] });
    completeApprovalOf(run, 'bob');
    expect(run.active()).toEqual(['approve', 'approve', 'approve#body', 'notify']);
    completeApprovalOf(run, 'ann');
    completeApprovalOf(run, 'cy');
    expect(run.active()).toEqual(['notify', 'notify', 'notify']);
    expect(run.completed()).toEqual(['start', 'approve', 'progress', 'approve', 'progress', 'approve', 'approve#body', 'progress', 'end']);
  });

  it('One throws the event at the first completed iteration only', async () => {
    const run = scenario(await compiledProcess(approvals(loop('behavior="One" oneBehaviorEventRef="throw-progress"')))).start({ approvers: ['ann', 'bob'] });
    completeApprovalOf(run, 'bob');
    completeApprovalOf(run, 'ann');
    expect(run.active()).toEqual(['notify']);
    expect(run.completed().filter((id) => id === 'progress')).toHaveLength(1);
  });

  it('All (the default) throws nothing', async () => {
    const run = scenario(await compiledProcess(approvals(loop('')))).start({ approvers: ['ann'] });
    completeApprovalOf(run, 'ann');
    expect(run.state.status).toBe('completed');
    expect(run.completed()).toEqual(['start', 'approve', 'approve#body', 'end']);
  });

  it('Complex throws each definition whose condition holds in the completed iteration', async () => {
    const complex = `
        <bpmn:complexBehaviorDefinition id="on-reject">
          <bpmn:condition xsi:type="bpmn:tFormalExpression">=verdict = "no"</bpmn:condition>
          <bpmn:event id="rejected-event"><bpmn:escalationEventDefinition escalationRef="esc-progress" /></bpmn:event>
        </bpmn:complexBehaviorDefinition>`;
    const run = scenario(await compiledProcess(approvals(loop('behavior="Complex"', complex)))).start({ approvers: ['ann', 'bob', 'cy'] });
    completeApprovalOf(run, 'ann', { verdict: 'yes' });
    expect(run.active()).not.toContain('notify');
    completeApprovalOf(run, 'bob', { verdict: 'no' });
    expect(run.active()).toContain('notify');
    completeApprovalOf(run, 'cy', { verdict: 'yes' });
    expect(run.completed().filter((id) => id === 'progress')).toHaveLength(1);
  });

  it('an interrupting boundary event that catches the thrown escalation ends the activity, the other iterations with it', async () => {
    const run = scenario(await compiledProcess(approvals(loop('behavior="One" oneBehaviorEventRef="throw-progress"'), undefined, true))).start({ approvers: ['ann', 'bob'] });
    completeApprovalOf(run, 'ann');
    expect(run.active()).toEqual(['notify']);
    // Both iterations (ann's, which was completing, and bob's) and the body.
    expect(run.terminated()).toEqual(['approve', 'approve', 'approve#body']);
    expect(run.completed()).toEqual(['start', 'progress']);
  });

  it('a thrown signal reaches the signal boundary event of the activity in the same decision, with the iteration variables', async () => {
    const run = scenario(
      await compiledProcess(approvals(loop('behavior="None" noneBehaviorEventRef="throw-signal"'), '<bpmn:signalEventDefinition signalRef="sig-progress" />')),
    ).start({ approvers: ['ann', 'bob'] });
    completeApprovalOf(run, 'bob');
    const thrown = run.eventsOf('SignalThrown');
    expect(thrown).toEqual([
      {
        type: 'SignalThrown',
        data: expect.objectContaining({ elementId: 'approve', signalName: 'approval-progress', variables: { loopCounter: 2, approver: 'bob' }, deliveredInInstance: true }) as unknown,
      },
    ]);
    expect(run.eventsOf('SignalReceived')).toEqual([
      { type: 'SignalReceived', data: expect.objectContaining({ signalId: thrown[0].data.signalId, variables: { loopCounter: 2, approver: 'bob' } }) as unknown },
    ]);
    expect(run.active()).toEqual(['approve', 'approve#body', 'notify']);
    // The runtime's delivery of the same broadcast (it skips this instance; a replica of an older version might not) changes nothing.
    const subscription = Object.values(run.state.signalSubscriptions ?? {}).find((candidate) => candidate.elementId === 'progress');
    expect(run.reject({ type: 'ReceiveSignal', subscriptionId: subscription?.id ?? '', signalId: thrown[0].data.signalId })).toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('the signal of the last iteration still reaches the boundary event: it occurs before the activity leaves', async () => {
    const run = scenario(
      await compiledProcess(approvals(loop('behavior="None" noneBehaviorEventRef="throw-signal"'), '<bpmn:signalEventDefinition signalRef="sig-progress" />')),
    ).start({ approvers: ['ann', 'bob'] });
    completeApprovalOf(run, 'ann');
    completeApprovalOf(run, 'bob');
    expect(run.active()).toEqual(['notify', 'notify']);
    expect(run.completed()).toEqual(['start', 'approve', 'progress', 'approve', 'approve#body', 'progress', 'end']);
    expect(run.state.signalSubscriptions).toEqual({});
  });

  it('an interrupting signal boundary event that receives the signal ends the activity, the other iterations with it', async () => {
    const run = scenario(
      await compiledProcess(
        approvals(loop('behavior="One" oneBehaviorEventRef="throw-signal"'), '<bpmn:signalEventDefinition signalRef="sig-progress" />', true),
      ),
    ).start({ approvers: ['ann', 'bob'] });
    completeApprovalOf(run, 'bob');
    expect(run.active()).toEqual(['notify']);
    expect(run.terminated()).toEqual(['approve', 'approve', 'approve#body']);
    expect(run.completed()).toEqual(['start', 'progress']);
  });

  it('refuses event definitions a body cannot throw, and behaviours without their event', async () => {
    const compiled = await compile(approvals(loop('behavior="None" noneBehaviorEventRef="throw-message"')));
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.error).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'approve', field: 'noneBehaviorEventRef' })]);
    const missing = await compile(approvals(loop('behavior="One"')));
    expect(missing.ok ? [] : missing.error).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'approve', field: 'oneBehaviorEventRef' })]);
  });
});
