import { describe, expect, it } from '@jest/globals';
import { bpmnProcess, compiledProcess } from '../../testing/bpmn.js';
import { scenario } from '../../testing/decider-spec.js';
import { buildProcess, endEvent, flow, manualTask, sequence, startEvent, task } from '../../testing/process-builder.js';

describe('task and manual task', () => {
  it('pass through: activated and completed in the same batch', () => {
    const process = buildProcess('pass', [startEvent('start'), task('a'), manualTask('b'), endEvent('end')], sequence('start', 'a', 'b', 'end'));
    const run = scenario(process).start();
    expect(run.completed()).toEqual(['start', 'a', 'b', 'end']);
    expect(run.eventsOf('ElementActivating').map((event) => event.data.elementType)).toEqual(['startEvent', 'task', 'manualTask', 'endEvent']);
    expect(run.state.status).toBe('completed');
  });
});

describe('sequence flows leaving an activity', () => {
  const routed = buildProcess(
    'routed',
    [startEvent('start'), task('route'), task('a'), task('b'), task('c'), endEvent('end')],
    [
      flow('start', 'route'),
      flow('route', 'a', { condition: '=x > 1' }),
      flow('route', 'b', { condition: '=x > 2' }),
      flow('route', 'c'),
      flow('a', 'end'),
      flow('b', 'end'),
      flow('c', 'end'),
    ],
  );

  it('every flow whose condition is true or absent is taken', () => {
    const run = scenario(routed).start({ x: 2 });
    expect(run.taken().filter((id) => id.startsWith('route-'))).toEqual(['route-a', 'route-c']);
    expect(run.completed().filter((id) => id === 'end')).toHaveLength(2);
  });

  it('an activity with only conditional flows, none true, raises an incident', () => {
    const onlyConditional = buildProcess(
      'conditional',
      [startEvent('start'), task('route'), task('a')],
      [flow('start', 'route'), flow('route', 'a', { condition: '=x > 1' })],
    );
    const run = scenario(onlyConditional).start({ x: 0 });
    expect(run.incident('route')).toMatchObject({
      type: 'CONDITION_ERROR',
      message: "No outgoing sequence flow of element 'route' has a true condition and there is no default flow",
    });
    run.setVariables({ x: 5 }).resolveIncident('route');
    expect(run.state.status).toBe('completed');
  });

  it("an activity's default flow is taken only when none of its conditional flows is", async () => {
    const withDefault = await compiledProcess(
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-route" sourceRef="start" targetRef="route" />
    <bpmn:task id="route" default="otherwise" />
    <bpmn:sequenceFlow id="big" sourceRef="route" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=x &gt; 10</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="otherwise" sourceRef="route" targetRef="end" />
    <bpmn:endEvent id="end" />`),
    );
    expect(scenario(withDefault).start({ x: 1 }).taken()).toEqual(['to-route', 'otherwise']);
    expect(scenario(withDefault).start({ x: 11 }).taken()).toEqual(['to-route', 'big']);
  });

  it('an activity without outgoing flows ends its token (implicit end)', () => {
    const implicit = buildProcess('implicit', [startEvent('start'), task('last')], [flow('start', 'last')]);
    expect(scenario(implicit).start().state.status).toBe('completed');
  });
});
