import { describe, expect, it } from '@jest/globals';
import { scenario, spec } from '../../testing/decider-spec.js';
import { buildProcess, endEvent, exclusiveGateway, flow, sequence, startEvent, task } from '../../testing/process-builder.js';

const decision = (options: { withDefault: boolean }) =>
  buildProcess(
    'decision',
    [startEvent('start'), exclusiveGateway('check', options.withDefault ? { default: 'otherwise' } : {}), task('big'), task('medium'), task('small'), endEvent('end')],
    [
      flow('start', 'check'),
      flow('check', 'big', { id: 'is-big', condition: '=amount > 1000' }),
      flow('check', 'medium', { id: 'is-medium', condition: '=amount > 100' }),
      ...(options.withDefault ? [flow('check', 'small', { id: 'otherwise' })] : []),
      ...sequence('big', 'end'),
      flow('medium', 'end'),
      flow('small', 'end'),
    ],
  );

describe('exclusive gateway', () => {
  it('takes the first flow in document order whose condition is true, and only that one', () => {
    const run = scenario(decision({ withDefault: true })).start({ amount: 5000 });
    expect(run.taken()).toEqual(['start-check', 'is-big', 'big-end']);
    expect(run.state.status).toBe('completed');
  });

  it('takes the default flow when no condition is true', () => {
    const run = scenario(decision({ withDefault: true })).start({ amount: 50 });
    expect(run.completed()).toEqual(['start', 'check', 'small', 'end']);
  });

  it('accepts JUEL conditions (Camunda 7)', () => {
    const process = buildProcess(
      'juel',
      [startEvent('start'), exclusiveGateway('check', { default: 'no' }), task('yes-task'), task('no-task')],
      [flow('start', 'check'), flow('check', 'yes-task', { id: 'yes', condition: '${approved && amount > 10}' }), flow('check', 'no-task', { id: 'no' })],
    );
    expect(scenario(process).start({ approved: true, amount: 11 }).completed()).toContain('yes-task');
    expect(scenario(process).start({ approved: false, amount: 11 }).completed()).toContain('no-task');
  });

  it('with no true condition and no default raises an incident on the gateway; the instance stays alive', () => {
    const run = scenario(decision({ withDefault: false })).start({ amount: 50 });
    const incident = run.incident('check');
    expect(incident).toMatchObject({
      type: 'CONDITION_ERROR',
      message: "No outgoing sequence flow of gateway 'check' has a true condition and there is no default flow",
    });
    expect(run.state.status).toBe('active');
    expect(run.active()).toEqual(['check']);
    expect(run.state.elementInstances[incident.elementInstanceId].state).toBe('completing');
  });

  it('continues after SetVariables fixed the data and the incident is resolved', () => {
    const run = scenario(decision({ withDefault: false })).start({ amount: 50 });
    run.setVariables({ amount: 500 }).resolveIncident('check');
    expect(run.lastEvents.map((event) => event.type)).toEqual([
      'IncidentResolved',
      'ElementCompleted',
      'SequenceFlowTaken',
      'ElementActivating',
      'ElementActivated',
      'ElementCompleting',
      'ElementCompleted',
      'SequenceFlowTaken',
      'ElementActivating',
      'ElementActivated',
      'ElementCompleting',
      'ElementCompleted',
      'ProcessInstanceCompleted',
    ]);
    expect(run.completed()).toEqual(['start', 'check', 'medium', 'end']);
    expect(run.incidents()).toEqual([]);
  });

  it('resolving without fixing the data raises a new incident', () => {
    const run = scenario(decision({ withDefault: false })).start({ amount: 50 });
    const first = run.incident('check');
    run.resolveIncident('check');
    expect(run.lastEvents.map((event) => event.type)).toEqual(['IncidentResolved', 'IncidentCreated']);
    expect(run.incident('check').id).not.toBe(first.id);
  });

  it('a condition that is not a boolean (a missing variable) raises an incident naming the flow and the expression', () => {
    const run = scenario(decision({ withDefault: true })).start({});
    expect(run.incident('check').message).toBe(
      "Expected the condition of sequence flow 'is-big' '=amount > 1000' to be a boolean, but it was null" +
        " ([NO_VARIABLE_FOUND] No variable found with name 'amount' (at position 0))",
    );
  });

  it('emits the incident in the same batch as the steps before it (given/when/then)', () => {
    spec(decision({ withDefault: false }))
      .given(
        { type: 'ProcessInstanceCreated', data: { processInstanceId: 'pi', processDefinitionId: 'd', processId: 'decision', version: 1, startedAt: 't' } },
        { type: 'VariablesSet', data: { scopeInstanceId: 'pi', variables: { amount: 1 } } },
        { type: 'ElementActivating', data: { elementInstanceId: 'gw', elementId: 'check', elementType: 'exclusiveGateway', flowScopeInstanceId: 'pi' } },
        { type: 'ElementActivated', data: { elementInstanceId: 'gw' } },
        { type: 'ElementCompleting', data: { elementInstanceId: 'gw' } },
        {
          type: 'IncidentCreated',
          data: { incidentId: 'inc', incidentType: 'CONDITION_ERROR', message: 'm', elementId: 'check', elementInstanceId: 'gw', createdAt: 't' },
        },
      )
      .when({ type: 'ResolveIncident', incidentId: 'inc' })
      .then(
        { type: 'IncidentResolved', data: { incidentId: 'inc' } },
        {
          type: 'IncidentCreated',
          data: {
            incidentId: 'id-1',
            incidentType: 'CONDITION_ERROR',
            message: "No outgoing sequence flow of gateway 'check' has a true condition and there is no default flow",
            elementId: 'check',
            elementInstanceId: 'gw',
            createdAt: '2026-01-01T10:00:00.000Z',
          },
        },
      );
  });
});
