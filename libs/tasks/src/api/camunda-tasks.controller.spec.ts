import { describe, expect, it } from '@jest/globals';

import { CamundaTaskQuery, camundaTaskOf } from './camunda-tasks.controller.js';

describe('CamundaTaskQuery', () => {
  it('reads Camunda’s query string as the native filter of open tasks, with its paging', () => {
    const query = new CamundaTaskQuery({
      processDefinitionKey: 'approval',
      processInstanceBusinessKey: 'order-1',
      taskDefinitionKey: 'approve',
      candidateGroups: 'sales,support',
      dueBefore: '2030-07-01T12:00:00.000+0200',
      priority: '50',
      processVariables: 'amount_gteq_100,customer_eq_ACME,approved_eq_true',
      sortBy: 'dueDate',
      sortOrder: 'desc',
      firstResult: '10',
      maxResults: '5',
    });

    expect(query.filter({})).toEqual({
      filter: {
        state: 'CREATED',
        // Candidate filters list unassigned tasks only, unless includeAssignedTasks.
        unassigned: true,
        candidateGroups: ['sales', 'support'],
        processId: 'approval',
        businessKey: 'order-1',
        elementId: 'approve',
        dueBefore: '2030-07-01T10:00:00.000Z',
        minPriority: 50,
        maxPriority: 50,
        processVariables: [
          { name: 'amount', operator: 'gte', value: 100 },
          { name: 'customer', operator: 'eq', value: 'ACME' },
          { name: 'approved', operator: 'eq', value: true },
        ],
        sort: 'due:desc',
      },
      first: 10,
      max: 5,
    });
  });

  it('reads a JSON body: booleans, variable lists and sorting', () => {
    const query = new CamundaTaskQuery({
      assigned: true,
      candidateUser: 'ada',
      includeAssignedTasks: true,
      taskVariables: [{ name: 'share', operator: 'lt', value: 4 }],
      sorting: [{ sortBy: 'priority', sortOrder: 'asc' }],
    });

    expect(query.filter({}).filter).toEqual({
      state: 'CREATED',
      unassigned: false,
      candidateUser: 'ada',
      taskVariables: [{ name: 'share', operator: 'lt', value: 4 }],
      sort: 'priority:asc',
    });
  });

  it('refuses what Camunda refuses, and what Trellis does not support, as InvalidRequestException', () => {
    const refusal = (source: Record<string, unknown>) => {
      try {
        new CamundaTaskQuery(source).filter({});
      } catch (error) {
        return (error as { status?: number; body?: unknown; problem?: { status: number } }).problem?.status === 400 ? (error as { body: unknown }).body : error;
      }
      return undefined;
    };

    expect(refusal({ sortBy: 'dueDate' })).toEqual({ type: 'InvalidRequestException', message: 'Only a single sorting parameter specified. sortBy and sortOrder required' });
    expect(refusal({ sortBy: 'colour', sortOrder: 'asc' })).toEqual({ type: 'InvalidRequestException', message: "Cannot set query parameter 'sortBy' to value 'colour'" });
    expect(refusal({ unassigned: 'yes' })).toEqual({ type: 'InvalidRequestException', message: "Cannot set query parameter 'unassigned' to value 'yes'" });
    expect(refusal({ dueBefore: 'tomorrow' })).toEqual({ type: 'InvalidRequestException', message: "Cannot set query parameter 'dueBefore' to value 'tomorrow'" });
    expect(refusal({ processVariables: 'amount_between_1' })).toEqual({ type: 'InvalidRequestException', message: 'Invalid processVariables comparator specified: amount_between_1' });
    expect(refusal({ nameLike: 'Approve%' })).toEqual({ type: 'InvalidRequestException', message: "The task query parameter 'nameLike' is not supported by Trellis" });
    expect(refusal({ tenantIdIn: 'a,b' })).toEqual({ type: 'InvalidRequestException', message: "Only one tenant in 'tenantIdIn' is supported by Trellis" });
  });
});

describe('camundaTaskOf', () => {
  it('shapes a task as Camunda 7 does, with its dates at +0000 and priority 50 by default', () => {
    expect(
      camundaTaskOf({
        id: 't-1',
        state: 'CREATED',
        processInstanceId: 'pi-1',
        processDefinitionId: 'approval:1',
        processId: 'approval',
        elementId: 'approve',
        elementInstanceId: 'ei-1',
        candidateUsers: [],
        candidateGroups: ['sales'],
        dueDate: '2030-07-01T12:00:00Z',
        createdAt: '2030-06-01T08:00:00.000Z',
        owner: 'ada',
        delegationState: 'PENDING',
      }),
    ).toEqual({
      id: 't-1',
      name: null,
      assignee: null,
      owner: 'ada',
      created: '2030-06-01T08:00:00.000+0000',
      lastUpdated: null,
      due: '2030-07-01T12:00:00.000+0000',
      followUp: null,
      delegationState: 'PENDING',
      description: null,
      executionId: 'ei-1',
      parentTaskId: null,
      priority: 50,
      processDefinitionId: 'approval:1',
      processInstanceId: 'pi-1',
      taskDefinitionKey: 'approve',
      caseExecutionId: null,
      caseInstanceId: null,
      caseDefinitionId: null,
      suspended: false,
      formKey: null,
      camundaFormRef: null,
      tenantId: null,
    });
  });
});
