import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { bpmnProcess, compiledProcess } from '../../testing/bpmn.js';
import { scenario } from '../../testing/decider-spec.js';

const conditional = (condition: string): string => `<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">${condition}</bpmn:condition></bpmn:conditionalEventDefinition>`;

/** start → wait (intermediate conditional catch) → after (user task) */
const intermediate = (condition: string) =>
  compiledProcess(
    bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait">${conditional(condition)}</bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after" />
    <bpmn:userTask id="after" />`),
  );

/** start → approve (user task; conditional boundary event `changed` → handle) → end */
const boundary = (condition: string, cancelActivity: boolean) =>
  compiledProcess(
    bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:userTask id="approve" />
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="changed" attachedToRef="approve" cancelActivity="${cancelActivity}">${conditional(condition)}</bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="changed" targetRef="handle" />
    <bpmn:userTask id="handle" />`),
  );

describe('intermediate conditional catch event', () => {
  it('waits until a command sets variables that make its condition true', async () => {
    const run = scenario(await intermediate('=approved = true')).start();
    expect(run.active()).toEqual(['wait']);
    run.setVariables({ approved: false });
    expect(run.active()).toEqual(['wait']);
    run.setVariables({ approved: true });
    expect(run.active()).toEqual(['after']);
    expect(run.completed()).toEqual(['start', 'wait']);
  });

  it('passes at once when its condition already holds as it is reached', async () => {
    const run = scenario(await intermediate('${amount > 100}')).start({ amount: 250 });
    expect(run.active()).toEqual(['after']);
    expect(run.completed()).toEqual(['start', 'wait']);
  });

  it('looks at the variables a completed task handed back', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
        <bpmn:startEvent id="start" />
        <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
        <bpmn:parallelGateway id="fork" />
        <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="check" />
        <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="wait" />
        <bpmn:userTask id="check" />
        <bpmn:intermediateCatchEvent id="wait">${conditional('=checked')}</bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="after" />
        <bpmn:userTask id="after" />`),
      ),
    ).start();
    expect(run.active()).toEqual(['check', 'wait']);
    run.completeUserTask('check', { checked: true });
    expect(run.active()).toEqual(['after']);
  });
});

describe('conditional boundary event', () => {
  it('interrupting: terminates the activity when its condition becomes true and leaves by its own flow', async () => {
    const run = scenario(await boundary('=cancelled = true', true)).start();
    run.setVariables({ note: 'nothing yet' });
    expect(run.active()).toEqual(['approve']);
    run.setVariables({ cancelled: true });
    expect(run.terminated()).toEqual(['approve']);
    expect(run.active()).toEqual(['handle']);
    expect(run.taken()).toEqual(['f1', 'f3']);
  });

  it('interrupting: triggers as the activity starts when its condition already holds', async () => {
    const run = scenario(await boundary('=cancelled = true', true)).start({ cancelled: true });
    expect(run.terminated()).toEqual(['approve']);
    expect(run.active()).toEqual(['handle']);
  });

  it('non-interrupting: occurs at each command that sets variables while its condition holds; the activity goes on', async () => {
    const run = scenario(await boundary('=priority > 3', false)).start({ priority: 1 });
    run.setVariables({ priority: 5 });
    expect(run.active()).toEqual(['approve', 'handle']);
    run.setVariables({ priority: 6 });
    expect(run.active()).toEqual(['approve', 'handle', 'handle']);
    run.setVariables({ priority: 2 });
    expect(run.active()).toEqual(['approve', 'handle', 'handle']);
    run.completeUserTask('approve');
    expect(run.completed()).toContain('end');
  });
});

describe('conditional boundary event on a sub-process or a multi-instance activity', () => {
  const attachedTo = (activity: string) =>
    compiledProcess(
      bpmnProcess(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
      ${activity}
      <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
      <bpmn:endEvent id="end" />
      <bpmn:boundaryEvent id="stop" attachedToRef="work">${conditional('=stop = true')}</bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="f3" sourceRef="stop" targetRef="stopped" />
      <bpmn:endEvent id="stopped" />`),
    );

  it('on a sub-process: terminates everything inside it, also when a variable is set in its own scope', async () => {
    const run = scenario(
      await attachedTo(`<bpmn:subProcess id="work">
        <bpmn:startEvent id="inner-start" />
        <bpmn:sequenceFlow id="i1" sourceRef="inner-start" targetRef="review" />
        <bpmn:userTask id="review" />
      </bpmn:subProcess>`),
    ).start();
    expect(run.active()).toEqual(['review', 'work']);
    run.setVariables({ stop: true }, { scopeElementId: 'work', local: true });
    expect(run.terminated()).toEqual(['review', 'work']);
    expect(run.state.status).toBe('completed');
  });

  it('on a multi-instance activity: occurs once, for the whole activity', async () => {
    const run = scenario(
      await attachedTo(`<bpmn:userTask id="work"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>`),
    ).start();
    run.setVariables({ stop: true });
    expect(run.terminated()).toEqual(['work', 'work', 'work', 'work#body']);
    expect(run.completed().filter((id) => id === 'stop')).toHaveLength(1);
    expect(run.state.status).toBe('completed');
  });
});

describe('conditional event after an event-based gateway', () => {
  it('wins when its condition becomes true before the timer', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
        <bpmn:startEvent id="start" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gateway" />
        <bpmn:eventBasedGateway id="gateway" />
        <bpmn:sequenceFlow id="to-ready" sourceRef="gateway" targetRef="ready" />
        <bpmn:sequenceFlow id="to-late" sourceRef="gateway" targetRef="late" />
        <bpmn:intermediateCatchEvent id="ready">${conditional('=stock > 0')}</bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="f2" sourceRef="ready" targetRef="ship" />
        <bpmn:userTask id="ship" />
        <bpmn:intermediateCatchEvent id="late"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="apologise" />
        <bpmn:userTask id="apologise" />`),
      ),
    ).start({ stock: 0 });
    expect(run.active()).toEqual(['gateway']);
    const timer = run.timer('late').id;
    run.setVariables({ stock: 3 });
    expect(run.active()).toEqual(['ship']);
    expect(run.lastEvents).toContainEqual({ type: 'TimerCanceled', data: { timerId: timer } });
    expect(run.taken()).toEqual(['f1', 'to-ready', 'f2']);
  });
});

describe('two conditional events after an event-based gateway that hold at once', () => {
  it('the first in the model wins, and the gateway is left once', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
        <bpmn:startEvent id="start" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gateway" />
        <bpmn:eventBasedGateway id="gateway" />
        <bpmn:sequenceFlow id="to-big" sourceRef="gateway" targetRef="big" />
        <bpmn:sequenceFlow id="to-any" sourceRef="gateway" targetRef="any" />
        <bpmn:intermediateCatchEvent id="big">${conditional('=amount > 100')}</bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="f2" sourceRef="big" targetRef="approve" />
        <bpmn:userTask id="approve" />
        <bpmn:intermediateCatchEvent id="any">${conditional('=amount > 0')}</bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="f3" sourceRef="any" targetRef="book" />
        <bpmn:userTask id="book" />`),
      ),
    ).start();
    run.setVariables({ amount: 500 });
    expect(run.active()).toEqual(['approve']);
    expect(run.completed()).toEqual(['start', 'gateway', 'big']);
    expect(run.taken()).toEqual(['f1', 'to-big', 'f2']);
  });
});

describe('conditional events in models', () => {
  it('refuses a conditional event without a condition, with plain text, or with camunda:variableName', async () => {
    const compiled = await compile(
      bpmnProcess(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="empty" />
      <bpmn:intermediateCatchEvent id="empty"><bpmn:conditionalEventDefinition /></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f2" sourceRef="empty" targetRef="text" />
      <bpmn:intermediateCatchEvent id="text">${conditional('approved')}</bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f3" sourceRef="text" targetRef="narrowed" />
      <bpmn:intermediateCatchEvent id="narrowed"><bpmn:conditionalEventDefinition camunda:variableName="approved"><bpmn:condition>\${approved}</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>`),
    );
    expect(compiled.ok ? [] : compiled.error).toEqual([
      expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'empty', field: 'condition' }),
      expect.objectContaining({ code: 'INVALID_EXPRESSION', elementId: 'text', field: 'condition', message: expect.stringContaining('not an expression') }),
      expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'narrowed', field: 'camunda:variableName' }),
    ]);
  });
});
