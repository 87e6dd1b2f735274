import { describe, expect, it } from '@jest/globals';

import { camunda8ChangesetOf, camunda8ProblemOf, camunda8SearchOf, camunda8UserTaskOf } from './camunda8-user-tasks.controller.js';

/** The problem a refused request raises: its status and the field it names. */
function refusal(read: () => unknown): { status: number; title: string; field?: string; detail: string } | undefined {
  try {
    read();
  } catch (error) {
    const problem = (error as { problem: { status: number; title: string; detail: string; errors?: { field: string }[] } }).problem;
    return { status: problem.status, title: problem.title, detail: problem.detail, ...(problem.errors?.[0] ? { field: problem.errors[0].field } : {}) };
  }
  return undefined;
}

describe('camunda8SearchOf', () => {
  it('reads Camunda 8’s search as the native filter, sort and page', () => {
    expect(
      camunda8SearchOf({
        filter: {
          state: 'CREATED',
          assignee: { $eq: 'ada' },
          candidateGroup: 'sales',
          candidateUser: 'grace',
          processDefinitionKey: 'approval:1',
          processInstanceKey: 'pi-1',
          processDefinitionId: 'approval',
          elementId: 'approve',
          tenantId: 'acme',
          priority: { $gte: 10, $lt: 60 },
        },
        sort: [{ field: 'dueDate', order: 'DESC' }],
        page: { from: 20, limit: 10 },
      }),
    ).toEqual({
      filter: {
        state: 'CREATED',
        assignee: 'ada',
        candidateGroup: 'sales',
        candidateUser: 'grace',
        processDefinitionId: 'approval:1',
        processInstanceId: 'pi-1',
        processId: 'approval',
        elementId: 'approve',
        tenantId: 'acme',
        minPriority: 10,
        maxPriority: 59,
        sort: 'due:desc',
        limit: 10,
        offset: 20,
      },
    });
  });

  it('answers the first 100 of everything for an empty search, and takes bpmnProcessId, an exact priority and the default tenant', () => {
    expect(camunda8SearchOf(undefined)).toEqual({ filter: { limit: 100, offset: 0 } });
    expect(camunda8SearchOf({ filter: { bpmnProcessId: 'approval', priority: 50, tenantId: '<default>' }, sort: [{ field: 'creationDate' }] })).toEqual({
      filter: { processId: 'approval', minPriority: 50, maxPriority: 50, sort: 'created:asc', limit: 100, offset: 0 },
    });
    expect(camunda8SearchOf({ filter: { userTaskKey: 't-1', state: 'COMPLETED' } })).toEqual({ filter: { state: 'COMPLETED', limit: 100, offset: 0 }, userTaskKey: 't-1' });
  });

  it('refuses what it cannot answer exactly with a 400 naming the field', () => {
    expect(refusal(() => camunda8SearchOf({ filter: { state: 'ASSIGNING' } }))).toMatchObject({ status: 400, title: 'INVALID_ARGUMENT', field: 'filter.state' });
    expect(refusal(() => camunda8SearchOf({ filter: { assignee: { $like: 'a*' } } }))).toMatchObject({ status: 400, field: 'filter.assignee' });
    expect(refusal(() => camunda8SearchOf({ filter: { localVariables: [] } }))).toMatchObject({ status: 400, field: 'filter.localVariables' });
    expect(refusal(() => camunda8SearchOf({ filter: { priority: { $in: [1] } } }))).toMatchObject({ status: 400, field: 'filter.priority.$in' });
    expect(refusal(() => camunda8SearchOf({ sort: [{ field: 'completionDate', order: 'ASC' }] }))).toMatchObject({ status: 400, field: 'sort[0].field' });
    expect(refusal(() => camunda8SearchOf({ sort: [{ field: 'dueDate', order: 'sideways' }] }))).toMatchObject({ status: 400, field: 'sort[0].order' });
    expect(refusal(() => camunda8SearchOf({ page: { limit: 0 } }))).toMatchObject({ status: 400, field: 'page.limit' });
    expect(refusal(() => camunda8SearchOf({ page: { after: 'cursor' } }))).toMatchObject({ status: 400, field: 'page.after' });
    expect(refusal(() => camunda8SearchOf([]))).toMatchObject({ status: 400, field: 'body' });
  });
});

describe('camunda8ChangesetOf', () => {
  it('reads dates and priority as the native update (an empty date clears it), and the candidate lists as wanted', () => {
    expect(
      camunda8ChangesetOf({
        changeset: { dueDate: '2030-07-01T12:00:00Z', followUpDate: '', priority: 80, candidateUsers: ['ada', 'ada'], candidateGroups: [] },
        action: 'escalate',
      }),
    ).toEqual({ update: { dueDate: '2030-07-01T12:00:00Z', followUpDate: null, priority: 80 }, candidateUsers: ['ada'], candidateGroups: [] });
  });

  it('refuses a field it cannot change, a bad date and a priority out of 0..100', () => {
    expect(refusal(() => camunda8ChangesetOf({ changeset: { name: 'x' } }))).toMatchObject({ status: 400, field: 'changeset.name' });
    expect(refusal(() => camunda8ChangesetOf({ changeset: { dueDate: 'tomorrow' } }))).toMatchObject({ status: 400, field: 'changeset.dueDate' });
    expect(refusal(() => camunda8ChangesetOf({ changeset: { priority: 101 } }))).toMatchObject({ status: 400, field: 'changeset.priority' });
    expect(refusal(() => camunda8ChangesetOf({ changeset: { candidateGroups: 'sales' } }))).toMatchObject({ status: 400, field: 'changeset.candidateGroups' });
    expect(refusal(() => camunda8ChangesetOf({ action: 7 }))).toMatchObject({ status: 400, field: 'action' });
  });
});

describe('camunda8UserTaskOf', () => {
  it('shapes a task as Camunda 8 does: keys, BPMN process id as processDefinitionId, default priority and tenant', () => {
    expect(
      camunda8UserTaskOf({
        id: 't-1',
        name: 'Approve',
        state: 'COMPLETED',
        processInstanceId: 'pi-1',
        processDefinitionId: 'approval:1',
        processId: 'approval',
        elementId: 'approve',
        elementInstanceId: 'ei-1',
        candidateUsers: ['ada'],
        candidateGroups: ['sales'],
        dueDate: '2030-07-01T12:00:00Z',
        createdAt: '2030-06-01T08:00:00.000Z',
        completedAt: '2030-06-02T08:00:00.000Z',
        formKey: 'camunda-forms:bpmn:approve-form',
      }),
    ).toEqual({
      userTaskKey: 't-1',
      name: 'Approve',
      state: 'COMPLETED',
      assignee: null,
      elementId: 'approve',
      elementInstanceKey: 'ei-1',
      candidateGroups: ['sales'],
      candidateUsers: ['ada'],
      processDefinitionId: 'approval',
      processDefinitionKey: 'approval:1',
      processInstanceKey: 'pi-1',
      formKey: 'camunda-forms:bpmn:approve-form',
      creationDate: '2030-06-01T08:00:00.000Z',
      completionDate: '2030-06-02T08:00:00.000Z',
      followUpDate: null,
      dueDate: '2030-07-01T12:00:00Z',
      tenantId: '<default>',
      externalFormReference: null,
      customHeaders: {},
      priority: 50,
    });
  });
});

describe('camunda8ProblemOf', () => {
  it('answers Camunda 8’s problem detail with its titles', () => {
    expect(camunda8ProblemOf({ type: 'urn:trellis:problem:invalid-state', title: 'Invalid state', status: 409, detail: 'closed', instance: '/v2/user-tasks/t-1', errors: [] })).toEqual({
      type: 'about:blank',
      title: 'INVALID_STATE',
      status: 409,
      detail: 'closed',
      instance: '/v2/user-tasks/t-1',
    });
    expect(camunda8ProblemOf({ type: 'x', title: 'Not found', status: 404, detail: 'gone' }).title).toBe('NOT_FOUND');
  });
});
