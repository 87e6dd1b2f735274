import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { bpmnProcess, compiledProcess } from '../../testing/bpmn.js';
import { scenario } from '../../testing/decider-spec.js';

const link = (name: string): string => `<bpmn:linkEventDefinition name="${name}" />`;

/**
 * start → review (user task) → decide: approved → end; else → again (link throw "retry").
 * retry (link catch "retry") → rework (user task) → review.
 */
const reworkLoop = () =>
  compiledProcess(
    bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="decide" />
    <bpmn:exclusiveGateway id="decide" default="rejected" />
    <bpmn:sequenceFlow id="approved" sourceRef="decide" targetRef="end"><bpmn:conditionExpression>=approved</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="rejected" sourceRef="decide" targetRef="again" />
    <bpmn:intermediateThrowEvent id="again">${link('retry')}</bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="retry">${link('retry')}</bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="retry" targetRef="rework" />
    <bpmn:userTask id="rework" />
    <bpmn:sequenceFlow id="f4" sourceRef="rework" targetRef="review" />`),
  );

describe('link events', () => {
  it('the throw event completes and the token goes on at the catch event of the same name, which passes it on', async () => {
    const run = scenario(await reworkLoop()).start();
    run.completeUserTask('review', { approved: false });
    expect(run.active()).toEqual(['rework']);
    expect(run.completed()).toEqual(['start', 'review', 'decide', 'again', 'retry']);
    // No sequence flow joins a link: the token crosses it without one.
    expect(run.taken()).toEqual(['f1', 'f2', 'rejected', 'f3']);

    run.completeUserTask('rework', { note: 'fixed' }).completeUserTask('review', { approved: true });
    expect(run.completed().slice(5)).toEqual(['rework', 'review', 'decide', 'end']);
    expect(run.variables).toEqual({ approved: true, note: 'fixed' });
    expect(run.state.status).toBe('completed');
  });

  it('jumps within its own scope: a sub-process and the process may both use a name', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
        <bpmn:startEvent id="start" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="outer-throw" />
        <bpmn:intermediateThrowEvent id="outer-throw">${link('next')}</bpmn:intermediateThrowEvent>
        <bpmn:intermediateCatchEvent id="outer-catch">${link('next')}</bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="f2" sourceRef="outer-catch" targetRef="sub" />
        <bpmn:subProcess id="sub">
          <bpmn:startEvent id="inner-start" />
          <bpmn:sequenceFlow id="i1" sourceRef="inner-start" targetRef="inner-throw" />
          <bpmn:intermediateThrowEvent id="inner-throw">${link('next')}</bpmn:intermediateThrowEvent>
          <bpmn:intermediateCatchEvent id="inner-catch">${link('next')}</bpmn:intermediateCatchEvent>
          <bpmn:sequenceFlow id="i2" sourceRef="inner-catch" targetRef="inner-task" />
          <bpmn:userTask id="inner-task" />
        </bpmn:subProcess>
        <bpmn:sequenceFlow id="f3" sourceRef="sub" targetRef="end" />
        <bpmn:endEvent id="end" />`),
      ),
    ).start();
    expect(run.active()).toEqual(['inner-task', 'sub']);
    expect(run.instance('inner-task').flowScopeInstanceId).toBe(run.instance('sub').id);
    expect(run.completed()).toEqual(['start', 'outer-throw', 'outer-catch', 'inner-start', 'inner-throw', 'inner-catch']);

    // The sub-process completes when its last element does, not while the token crosses its link.
    run.completeUserTask('inner-task');
    expect(run.completed().slice(-3)).toEqual(['inner-task', 'sub', 'end']);
    expect(run.state.status).toBe('completed');
  });

  it('an inclusive join waits for a token that reaches it only through a link', async () => {
    const process = await compiledProcess(
      bpmnProcess(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split" />
      <bpmn:inclusiveGateway id="split" />
      <bpmn:sequenceFlow id="fa" sourceRef="split" targetRef="a" />
      <bpmn:sequenceFlow id="fb" sourceRef="split" targetRef="b" />
      <bpmn:userTask id="a" />
      <bpmn:sequenceFlow id="a-in" sourceRef="a" targetRef="join" />
      <bpmn:userTask id="b" />
      <bpmn:sequenceFlow id="fb2" sourceRef="b" targetRef="to-join" />
      <bpmn:intermediateThrowEvent id="to-join">${link('join')}</bpmn:intermediateThrowEvent>
      <bpmn:intermediateCatchEvent id="at-join">${link('join')}</bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="b-in" sourceRef="at-join" targetRef="join" />
      <bpmn:inclusiveGateway id="join" />
      <bpmn:sequenceFlow id="out" sourceRef="join" targetRef="done" />
      <bpmn:userTask id="done" />`),
    );
    expect(process.inclusiveJoinUpstream.join['b-in']).toEqual(['start', 'split', 'b', 'to-join', 'at-join']);

    const run = scenario(process).start();
    run.completeUserTask('a');
    // b's token is still before the link: the join must not fire without it.
    expect(run.active()).toEqual(['b']);
    run.completeUserTask('b');
    expect(run.active()).toEqual(['done']);
    expect(run.completed().filter((id) => id === 'join')).toHaveLength(1);
  });
});

describe('link events in models', () => {
  const problems = async (content: string) => {
    const compiled = await compile(bpmnProcess(`<bpmn:startEvent id="start" />${content}`));
    return compiled.ok ? [] : compiled.error.map(({ code, elementId, field, message }) => ({ code, elementId, field, message }));
  };

  it('refuses, with every problem listed, links that cannot work', async () => {
    const found = await problems(`
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
      <bpmn:parallelGateway id="split" />
      <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="nowhere" />
      <bpmn:intermediateThrowEvent id="nowhere">${link('missing')}</bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="with-outgoing" />
      <bpmn:intermediateThrowEvent id="with-outgoing">${link('twice')}</bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="f4" sourceRef="with-outgoing" targetRef="entered" />
      <bpmn:intermediateCatchEvent id="entered">${link('entered')}</bpmn:intermediateCatchEvent>
      <bpmn:intermediateCatchEvent id="first">${link('twice')}</bpmn:intermediateCatchEvent>
      <bpmn:intermediateCatchEvent id="second">${link('twice')}</bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f5" sourceRef="split" targetRef="unnamed" />
      <bpmn:intermediateThrowEvent id="unnamed"><bpmn:linkEventDefinition /></bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="f6" sourceRef="split" targetRef="work" />
      <bpmn:userTask id="work" />
      <bpmn:boundaryEvent id="on-task" attachedToRef="work">${link('boundary')}</bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="f7" sourceRef="split" targetRef="sub" />
      <bpmn:subProcess id="sub">
        <bpmn:startEvent id="inner-start" />
        <bpmn:sequenceFlow id="i1" sourceRef="inner-start" targetRef="out-of-scope" />
        <bpmn:intermediateThrowEvent id="out-of-scope">${link('entered')}</bpmn:intermediateThrowEvent>
      </bpmn:subProcess>`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'nowhere', field: 'name', message: expect.stringContaining("no link catch event in 'process' has that name") }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'with-outgoing', field: 'outgoing' }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'entered', field: 'incoming' }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'second', field: 'name', message: expect.stringContaining("'first' and 'second'") }),
        expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'unnamed', field: 'name' }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'on-task', field: 'eventDefinitions' }),
        // A link does not cross a sub-process's border.
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'out-of-scope', field: 'name', message: expect.stringContaining("in 'sub'") }),
      ]),
    );
    expect(found).toHaveLength(7);
  });
});
