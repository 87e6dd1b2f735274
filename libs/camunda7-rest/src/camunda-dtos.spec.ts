import { describe, expect, it } from '@jest/globals';
import type { IncidentView, ProcessInstanceView } from '@trellis/runtime';

import {
  deploymentWithDefinitionsDtoOf,
  historicProcessInstanceDtoOf,
  incidentDtoOf,
  incidentTypeOf,
  processDefinitionDtoOf,
  processInstanceDtoOf,
} from './camunda-dtos.js';

const instance: ProcessInstanceView = {
  id: 'pi-1',
  processDefinitionId: 'order:2',
  processId: 'order',
  version: 2,
  businessKey: 'order-42',
  state: 'COMPLETED',
  startedAt: '2026-01-02T10:00:00.000Z',
  endedAt: '2026-01-02T10:00:01.500Z',
  activeElementInstances: [],
  variables: { amount: 3, customer: 'ACME' },
  incidents: [],
  parentProcessInstanceId: 'pi-0',
  timers: [],
  messageSubscriptions: [],
  signalSubscriptions: [],
  asyncContinuations: [],
};

describe('Camunda 7 DTOs', () => {
  it('maps a process definition with Camunda\'s values for what Trellis has not', () => {
    expect(processDefinitionDtoOf({ id: 'order:2', processId: 'order', version: 2, resourceName: 'order.bpmn', deploymentId: 'd-1' })).toEqual({
      id: 'order:2',
      key: 'order',
      category: null,
      description: null,
      name: null,
      version: 2,
      resource: 'order.bpmn',
      deploymentId: 'd-1',
      diagram: null,
      suspended: false,
      tenantId: null,
      versionTag: null,
      historyTimeToLive: null,
      startableInTasklist: true,
    });
  });

  it('lists only the definitions a deployment introduced, and null when it introduced none', () => {
    const deployment = { id: 'd-2', name: 'order', deployedAt: '2026-01-02T10:00:00.000Z', resourceNames: ['order.bpmn', 'other.bpmn'] };
    const kept = { id: 'other:1', processId: 'other', version: 1, resourceName: 'other.bpmn', deploymentId: 'd-1' };
    const added = { id: 'order:2', processId: 'order', version: 2, resourceName: 'order.bpmn', deploymentId: 'd-2' };
    const dto = deploymentWithDefinitionsDtoOf(deployment, [kept, added], 'http://host/engine-rest', 'Camunda Modeler');
    expect(dto.links).toEqual([{ method: 'GET', href: 'http://host/engine-rest/deployment/d-2', rel: 'self' }]);
    expect(dto.deploymentTime).toBe('2026-01-02T10:00:00.000+0000');
    expect(dto.source).toBe('Camunda Modeler');
    expect(Object.keys(dto.deployedProcessDefinitions ?? {})).toEqual(['order:2']);
    expect(deploymentWithDefinitionsDtoOf(deployment, [kept], 'http://host/engine-rest', null).deployedProcessDefinitions).toBeNull();
  });

  it('maps a process instance, its link and its typed variables when asked', () => {
    expect(processInstanceDtoOf(instance, 'http://host/engine-rest', { variables: true })).toEqual({
      links: [{ method: 'GET', href: 'http://host/engine-rest/process-instance/pi-1', rel: 'self' }],
      id: 'pi-1',
      definitionId: 'order:2',
      businessKey: 'order-42',
      caseInstanceId: null,
      ended: true,
      suspended: false,
      tenantId: null,
      variables: { amount: { type: 'Integer', value: 3, valueInfo: {} }, customer: { type: 'String', value: 'ACME', valueInfo: {} } },
    });
    expect(processInstanceDtoOf({ ...instance, businessKey: undefined }, '', { links: false })).toEqual(expect.objectContaining({ links: [], businessKey: null }));
  });

  it('maps a historic process instance with its duration, parent and state', () => {
    expect(historicProcessInstanceDtoOf(instance, 'pi-0', 'Order')).toEqual(
      expect.objectContaining({
        id: 'pi-1',
        rootProcessInstanceId: 'pi-0',
        superProcessInstanceId: 'pi-0',
        processDefinitionName: 'Order',
        processDefinitionKey: 'order',
        processDefinitionVersion: 2,
        startTime: '2026-01-02T10:00:00.000+0000',
        endTime: '2026-01-02T10:00:01.500+0000',
        durationInMillis: 1500,
        deleteReason: null,
        state: 'COMPLETED',
      }),
    );
    const cancelled = historicProcessInstanceDtoOf({ ...instance, state: 'TERMINATED' }, 'pi-0', null);
    expect([cancelled.state, cancelled.deleteReason]).toEqual(['EXTERNALLY_TERMINATED', 'Cancelled']);
    const running = historicProcessInstanceDtoOf({ ...instance, state: 'ACTIVE', endedAt: undefined }, 'pi-1', null);
    expect([running.state, running.endTime, running.durationInMillis]).toEqual(['ACTIVE', null, null]);
  });

  it('names incident types as Camunda does', () => {
    expect(incidentTypeOf('JOB_NO_RETRIES')).toBe('failedJob');
    expect(incidentTypeOf('UNHANDLED_ERROR_EVENT')).toBe('unhandledErrorEvent');
    const incident: IncidentView = {
      id: 'i-1',
      type: 'EXPRESSION_ERROR',
      message: 'no variable x',
      elementId: 'gateway',
      elementInstanceId: 'ei-1',
      createdAt: '2026-01-02T10:00:00.000Z',
      processInstanceId: 'pi-1',
    };
    expect(incidentDtoOf(incident, 'order:2')).toEqual(
      expect.objectContaining({ incidentType: 'expressionError', executionId: 'ei-1', activityId: 'gateway', configuration: null, incidentTimestamp: '2026-01-02T10:00:00.000+0000' }),
    );
  });
});
