import { describe, expect, it } from '@jest/globals';
import { decodeEventEnvelope, eventEnvelopeOf, eventMessageOf, validateEventEnvelope } from './event-envelope.js';
import { HEADERS } from './headers.js';
import { TOPICS, eventTopicOfStream } from './topics.js';

const recorded = {
  id: 'e-1',
  type: 'ProcessInstanceCreated',
  streamId: 'process-instance-pi-42',
  revision: 0,
  position: 17,
  recordedAt: '2024-05-01T12:00:00.000Z',
  data: { processInstanceId: 'pi-42', variables: { amount: 120 } },
  metadata: { schemaVersion: 2, processDefinitionId: 'order:1' },
};

describe('event envelope', () => {
  it('wraps a recorded process-instance event, keyed by the instance id, with its headers', () => {
    const envelope = eventEnvelopeOf(recorded);
    const message = eventMessageOf(envelope);

    expect(envelope).toEqual({
      eventId: 'e-1',
      type: 'ProcessInstanceCreated',
      schemaVersion: 2,
      streamId: 'process-instance-pi-42',
      revision: 0,
      position: 17,
      processInstanceId: 'pi-42',
      recordedAt: '2024-05-01T12:00:00.000Z',
      data: { processInstanceId: 'pi-42', variables: { amount: 120 } },
      metadata: { schemaVersion: 2, processDefinitionId: 'order:1' },
    });
    expect(message.key).toBe('pi-42');
    expect(message.headers).toEqual({
      [HEADERS.eventId]: 'e-1',
      [HEADERS.type]: 'ProcessInstanceCreated',
      [HEADERS.schemaVersion]: '2',
      [HEADERS.contentType]: 'application/json',
    });
    expect(decodeEventEnvelope(message.value)).toEqual({ ok: true, value: envelope });
    expect(eventTopicOfStream(envelope.streamId)).toBe(TOPICS.processInstanceEvents);
  });

  it('keys events of other streams by stream id, without a process-instance id, at schema version 1 when none was recorded', () => {
    const envelope = eventEnvelopeOf({ ...recorded, streamId: 'deployments', metadata: null });

    expect(envelope.processInstanceId).toBeUndefined();
    expect(envelope.schemaVersion).toBe(1);
    expect(eventMessageOf(envelope).key).toBe('deployments');
    expect(decodeEventEnvelope(eventMessageOf(envelope).value)).toEqual({ ok: true, value: envelope });
    expect(eventTopicOfStream('deployments')).toBe(TOPICS.deployments);
    expect(eventTopicOfStream('process-instance-')).toBeUndefined();
    expect(eventTopicOfStream('timers')).toBeUndefined();
  });

  it('decodes UTF-8 bytes as well as text', () => {
    const value = eventMessageOf(eventEnvelopeOf({ ...recorded, data: { note: 'ünïcødé ✓' } })).value;

    const decoded = decodeEventEnvelope(new TextEncoder().encode(value));

    expect(decoded.ok && decoded.value.data).toEqual({ note: 'ünïcødé ✓' });
  });

  it('names every broken field at once', () => {
    const result = validateEventEnvelope({
      eventId: '',
      type: 'ElementActivated',
      schemaVersion: 0,
      streamId: 'process-instance-pi-1',
      revision: -1,
      position: 1.5,
      recordedAt: 'yesterday',
      metadata: null,
    });

    expect(result).toEqual({
      ok: false,
      problems: [
        { path: 'eventId', message: 'must be a non-empty string' },
        { path: 'schemaVersion', message: 'must be an integer, 1 or more' },
        { path: 'revision', message: 'must be an integer, 0 or more' },
        { path: 'position', message: 'must be an integer, 1 or more' },
        { path: 'recordedAt', message: expect.stringContaining('ISO 8601') },
        { path: 'data', message: 'is required' },
      ],
    });
  });

  it('refuses a process-instance id that is not the one in the stream id', () => {
    const envelope = eventEnvelopeOf(recorded);

    expect(validateEventEnvelope({ ...envelope, processInstanceId: 'pi-43' })).toEqual({
      ok: false,
      problems: [{ path: 'processInstanceId', message: "must be 'pi-42', the id in streamId 'process-instance-pi-42'" }],
    });
    expect(validateEventEnvelope({ ...envelope, processInstanceId: undefined })).toMatchObject({ ok: false, problems: [{ path: 'processInstanceId' }] });
  });

  it('reports a value that is not JSON, not an object, or missing, as a problem of the whole message', () => {
    expect(decodeEventEnvelope('{"eventId": ')).toEqual({ ok: false, problems: [{ path: '(message)', message: expect.stringMatching(/^is not JSON/) }] });
    expect(decodeEventEnvelope('[1, 2]')).toEqual({ ok: false, problems: [{ path: '(message)', message: 'must be a JSON object' }] });
    expect(decodeEventEnvelope(null)).toEqual({ ok: false, problems: [{ path: '(message)', message: 'has no value (a tombstone)' }] });
    expect(decodeEventEnvelope(new Uint8Array([0xff, 0xfe]))).toEqual({ ok: false, problems: [{ path: '(message)', message: 'is not UTF-8 text' }] });
  });

  it('ignores fields it does not know, so a producer may add some within a version', () => {
    const envelope = eventEnvelopeOf(recorded);

    const decoded = decodeEventEnvelope(JSON.stringify({ ...envelope, tenantId: 'acme' }));

    expect(decoded).toEqual({ ok: true, value: envelope });
  });

  it('refuses data that is not JSON when validating an object built in memory', () => {
    const envelope = eventEnvelopeOf(recorded);

    expect(validateEventEnvelope({ ...envelope, data: { when: new Date(0) } })).toEqual({ ok: false, problems: [{ path: 'data', message: 'must be a JSON value' }] });
    expect(validateEventEnvelope({ ...envelope, data: Number.NaN })).toEqual({ ok: false, problems: [{ path: 'data', message: 'must be a JSON value' }] });
  });
});
