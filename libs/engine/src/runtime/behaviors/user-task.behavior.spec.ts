import { describe, expect, it } from '@jest/globals';
import { scenario, START_TIME } from '../../testing/decider-spec.js';
import { buildProcess, endEvent, sequence, startEvent, userTask } from '../../testing/process-builder.js';

const withTask = (options: Parameters<typeof userTask>[1]) =>
  buildProcess('approval', [startEvent('start'), userTask('approve', options), endEvent('end')], sequence('start', 'approve', 'end'));

describe('user task', () => {
  it('creates a task with static assignment (comma lists split and trimmed) and waits', () => {
    const run = scenario(
      withTask({
        name: 'Approve order',
        assignee: 'demo',
        candidateUsers: 'anna, ben ,',
        candidateGroups: 'sales,management',
        priority: '50',
        formKey: 'camunda-forms:bpmn:approve',
      }),
    ).start();
    expect(run.eventsOf('UserTaskCreated')).toEqual([
      {
        type: 'UserTaskCreated',
        data: {
          userTaskId: 'id-3',
          elementInstanceId: 'id-2',
          elementId: 'approve',
          name: 'Approve order',
          assignee: 'demo',
          candidateUsers: ['anna', 'ben'],
          candidateGroups: ['sales', 'management'],
          priority: 50,
          formKey: 'camunda-forms:bpmn:approve',
          createdAt: START_TIME,
        },
      },
    ]);
    expect(run.userTask('approve').state).toBe('created');
    expect(run.instance('approve').state).toBe('activated');
  });

  it('evaluates assignment expressions: a list or a comma string for candidates, dates and priority', () => {
    const run = scenario(
      withTask({
        assignee: '=owner',
        candidateUsers: '=reviewers',
        candidateGroups: '${groups}',
        dueDate: '=string(date and time("2026-01-01T10:00:00Z") + duration("P2D"))',
        followUpDate: '=followUp',
        priority: '=if urgent then 90 else 10',
        formId: 'approval-form',
      }),
    ).start({ owner: 'carla', reviewers: ['dan', 'eve'], groups: 'ops, it', followUp: '2026-01-02T09:00:00Z', urgent: true });
    expect(run.userTask('approve')).toMatchObject({
      assignee: 'carla',
      candidateUsers: ['dan', 'eve'],
      candidateGroups: ['ops', 'it'],
      dueDate: '2026-01-03T10:00:00Z',
      followUpDate: '2026-01-02T09:00:00Z',
      priority: 90,
      formId: 'approval-form',
    });
  });

  it('leaves out an assignee that evaluates to null', () => {
    const run = scenario(withTask({ assignee: '=owner' })).start();
    expect(run.userTask('approve')).not.toHaveProperty('assignee');
    expect(run.userTask('approve').candidateUsers).toEqual([]);
  });

  it('an assignment that cannot be used raises an incident on the task', () => {
    const run = scenario(withTask({ candidateGroups: '=groups' })).start({ groups: { a: 1 } });
    expect(run.incident('approve')).toMatchObject({
      type: 'EXPRESSION_ERROR',
      message: "Expected the candidate groups '=groups' to be a list or a comma-separated string, but it was a context",
    });
    expect(run.state.userTasks).toEqual({});
  });

  it('completing the task passes its variables on and moves on', () => {
    const run = scenario(withTask({})).start();
    run.completeUserTask('approve', { approved: true });
    expect(run.lastEvents[0]).toEqual({ type: 'UserTaskCompleted', data: { userTaskId: 'id-3', variables: { approved: true } } });
    expect(run.variables).toEqual({ approved: true });
    expect(run.state.status).toBe('completed');
    expect(run.state.userTasks).toEqual({});
  });

  it('completing an unknown task is NOT_FOUND', () => {
    const run = scenario(withTask({})).start();
    expect(run.reject({ type: 'CompleteUserTask', userTaskId: 'nope' })).toMatchObject({ code: 'NOT_FOUND' });
  });
});
