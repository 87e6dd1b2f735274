import { describe, expect, it } from '@jest/globals';
import { createCommand, PROCESS_INSTANCE_ID, scenario, spec, START_TIME } from '../testing/decider-spec.js';
import { buildProcess, endEvent, flow, sequence, serviceTask, startEvent, task } from '../testing/process-builder.js';
import { decide } from './decide.js';
import { evolve, initialProcessInstanceState, replay } from './evolve.js';
import type { ProcessInstanceCommand } from './process-instance-commands.js';

const oneTask = buildProcess('one-task', [startEvent('start'), serviceTask('work', { type: 'work' }), endEvent('end')], sequence('start', 'work', 'end'));

const created = {
  type: 'ProcessInstanceCreated',
  data: { processInstanceId: PROCESS_INSTANCE_ID, processDefinitionId: 'definition-1', processId: 'one-task', version: 1, startedAt: START_TIME },
} as const;

describe('CreateProcessInstance', () => {
  it('starts at the none start event and runs to the first wait state in one batch', () => {
    spec(oneTask)
      .given()
      .when(createCommand({ orderId: 'A-1' }))
      .then(
        created,
        { type: 'VariablesSet', data: { scopeInstanceId: PROCESS_INSTANCE_ID, variables: { orderId: 'A-1' } } },
        { type: 'ElementActivating', data: { elementInstanceId: 'id-1', elementId: 'start', elementType: 'startEvent', flowScopeInstanceId: 'pi' } },
        { type: 'ElementActivated', data: { elementInstanceId: 'id-1' } },
        { type: 'ElementCompleting', data: { elementInstanceId: 'id-1' } },
        { type: 'ElementCompleted', data: { elementInstanceId: 'id-1' } },
        { type: 'SequenceFlowTaken', data: { flowId: 'start-work', sourceElementId: 'start', targetElementId: 'work', flowScopeInstanceId: 'pi' } },
        { type: 'ElementActivating', data: { elementInstanceId: 'id-2', elementId: 'work', elementType: 'serviceTask', flowScopeInstanceId: 'pi' } },
        { type: 'ElementActivated', data: { elementInstanceId: 'id-2' } },
        {
          type: 'JobCreated',
          data: { jobId: 'id-3', type: 'work', retries: 3, elementInstanceId: 'id-2', elementId: 'work', customHeaders: {}, createdAt: START_TIME },
        },
      );
  });

  it('keeps the business key', () => {
    const started = scenario(oneTask).send(createCommand({}, 'order-7'));
    expect(started.state.businessKey).toBe('order-7');
    expect(started.state.processId).toBe('one-task');
  });

  it('refuses to create an instance twice', () => {
    spec(oneTask).given(created).when(createCommand()).thenFails({ code: 'ALREADY_EXISTS' });
  });

  it('starts at the first none start event when there are several', () => {
    const twoStarts = buildProcess('two', [startEvent('first'), startEvent('second'), endEvent('end')], [flow('first', 'end'), flow('second', 'end')]);
    expect(scenario(twoStarts).start().completed()).toEqual(['first', 'end']);
  });

  it('refuses a process without a none start event', () => {
    const noStart = buildProcess('none', [task('a')], []);
    spec(noStart).given().when(createCommand()).thenFails({ code: 'INVALID_ARGUMENT' });
  });
});

describe('commands on an instance that is not running', () => {
  const commands: ProcessInstanceCommand[] = [
    { type: 'CompleteJob', jobId: 'job' },
    { type: 'FailJob', jobId: 'job', retries: 1 },
    { type: 'CompleteUserTask', userTaskId: 'task' },
    { type: 'SetVariables', variables: { a: 1 } },
    { type: 'ResolveIncident', incidentId: 'incident' },
    { type: 'CancelProcessInstance' },
  ];

  it.each(commands.map((command) => [command.type, command] as const))('%s on an unknown instance is NOT_FOUND', (_type, command) => {
    spec(oneTask).given().when(command).thenFails({ code: 'NOT_FOUND' });
  });

  it.each(commands.map((command) => [command.type, command] as const))('%s on a completed instance is INVALID_STATE', (_type, command) => {
    const done = scenario(oneTask).start();
    done.completeJob('work');
    expect(done.state.status).toBe('completed');
    expect(done.reject(command)).toMatchObject({ code: 'INVALID_STATE' });
  });

  it.each(commands.map((command) => [command.type, command] as const))('%s on a cancelled instance is INVALID_STATE', (_type, command) => {
    const cancelled = scenario(oneTask).start().cancel();
    expect(cancelled.reject(command)).toMatchObject({ code: 'INVALID_STATE' });
  });
});

describe('decide, evolve and replay', () => {
  it('leave the state they are given untouched', () => {
    const started = scenario(oneTask).start();
    const before = structuredClone(started.state);
    const job = started.job('work');
    const result = decide(started.state, { type: 'CompleteJob', jobId: job.id }, { now: START_TIME, newId: () => 'x', process: oneTask });
    expect(result.ok).toBe(true);
    expect(started.state).toEqual(before);
    for (const event of started.events) evolve(started.state, event);
    expect(started.state).toEqual(before);
  });

  it('replay continues from a given state, and evolve folds one event at a time to the same result', () => {
    const run = scenario(oneTask).start();
    const firstBatch = run.events.length;
    run.completeJob('work', { done: true });
    const middle = replay(run.events.slice(0, firstBatch));
    expect(replay(run.events.slice(firstBatch), middle)).toStrictEqual(run.state);
    expect(run.events.reduce(evolve, initialProcessInstanceState())).toStrictEqual(run.state);
  });

  it('rejects a command whose process loops without a wait state instead of hanging', () => {
    const endless = buildProcess('endless', [startEvent('start'), task('a'), task('b')], [...sequence('start', 'a', 'b'), flow('b', 'a')]);
    const failure = scenario(endless).reject(createCommand());
    expect(failure.code).toBe('INVALID_STATE');
    expect(failure.message).toContain('did not come to rest');
  });

  it('an element kind this version cannot run becomes an UNSUPPORTED incident, not a crash', () => {
    const base = buildProcess('odd', [startEvent('start'), task('odd'), endEvent('end')], sequence('start', 'odd', 'end'));
    const odd = { ...base, elements: { ...base.elements, odd: { ...base.elements.odd, kind: 'choreographyTask' } } } as unknown as typeof base;
    const run = scenario(odd).start();
    expect(run.incident('odd').type).toBe('UNSUPPORTED');
    expect(run.state.status).toBe('active');
  });
});
