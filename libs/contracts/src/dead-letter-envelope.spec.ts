import { describe, expect, it } from '@jest/globals';
import { type DeadLetterEnvelope, deadLetterMessageOf, decodeDeadLetterEnvelope } from './dead-letter-envelope.js';
import { HEADERS } from './headers.js';

const deadLetter: DeadLetterEnvelope = {
  reason: 'invalid-message',
  error: 'eventId: is required',
  problems: [{ path: 'eventId', message: 'is required' }],
  attempts: 0,
  originalTopic: 'trellis.process-instance-events.v1',
  partition: 3,
  offset: '9007199254740993',
  key: 'pi-42',
  value: '{"type":"ElementActivated"}',
  valueEncoding: 'utf8',
  headers: { [HEADERS.type]: 'ElementActivated' },
  consumerGroup: 'history',
  failedAt: '2024-05-01T12:00:00.000Z',
};

describe('dead-letter envelope', () => {
  it('keeps the original key and headers and says why in its own headers', () => {
    const message = deadLetterMessageOf(deadLetter);

    expect(message.key).toBe('pi-42');
    expect(message.headers).toEqual({
      [HEADERS.type]: 'ElementActivated',
      [HEADERS.deadLetterReason]: 'invalid-message',
      [HEADERS.originalTopic]: 'trellis.process-instance-events.v1',
      [HEADERS.contentType]: 'application/json',
    });
    expect(decodeDeadLetterEnvelope(message.value)).toEqual({ ok: true, value: deadLetter });
  });

  it('carries 64-bit offsets as text', () => {
    const decoded = decodeDeadLetterEnvelope(deadLetterMessageOf(deadLetter).value);

    expect(decoded.ok && decoded.value.offset).toBe('9007199254740993');
  });

  it('names every broken field', () => {
    const result = decodeDeadLetterEnvelope(
      JSON.stringify({ ...deadLetter, reason: 'bored', offset: -1, problems: [{ path: 1 }], headers: { n: 1 }, failedAt: undefined }),
    );

    expect(result).toEqual({
      ok: false,
      problems: [
        { path: 'reason', message: "must be one of 'invalid-message', 'rejected', 'retries-exhausted'" },
        { path: 'problems', message: '[0] must be { path: string, message: string }' },
        { path: 'offset', message: 'must be a decimal integer as text, 0 or more' },
        { path: 'headers', message: 'must be an object of strings' },
        { path: 'failedAt', message: 'is required' },
      ],
    });
  });
});
