import { describe, expect, it } from '@jest/globals';
import { scenario, spec, START_TIME } from '../../testing/decider-spec.js';
import { buildProcess, decisionTask, endEvent, sequence, startEvent } from '../../testing/process-builder.js';

const withDecision = (options: Parameters<typeof decisionTask>[1]) =>
  buildProcess('rules', [startEvent('start'), decisionTask('check', options), endEvent('end')], sequence('start', 'check', 'end'));

const created = {
  type: 'ProcessInstanceCreated',
  data: { processInstanceId: 'pi', processDefinitionId: 'rules:4', processId: 'rules', version: 4, startedAt: 't' },
} as const;

describe('business rule tasks that call a decision', () => {
  it('activating one creates a job of the reserved decision type whose headers name the decision (given/when/then)', () => {
    spec(withDecision({ decisionId: 'risk', resultVariable: 'risk', binding: 'deployment' }))
      .given(
        created,
        { type: 'ElementActivating', data: { elementInstanceId: 'ei-start', elementId: 'start', elementType: 'startEvent', flowScopeInstanceId: 'pi' } },
        { type: 'ElementActivated', data: { elementInstanceId: 'ei-start' } },
        { type: 'ElementCompleting', data: { elementInstanceId: 'ei-start' } },
        { type: 'ElementCompleted', data: { elementInstanceId: 'ei-start' } },
        { type: 'SequenceFlowTaken', data: { flowId: 'start-check', sourceElementId: 'start', targetElementId: 'check', flowScopeInstanceId: 'pi' } },
        { type: 'ElementActivating', data: { elementInstanceId: 'ei-check', elementId: 'check', elementType: 'businessRuleTask', flowScopeInstanceId: 'pi' } },
        {
          type: 'IncidentCreated',
          data: { incidentId: 'inc', incidentType: 'EXPRESSION_ERROR', message: 'm', elementId: 'check', elementInstanceId: 'ei-check', createdAt: 't' },
        },
      )
      .when({ type: 'ResolveIncident', incidentId: 'inc' })
      .then(
        { type: 'IncidentResolved', data: { incidentId: 'inc' } },
        { type: 'ElementActivated', data: { elementInstanceId: 'ei-check' } },
        {
          type: 'JobCreated',
          data: {
            jobId: 'id-1',
            type: 'io.trellis.decision',
            retries: 3,
            elementInstanceId: 'ei-check',
            elementId: 'check',
            customHeaders: { decisionId: 'risk', bindingType: 'deployment', processDefinitionId: 'rules:4', resultVariable: 'risk' },
            variables: {},
            createdAt: START_TIME,
          },
        },
      );
  });

  it('evaluates the decision id and version in the task scope; Camunda 7 models carry their result mapping', () => {
    const run = scenario(
      withDecision({ decisionId: '${decisionKey}', resultVariable: 'approval', binding: 'version', version: '=approvalVersion', mapDecisionResult: 'singleEntry', dialect: 'camunda' }),
    ).start({ decisionKey: 'approve-invoice', approvalVersion: 2 });
    expect(run.job('check')).toMatchObject({
      type: 'io.trellis.decision',
      customHeaders: {
        decisionId: 'approve-invoice',
        resultVariable: 'approval',
        bindingType: 'version',
        version: '2',
        mapDecisionResult: 'singleEntry',
        processDefinitionId: 'definition-1',
      },
    });
    expect(run.instance('check').state).toBe('activated');
  });

  it('the JobCreated of a decision job carries the variables visible to the task (the dmn-service evaluates with them)', () => {
    const run = scenario(withDecision({ decisionId: 'risk', resultVariable: 'risk' })).start({ amount: 1200, customer: { tier: 'gold' } });
    const jobCreated = run.events.find((event) => event.type === 'JobCreated');
    expect(jobCreated?.data).toMatchObject({ type: 'io.trellis.decision', variables: { amount: 1200, customer: { tier: 'gold' } } });
  });

  it('a decision id that does not evaluate to text raises an EXPRESSION_ERROR incident and creates no job', () => {
    const run = scenario(withDecision({ decisionId: '=decisionKey', resultVariable: 'r' })).start({});
    expect(run.incident('check')).toMatchObject({
      type: 'EXPRESSION_ERROR',
      message: "Expected the decision id '=decisionKey' to be a non-empty string, but it was null",
    });
    expect(run.jobs()).toEqual([]);
    run.setVariables({ decisionKey: 'risk' }).resolveIncident('check');
    expect(run.job('check').customHeaders).toMatchObject({ decisionId: 'risk' });
  });

  it('a version that is not a whole number of at least 1 is an EXPRESSION_ERROR incident', () => {
    const run = scenario(withDecision({ decisionId: 'risk', binding: 'version', version: '=v' })).start({ v: 0 });
    expect(run.incident('check').message).toBe("Expected the decision version '=v' to be a whole number of at least 1, but it was the number 0");
  });

  it('the decision service failing the job with no retries raises an incident on the task, which waits', () => {
    const run = scenario(withDecision({ decisionId: 'risk', resultVariable: 'risk' })).start();
    run.failJob('check', 0, { errorMessage: "decision engine not available: cannot evaluate decision 'risk'" });
    expect(run.incident('check')).toMatchObject({ type: 'JOB_NO_RETRIES', message: "decision engine not available: cannot evaluate decision 'risk'" });
    expect(run.instance('check').state).toBe('activated');
    expect(run.state.status).toBe('active');
  });

  it('completing the decision job with the result completes the task', () => {
    const run = scenario(withDecision({ decisionId: 'risk', resultVariable: 'risk' })).start();
    run.completeJob('check', { risk: 'low' });
    expect(run.state.status).toBe('completed');
    expect(run.variables).toEqual({ risk: 'low' });
  });
});
