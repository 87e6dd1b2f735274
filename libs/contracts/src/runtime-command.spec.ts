import { describe, expect, it } from '@jest/globals';

import { HEADERS } from './headers.js';
import {
  type RuntimeCommandMessage,
  type RuntimeCommandResult,
  decodeRuntimeCommand,
  decodeRuntimeCommandResult,
  runtimeCommandMessageOf,
  runtimeCommandResultMessageOf,
} from './runtime-command.js';

const header = { commandId: 'c-1', processInstanceId: 'pi-1', issuedBy: 'task-service', issuedAt: '2026-12-04T10:00:00.000Z' };

describe('runtime commands on the wire', () => {
  it('round-trips every command type, keyed by process instance', () => {
    const commands: RuntimeCommandMessage[] = [
      { ...header, type: 'StartProcessInstance', processId: 'order', businessKey: 'o-7', variables: { amount: 3 } },
      { ...header, type: 'CompleteJob', jobId: 'j-1', variables: { ok: true } },
      { ...header, type: 'CompleteJob', jobId: 'j-2', result: { denied: true, deniedReason: 'four eyes', corrections: { assignee: 'bob' } } },
      { ...header, type: 'FailJob', jobId: 'j-1', retries: 0, errorMessage: 'decision engine not available' },
      { ...header, type: 'ThrowError', jobId: 'j-1', errorCode: 'CARD_DECLINED', errorMessage: 'insufficient funds', variables: { card: 'visa' } },
      { ...header, type: 'CompleteUserTask', userTaskId: 'u-1' },
      { ...header, type: 'SetVariables', variables: { a: [1, 2] }, local: true, scopeInstanceId: 'e-1' },
      { ...header, type: 'ResolveIncident', incidentId: 'i-1', retries: 2 },
      { ...header, type: 'CancelProcessInstance' },
      { ...header, type: 'ActivateAdHocActivities', adHocSubProcessInstanceId: 'e-7', elements: [{ elementId: 'call-customer' }, { elementId: 'call-customer' }] },
    ];
    for (const command of commands) {
      const message = runtimeCommandMessageOf(command);

      expect(message.key).toBe('pi-1');
      expect(message.headers[HEADERS.commandId]).toBe('c-1');
      expect(decodeRuntimeCommand(message.value)).toEqual({ ok: true, value: command });
    }
  });

  it('drops fields the schema does not name, so no unknown field reaches the runtime', () => {
    const decoded = decodeRuntimeCommand(JSON.stringify({ ...header, type: 'CancelProcessInstance', jobId: 'j-9', sneaky: 1 }));

    expect(decoded).toEqual({ ok: true, value: { ...header, type: 'CancelProcessInstance' } });
  });

  it('names every broken field of a malformed command', () => {
    const decoded = decodeRuntimeCommand(JSON.stringify({ type: 'FailJob', commandId: '', processInstanceId: 'pi-1', issuedAt: 'yesterday', retries: -1 }));

    expect(decoded).toEqual({
      ok: false,
      problems: [
        { path: 'commandId', message: 'must be a non-empty string' },
        { path: 'issuedBy', message: 'is required' },
        { path: 'issuedAt', message: 'must be an ISO 8601 timestamp with a time zone, e.g. 2024-05-01T12:00:00.000Z' },
        { path: 'jobId', message: 'is required' },
        { path: 'retries', message: 'must be an integer, 0 or more' },
      ],
    });
  });

  it('refuses a ThrowError without a job or an error code', () => {
    expect(decodeRuntimeCommand(JSON.stringify({ ...header, type: 'ThrowError', errorCode: '', errorMessage: 3 }))).toEqual({
      ok: false,
      problems: [
        { path: 'jobId', message: 'is required' },
        { path: 'errorCode', message: 'must be a non-empty string' },
        { path: 'errorMessage', message: expect.stringContaining('string') },
      ],
    });
  });

  it('refuses an ActivateAdHocActivities without its sub-process instance, or with no elements or a broken one, naming each', () => {
    expect(decodeRuntimeCommand(JSON.stringify({ ...header, type: 'ActivateAdHocActivities', elements: [] }))).toEqual({
      ok: false,
      problems: [
        { path: 'adHocSubProcessInstanceId', message: 'is required' },
        { path: 'elements', message: expect.stringContaining('must be a list of 1 to 1000 elements') },
      ],
    });
    const broken = { ...header, type: 'ActivateAdHocActivities', adHocSubProcessInstanceId: 'e-7', elements: [{ elementId: 'a' }, { elementId: '' }, 'b'] };
    expect(decodeRuntimeCommand(JSON.stringify(broken))).toEqual({
      ok: false,
      problems: [
        { path: 'elements[1].elementId', message: 'must be a non-empty string' },
        { path: 'elements[2]', message: 'must be a JSON object' },
      ],
    });
    const tooMany = { ...header, type: 'ActivateAdHocActivities', adHocSubProcessInstanceId: 'e-7', elements: Array.from({ length: 1001 }, () => ({ elementId: 'a' })) };
    expect(decodeRuntimeCommand(JSON.stringify(tooMany))).toMatchObject({ ok: false, problems: [{ path: 'elements' }] });
  });

  it('keeps only the elementId of each ad-hoc element: per-element fields it does not know never reach the runtime', () => {
    const decoded = decodeRuntimeCommand(
      JSON.stringify({ ...header, type: 'ActivateAdHocActivities', adHocSubProcessInstanceId: 'e-7', elements: [{ elementId: 'a', variables: { x: 1 } }] }),
    );
    expect(decoded).toEqual({ ok: true, value: { ...header, type: 'ActivateAdHocActivities', adHocSubProcessInstanceId: 'e-7', elements: [{ elementId: 'a' }] } });
  });

  it('refuses an unknown command type and a start naming both or neither definition', () => {
    expect(decodeRuntimeCommand(JSON.stringify({ ...header, type: 'CorrelateMessage' }))).toMatchObject({
      ok: false,
      problems: [{ path: 'type', message: expect.stringContaining("must be one of 'StartProcessInstance'") }],
    });
    expect(decodeRuntimeCommand(JSON.stringify({ ...header, type: 'StartProcessInstance' }))).toEqual({
      ok: false,
      problems: [{ path: 'processId', message: 'exactly one of processId and processDefinitionId must be given' }],
    });
    expect(decodeRuntimeCommand(JSON.stringify({ ...header, type: 'SetVariables', variables: [1] }))).toEqual({
      ok: false,
      problems: [{ path: 'variables', message: 'must be a JSON object' }],
    });
  });

  it('results say accepted or rejected with a reason a program can act on', () => {
    const accepted: RuntimeCommandResult = { commandId: 'c-1', commandType: 'CompleteUserTask', processInstanceId: 'pi-1', outcome: 'accepted', revision: 12, handledAt: header.issuedAt };
    const rejected: RuntimeCommandResult = {
      commandId: 'c-2',
      commandType: 'CompleteJob',
      processInstanceId: 'pi-1',
      outcome: 'rejected',
      rejection: 'not-found',
      detail: 'No open job with id j-1',
      handledAt: header.issuedAt,
    };

    expect(decodeRuntimeCommandResult(runtimeCommandResultMessageOf(accepted).value)).toEqual({ ok: true, value: accepted });
    expect(decodeRuntimeCommandResult(runtimeCommandResultMessageOf(rejected).value)).toEqual({ ok: true, value: rejected });
    expect(decodeRuntimeCommandResult(JSON.stringify({ ...rejected, rejection: undefined }))).toEqual({
      ok: false,
      problems: [{ path: 'rejection', message: 'is required when outcome is rejected' }],
    });
  });
});
