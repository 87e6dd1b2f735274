import { describe, expect, it } from '@jest/globals';
import type { LockedExternalTaskView } from '@trellis/runtime';

import { externalTaskDtoOf, lockedExternalTaskDtoOf } from './external-task-dtos.js';

const locked: LockedExternalTaskView = {
  id: 'task-1',
  topicName: 'payment',
  workerId: 'worker-1',
  lockExpirationTime: '2026-03-01T08:01:00.000Z',
  retries: 2,
  errorMessage: 'Card service unreachable',
  processInstanceId: 'instance-1',
  processDefinitionId: 'payment:3',
  processId: 'payment',
  elementId: 'charge',
  elementInstanceId: 'element-1',
  priority: -5,
  customHeaders: { region: 'eu' },
  createdAt: '2026-03-01T08:00:00.000Z',
  variables: { amount: 42, approved: true, card: { last4: '4242' }, note: null },
};

describe('Camunda 7 external task DTOs', () => {
  it('shapes a locked task as Camunda’s LockedExternalTaskDto: ids, dates at +0000, typed variables, null where Trellis has none', () => {
    expect(lockedExternalTaskDtoOf(locked, 'ECONNREFUSED', false)).toEqual({
      activityId: 'charge',
      activityInstanceId: 'charge:element-1',
      errorMessage: 'Card service unreachable',
      errorDetails: 'ECONNREFUSED',
      executionId: 'element-1',
      id: 'task-1',
      lockExpirationTime: '2026-03-01T08:01:00.000+0000',
      createTime: '2026-03-01T08:00:00.000+0000',
      processDefinitionId: 'payment:3',
      processDefinitionKey: 'payment',
      processDefinitionVersionTag: null,
      processInstanceId: 'instance-1',
      retries: 2,
      workerId: 'worker-1',
      topicName: 'payment',
      tenantId: null,
      variables: {
        amount: { type: 'Integer', value: 42, valueInfo: {} },
        approved: { type: 'Boolean', value: true, valueInfo: {} },
        card: { type: 'Json', value: '{"last4":"4242"}', valueInfo: {} },
        note: { type: 'Null', value: null, valueInfo: {} },
      },
      priority: -5,
      businessKey: null,
      extensionProperties: {},
    });
  });

  it('gives the task’s headers as extension properties only when the topic asked for them', () => {
    expect(lockedExternalTaskDtoOf(locked, undefined, true)).toEqual(expect.objectContaining({ extensionProperties: { region: 'eu' }, errorDetails: null }));
  });

  it('shapes an unlocked task as Camunda’s ExternalTaskDto: no worker, no lock expiration, never suspended', () => {
    const { workerId: _worker, lockExpirationTime: _expiry, variables: _variables, ...unlocked } = locked;
    expect(externalTaskDtoOf({ ...unlocked, businessKey: 'order-1' })).toEqual(
      expect.objectContaining({ workerId: null, lockExpirationTime: null, suspended: false, businessKey: 'order-1', retries: 2, tenantId: null }),
    );
  });
});
