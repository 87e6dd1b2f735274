import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { compiledProcess, definitions } from '../../testing/bpmn.js';
import { scenario } from '../../testing/decider-spec.js';
import { evaluateConditionalStarts } from './conditional-start.js';

const condition = (text: string) => `<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">${text}</bpmn:condition></bpmn:conditionalEventDefinition>`;

/** Two ways in: a large order (FEEL) or a flagged customer (JUEL), each to its own user task. */
const reviewProcess = () =>
  compiledProcess(
    definitions(`<bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="large-order">${condition('=amount &gt; 1000')}</bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="large-order" targetRef="check-order" />
    <bpmn:userTask id="check-order" />
    <bpmn:sequenceFlow id="f2" sourceRef="check-order" targetRef="end" />
    <bpmn:startEvent id="flagged">${condition('${flagged == true}')}</bpmn:startEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="flagged" targetRef="check-customer" />
    <bpmn:userTask id="check-customer" />
    <bpmn:sequenceFlow id="f4" sourceRef="check-customer" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`),
  );

describe('conditional start events', () => {
  it('compile into the process level list, not the none start events', async () => {
    const process = await reviewProcess();
    expect(process.conditionalStartEventIds).toEqual(['large-order', 'flagged']);
    expect(process.startEventIds).toEqual([]);
  });

  it('are evaluated with the given variables: each whose condition holds is where an instance starts', async () => {
    const process = await reviewProcess();
    const now = '2026-01-01T10:00:00.000Z';
    expect(evaluateConditionalStarts(process, { amount: 5000, flagged: true }, now)).toEqual([
      { startEventId: 'large-order', holds: true },
      { startEventId: 'flagged', holds: true },
    ]);
    expect(evaluateConditionalStarts(process, { amount: 10, flagged: false }, now).map(({ holds }) => holds)).toEqual([false, false]);
    // A missing variable makes the FEEL comparison null: it does not hold, and says why.
    expect(evaluateConditionalStarts(process, { flagged: true }, now)[0]).toEqual({ startEventId: 'large-order', holds: false, problem: expect.stringContaining('not a boolean') });
  });

  it('start an instance there, with the variables', async () => {
    const run = scenario(await reviewProcess()).send({
      type: 'CreateProcessInstance',
      processInstanceId: 'pi',
      processDefinitionId: 'review:1',
      version: 1,
      startElementId: 'flagged',
      variables: { flagged: true },
    });
    expect(run.active()).toEqual(['check-customer']);
    expect(run.variables).toEqual({ flagged: true });
  });

  it('are refused inside an embedded sub-process', async () => {
    const compiled = await compile(
      definitions(`<bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub" />
    <bpmn:subProcess id="sub"><bpmn:startEvent id="inner">${condition('=x')}</bpmn:startEvent></bpmn:subProcess>
  </bpmn:process>`),
    );
    expect(compiled.ok ? [] : compiled.error).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'inner', message: expect.stringContaining("is in sub-process 'sub'") })]),
    );
  });
});
