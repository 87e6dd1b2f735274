import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { bpmnProcess, compiledProcess } from '../../testing/bpmn.js';
import { scenario } from '../../testing/decider-spec.js';

/**
 * start → fork (parallel) → a, b, c (service tasks) → review (complex join: fires at 2 of 3) → decide (user task) →
 * end. The third reviewer's token arrives later and is swallowed by the gateway's reset.
 */
const twoOfThree = (condition = '=activationCount >= 2') =>
  bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="fa" sourceRef="fork" targetRef="a" />
    <bpmn:sequenceFlow id="fb" sourceRef="fork" targetRef="b" />
    <bpmn:sequenceFlow id="fc" sourceRef="fork" targetRef="c" />
    <bpmn:serviceTask id="a"><bpmn:extensionElements><zeebe:taskDefinition type="review" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:serviceTask id="b"><bpmn:extensionElements><zeebe:taskDefinition type="review" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:serviceTask id="c"><bpmn:extensionElements><zeebe:taskDefinition type="review" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="a-review" sourceRef="a" targetRef="review" />
    <bpmn:sequenceFlow id="b-review" sourceRef="b" targetRef="review" />
    <bpmn:sequenceFlow id="c-review" sourceRef="c" targetRef="review" />
    <bpmn:complexGateway id="review">
      <bpmn:activationCondition xsi:type="bpmn:tFormalExpression">${condition}</bpmn:activationCondition>
    </bpmn:complexGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="decide" />
    <bpmn:userTask id="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
    <bpmn:endEvent id="end" />`);

describe('complex gateway: join', () => {
  it('fires once the activation condition holds on the tokens arrived, and swallows the late token at its reset', async () => {
    const run = scenario(await compiledProcess(twoOfThree())).start();
    expect(run.active()).toEqual(['a', 'b', 'c']);

    run.completeJob('b', { verdictB: 'ok' });
    expect(run.active()).toEqual(['a', 'c']);
    expect(run.state.joinTokens).toEqual({ 'pi/review': { 'b-review': 1 } });

    run.completeJob('c');
    // Two of three arrived: the gateway fired with them, and waits for a's token to reset.
    expect(run.active()).toEqual(['a', 'decide']);
    const fired = run.eventsOf('ElementActivating').filter((event) => event.data.elementId === 'review');
    expect(fired.map((event) => event.data.consumedTokens)).toEqual([['b-review', 'c-review']]);
    expect(run.state.complexGatewaysWaitingForReset).toEqual({ 'pi/review': ['a-review'] });
    expect(run.eventsOf('VariablesSet').find((event) => event.data.variables.activationCount !== undefined)?.data.variables).toEqual({ activationCount: 2 });

    run.completeJob('a');
    // The late token resets the gateway: it does not fire again.
    expect(run.active()).toEqual(['decide']);
    expect(run.eventsOf('ComplexGatewayReset')).toEqual([
      { type: 'ComplexGatewayReset', data: { flowScopeInstanceId: 'pi', elementId: 'review', consumedTokens: ['a-review'] } },
    ]);
    expect(run.state.joinTokens).toEqual({});
    expect(run.state.complexGatewaysWaitingForReset).toEqual({});
    expect(run.completed().filter((id) => id === 'review')).toHaveLength(1);

    run.completeUserTask('decide');
    expect(run.state.status).toBe('completed');
    expect(run.completed()).toEqual(['start', 'fork', 'b', 'c', 'review', 'a', 'decide', 'end']);
    expect(run.variables).toEqual({ verdictB: 'ok' });
  });

  it('reads a JUEL activation condition too (Camunda 7 style)', async () => {
    const run = scenario(await compiledProcess(twoOfThree('${activationCount >= 2}'))).start();
    run.completeJob('a');
    expect(run.active()).toEqual(['b', 'c']);
    run.completeJob('c');
    expect(run.active()).toEqual(['b', 'decide']);
  });

  it('fires at once when the condition holds for the first token; a condition reading process variables decides', async () => {
    const run = scenario(await compiledProcess(twoOfThree('=activationCount >= quorum'))).start({ quorum: 1 });
    run.completeJob('a');
    expect(run.active()).toEqual(['b', 'c', 'decide']);
    expect(run.state.complexGatewaysWaitingForReset).toEqual({ 'pi/review': ['b-review', 'c-review'] });
    run.completeJob('c');
    expect(run.active()).toEqual(['b', 'decide']);
    run.completeJob('b');
    expect(run.active()).toEqual(['decide']);
    expect(run.completed().filter((id) => id === 'review')).toHaveLength(1);
    expect(run.eventsOf('ComplexGatewayReset').map((event) => event.data.consumedTokens)).toEqual([['b-review', 'c-review']]);
  });

  it('does not wait for a token that can no longer arrive: a branch that ended elsewhere lets the gateway reset', async () => {
    // a either goes on to the gateway or ends (exclusive gateway), so its token may never arrive.
    const xml = bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="fa" sourceRef="fork" targetRef="a" />
    <bpmn:sequenceFlow id="fb" sourceRef="fork" targetRef="b" />
    <bpmn:userTask id="a" />
    <bpmn:userTask id="b" />
    <bpmn:sequenceFlow id="a-choice" sourceRef="a" targetRef="choice" />
    <bpmn:exclusiveGateway id="choice" default="a-skip" />
    <bpmn:sequenceFlow id="a-join" sourceRef="choice" targetRef="join"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=goOn</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="a-skip" sourceRef="choice" targetRef="skipped" />
    <bpmn:endEvent id="skipped" />
    <bpmn:sequenceFlow id="b-join" sourceRef="b" targetRef="join" />
    <bpmn:complexGateway id="join"><bpmn:activationCondition xsi:type="bpmn:tFormalExpression">=activationCount = 1</bpmn:activationCondition></bpmn:complexGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="join" targetRef="after" />
    <bpmn:userTask id="after" />
    <bpmn:sequenceFlow id="f2" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />`);
    const run = scenario(await compiledProcess(xml)).start();
    run.completeUserTask('b');
    expect(run.active()).toEqual(['a', 'after']);
    run.completeUserTask('a', { goOn: false });
    // a's token ended at 'skipped': nothing can reach a-join any more, and the instance goes on without a reset token.
    expect(run.active()).toEqual(['after']);
    run.completeUserTask('after');
    expect(run.state.status).toBe('completed');
    expect(run.completed()).toEqual(['start', 'fork', 'b', 'join', 'a', 'choice', 'skipped', 'after', 'end']);
  });

  it('waits while the condition does not hold, and fires when a later token makes it hold', async () => {
    const run = scenario(await compiledProcess(twoOfThree('=activationCount = 3'))).start();
    run.completeJob('a').completeJob('b');
    expect(run.active()).toEqual(['c']);
    run.completeJob('c');
    expect(run.active()).toEqual(['decide']);
    expect(run.state.complexGatewaysWaitingForReset).toEqual({});
  });

  it('a condition that cannot be evaluated fires into an incident; resolving it evaluates again with the same count', async () => {
    const run = scenario(await compiledProcess(twoOfThree('=activationCount >= quorum'))).start();
    run.completeJob('a');
    expect(run.incident('review')).toMatchObject({ type: 'CONDITION_ERROR' });
    expect(run.active()).toEqual(['b', 'c', 'review']);
    run.setVariables({ quorum: 1 }).resolveIncident('review');
    expect(run.active()).toEqual(['b', 'c', 'decide']);
  });
});

describe('complex gateway: in a loop', () => {
  // start → merge → fork → a, b (user tasks) → join (first one decides) → decide → again? → merge (loop) or end.
  const loop = bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="merge" />
    <bpmn:exclusiveGateway id="merge" />
    <bpmn:sequenceFlow id="to-fork" sourceRef="merge" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="fa" sourceRef="fork" targetRef="a" />
    <bpmn:sequenceFlow id="fb" sourceRef="fork" targetRef="b" />
    <bpmn:userTask id="a" />
    <bpmn:userTask id="b" />
    <bpmn:sequenceFlow id="a-join" sourceRef="a" targetRef="join" />
    <bpmn:sequenceFlow id="b-join" sourceRef="b" targetRef="join" />
    <bpmn:complexGateway id="join"><bpmn:activationCondition xsi:type="bpmn:tFormalExpression">=activationCount &gt;= 1</bpmn:activationCondition></bpmn:complexGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="join" targetRef="decide" />
    <bpmn:userTask id="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="again" />
    <bpmn:exclusiveGateway id="again" default="done" />
    <bpmn:sequenceFlow id="loop" sourceRef="again" targetRef="merge"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=again</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="done" sourceRef="again" targetRef="end" />
    <bpmn:endEvent id="end" />`);

  it('fires once per round: each round the first branch decides and the second resets the gateway', async () => {
    const run = scenario(await compiledProcess(loop)).start();
    run.completeUserTask('b');
    expect(run.active()).toEqual(['a', 'decide']);
    run.completeUserTask('a');
    expect(run.active()).toEqual(['decide']);
    run.completeUserTask('decide', { again: true });
    expect(run.active()).toEqual(['a', 'b']);
    run.completeUserTask('a');
    expect(run.active()).toEqual(['b', 'decide']);
    run.completeUserTask('b').completeUserTask('decide', { again: false });
    expect(run.state.status).toBe('completed');
    expect(run.eventsOf('ElementActivating').filter((event) => event.data.elementId === 'join').map((event) => event.data.consumedTokens)).toEqual([
      ['b-join'],
      ['a-join'],
    ]);
    expect(run.eventsOf('ComplexGatewayReset').map((event) => event.data.consumedTokens)).toEqual([['a-join'], ['b-join']]);
  });
});

describe('complex gateway: split', () => {
  it('takes every flow whose condition holds, else the default flow', async () => {
    const xml = bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split" />
    <bpmn:complexGateway id="split" default="to-c" />
    <bpmn:sequenceFlow id="to-a" sourceRef="split" targetRef="a"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=amount &gt; 10</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to-b" sourceRef="split" targetRef="b"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=amount &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to-c" sourceRef="split" targetRef="c" />
    <bpmn:userTask id="a" />
    <bpmn:userTask id="b" />
    <bpmn:userTask id="c" />`);
    const process = await compiledProcess(xml);
    expect(scenario(process).start({ amount: 500 }).active()).toEqual(['a', 'b']);
    expect(scenario(process).start({ amount: 50 }).active()).toEqual(['a']);
    expect(scenario(process).start({ amount: 5 }).active()).toEqual(['c']);
  });
});

describe('complex gateway: deployment', () => {
  it('refuses a join without an activation condition', async () => {
    const compiled = await compile(twoOfThree('').replace(/<bpmn:activationCondition[^>]*>\s*<\/bpmn:activationCondition>/, ''));
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.error).toEqual([expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'review', field: 'activationCondition' })]);
  });
});
