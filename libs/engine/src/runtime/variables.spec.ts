import { describe, expect, it } from '@jest/globals';
import { bpmnProcess, compiledProcess } from '../testing/bpmn.js';
import { scenario } from '../testing/decider-spec.js';
import { buildProcess, endEvent, sequence, serviceTask, startEvent, subProcess } from '../testing/process-builder.js';

const around = (element: string) =>
  bpmnProcess(`    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-task" sourceRef="start" targetRef="task" />
    ${element}
    <bpmn:sequenceFlow id="to-end" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />`);

describe('variables: Camunda 8 (zeebe:ioMapping)', () => {
  const payment = around(`<bpmn:serviceTask id="task">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="=&quot;pay-&quot; + method" />
        <zeebe:ioMapping>
          <zeebe:input source="=order.total" target="amount" />
          <zeebe:input source="card" target="method" />
          <zeebe:input source="EUR" target="payment.currency" />
          <zeebe:output source="=transactionId" target="order.transaction" />
          <zeebe:output source="=amount * 2" target="doubled" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>`);

  it('input mappings become local variables of the element instance, visible to its own expressions', async () => {
    const run = scenario(await compiledProcess(payment)).start({ order: { id: 'A-1', total: 40 } });
    const task = run.instance('task');
    expect(run.eventsOf('VariablesSet')).toEqual([
      { type: 'VariablesSet', data: { scopeInstanceId: 'pi', variables: { order: { id: 'A-1', total: 40 } } } },
      { type: 'VariablesSet', data: { scopeInstanceId: task.id, variables: { amount: 40, method: 'card', payment: { currency: 'EUR' } } } },
    ]);
    expect(run.job('task').type).toBe('pay-card');
    expect(run.variables).toEqual({ order: { id: 'A-1', total: 40 } });
  });

  it('with output mappings, completion variables stay local and the mappings (dotted targets merge) go to the flow scope', async () => {
    const run = scenario(await compiledProcess(payment)).start({ order: { id: 'A-1', total: 40 } });
    const task = run.instance('task');
    run.completeJob('task', { transactionId: 'T-9', secret: 'x' });
    expect(run.lastEvents.filter((event) => event.type === 'VariablesSet')).toEqual([
      { type: 'VariablesSet', data: { scopeInstanceId: task.id, variables: { transactionId: 'T-9', secret: 'x' } } },
      { type: 'VariablesSet', data: { scopeInstanceId: 'pi', variables: { order: { id: 'A-1', total: 40, transaction: 'T-9' }, doubled: 80 } } },
    ]);
    expect(run.variables).toEqual({ order: { id: 'A-1', total: 40, transaction: 'T-9' }, doubled: 80 });
    expect(run.state.variables[task.id]).toBeUndefined();
  });

  it('an input mapping that fails raises an IO_MAPPING_ERROR incident; the instance stays alive', async () => {
    const process = await compiledProcess(
      around(`<bpmn:serviceTask id="task"><bpmn:extensionElements>
        <zeebe:taskDefinition type="t" />
        <zeebe:ioMapping><zeebe:input source="=[1..n]" target="range" /></zeebe:ioMapping>
      </bpmn:extensionElements></bpmn:serviceTask>`),
    );
    const run = scenario(process).start({ n: 3 });
    expect(run.incident('task')).toMatchObject({
      type: 'IO_MAPPING_ERROR',
      message: "Failed to map input variable 'range': Expression '=[1..n]' returned a range, which cannot be stored as a variable",
    });
    expect(run.state.status).toBe('active');
    expect(run.jobs()).toEqual([]);
  });
});

describe('variables: Camunda 7 (camunda:inputOutput)', () => {
  const c7 = around(`<bpmn:serviceTask id="task" camunda:type="external" camunda:topic="\${topicPrefix}-charge">
      <bpmn:extensionElements>
        <camunda:inputOutput>
          <camunda:inputParameter name="greeting">hello</camunda:inputParameter>
          <camunda:inputParameter name="customer">\${order.customer}</camunda:inputParameter>
          <camunda:inputParameter name="tags"><camunda:list><camunda:value>a</camunda:value><camunda:value>b</camunda:value></camunda:list></camunda:inputParameter>
          <camunda:outputParameter name="total">\${sum + 1}</camunda:outputParameter>
        </camunda:inputOutput>
      </bpmn:extensionElements>
    </bpmn:serviceTask>`);

  it('maps text, JUEL and literal lists into local variables; the topic is evaluated as the job type', async () => {
    const run = scenario(await compiledProcess(c7)).start({ order: { customer: 'Ada' }, topicPrefix: 'card' });
    expect(run.locals('task')).toEqual({ greeting: 'hello', customer: 'Ada', tags: ['a', 'b'] });
    expect(run.job('task').type).toBe('card-charge');
  });

  it('output parameters are evaluated in the element scope (JUEL) and written to the process', async () => {
    const run = scenario(await compiledProcess(c7)).start({ order: { customer: 'Ada' }, topicPrefix: 'card' });
    run.completeJob('task', { sum: 41 });
    expect(run.variables).toEqual({ order: { customer: 'Ada' }, topicPrefix: 'card', total: 42 });
  });

  it('an output parameter that fails raises an incident on completion; fixing and resolving completes the task', async () => {
    const run = scenario(await compiledProcess(c7)).start({ order: { customer: 'Ada' }, topicPrefix: 'card' });
    run.completeJob('task', {});
    const incident = run.incident('task');
    expect(incident).toMatchObject({ type: 'IO_MAPPING_ERROR', message: "Failed to map output variable 'total': Cannot resolve identifier 'sum' in expression '${sum + 1}'" });
    expect(run.instance('task').state).toBe('completing');
    run.setVariables({ sum: 1 }, { scopeElementId: 'task', local: true }).resolveIncident('task');
    expect(run.variables).toMatchObject({ total: 2 });
    expect(run.state.status).toBe('completed');
  });

  it('an input parameter that fails raises an incident; resolving after SetVariables continues', async () => {
    const run = scenario(await compiledProcess(c7)).start({ topicPrefix: 'card' });
    expect(run.incident('task')).toMatchObject({
      type: 'IO_MAPPING_ERROR',
      message: "Failed to map input variable 'customer': Cannot resolve identifier 'order' in expression '${order.customer}'",
    });
    run.setVariables({ order: { customer: 'Bo' } }).resolveIncident('task');
    expect(run.locals('task')).toMatchObject({ customer: 'Bo' });
    expect(run.job('task').type).toBe('card-charge');
  });
});

describe('variable scopes and propagation', () => {
  const nested = buildProcess(
    'scopes',
    [
      startEvent('start'),
      subProcess(
        'inner',
        { elements: [startEvent('inner-start'), serviceTask('work', { type: 'work' }), endEvent('inner-end')], flows: sequence('inner-start', 'work', 'inner-end') },
        { inputs: [['=0', 'attempts'], ['=customer', 'customer']] },
      ),
      endEvent('end'),
    ],
    sequence('start', 'inner', 'end'),
  );

  it('inner scopes shadow outer ones in expressions', () => {
    const process = buildProcess(
      'shadow',
      [
        startEvent('start'),
        subProcess(
          'inner',
          { elements: [startEvent('s'), serviceTask('work', { type: '=kind' }), endEvent('e')], flows: sequence('s', 'work', 'e') },
          { inputs: [['inner', 'kind']] },
        ),
        endEvent('end'),
      ],
      sequence('start', 'inner', 'end'),
    );
    expect(scenario(process).start({ kind: 'outer' }).job('work').type).toBe('inner');
  });

  it('a variable set without local goes to the nearest scope that has it, else to the process instance', () => {
    const run = scenario(nested).start({ customer: 'Ada' });
    run.completeJob('work', { attempts: 1, customer: 'Bo', result: 'done' });
    expect(run.variables).toEqual({ customer: 'Ada', result: 'done' });
  });

  it('SetVariables on an element scope propagates, or sets locally with local', () => {
    const run = scenario(nested).start({ customer: 'Ada' });
    const inner = run.instance('inner');
    run.setVariables({ attempts: 5, fresh: true }, { scopeElementId: 'work' });
    expect(run.state.variables[inner.id]).toEqual({ attempts: 5, customer: 'Ada' });
    expect(run.variables).toEqual({ customer: 'Ada', fresh: true });
    run.setVariables({ note: 'local' }, { scopeElementId: 'work', local: true });
    expect(run.locals('work')).toEqual({ note: 'local' });
  });

  it('SetVariables on a scope that does not exist is NOT_FOUND', () => {
    const run = scenario(nested).start({ customer: 'Ada' });
    expect(run.reject({ type: 'SetVariables', scopeInstanceId: 'nope', variables: { a: 1 } })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('local variables leave the state with their element instance', () => {
    const run = scenario(nested).start({ customer: 'Ada' });
    const inner = run.instance('inner');
    run.setVariables({ note: 'local' }, { scopeElementId: 'work', local: true });
    const work = run.instance('work');
    run.completeJob('work');
    expect(Object.keys(run.state.variables)).toEqual(['pi']);
    expect(run.state.variables[inner.id]).toBeUndefined();
    expect(run.state.variables[work.id]).toBeUndefined();
  });
});
