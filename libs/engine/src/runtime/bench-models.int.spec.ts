import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { compiledProcess } from '../testing/bpmn.js';
import { scenario } from '../testing/decider-spec.js';

// The benchmark models are read where they live, next to the repository, so the tests run exactly what `npm run bench` runs.
const benchModel = (name: string) => readFileSync(new URL(`../../../../../shared/bench/${name}`, import.meta.url), 'utf8');
const STRAIGHT_THROUGH_BPMN = benchModel('straight-through.bpmn');
const ONE_TASK_BPMN = benchModel('one-task.bpmn');
const USER_TASK_BPMN = benchModel('user-task.bpmn');

describe('the benchmark models, compiled from BPMN XML', () => {
  it('straight-through: a small amount goes through the parallel branch in one batch', async () => {
    const run = scenario(await compiledProcess(STRAIGHT_THROUGH_BPMN)).start({ amount: 42 });
    expect(run.completed()).toEqual(['start', 'prepare', 'check-amount', 'fork', 'ship', 'bill', 'join', 'end']);
    expect(run.taken()).toEqual(['to-prepare', 'to-check', 'small', 'to-ship', 'to-bill', 'shipped', 'billed', 'to-end']);
    expect(run.state).toMatchObject({ status: 'completed', elementInstances: {}, joinTokens: {}, variables: { pi: { amount: 42 } } });
  });

  it('straight-through: a large amount is reviewed (FEEL condition amount > 100)', async () => {
    const run = scenario(await compiledProcess(STRAIGHT_THROUGH_BPMN)).start({ amount: 500 });
    expect(run.completed()).toEqual(['start', 'prepare', 'check-amount', 'review', 'end-reviewed']);
    expect(run.state.status).toBe('completed');
  });

  it('straight-through: without an amount the gateway has an incident until the amount is set', async () => {
    const run = scenario(await compiledProcess(STRAIGHT_THROUGH_BPMN)).start();
    expect(run.incident('check-amount').type).toBe('CONDITION_ERROR');
    run.setVariables({ amount: 101 }).resolveIncident('check-amount');
    expect(run.completed().slice(-2)).toEqual(['review', 'end-reviewed']);
  });

  it('one-task: a job of type work, completed by a worker', async () => {
    const run = scenario(await compiledProcess(ONE_TASK_BPMN)).start();
    expect(run.job('work')).toMatchObject({ type: 'work', retries: 3, state: 'activatable' });
    run.completeJob('work', { result: 'ok' });
    expect(run.state.status).toBe('completed');
    expect(run.variables).toEqual({ result: 'ok' });
  });

  it('user-task: a task for the approvers group', async () => {
    const run = scenario(await compiledProcess(USER_TASK_BPMN)).start();
    expect(run.userTask('approve')).toMatchObject({ name: 'Approve', candidateGroups: ['approvers'], candidateUsers: [] });
    run.completeUserTask('approve', { approved: true });
    expect(run.state.status).toBe('completed');
  });
});
