import {
  type DeadLetterEnvelope,
  type EventEnvelope,
  type Validated,
  decodeDeadLetterEnvelope,
  decodeEventEnvelope,
  parseJsonValue,
} from '@trellis/contracts';
import type { Decoder, ReceivedMessage } from './message-bus.port.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The value as UTF-8 text (null for a tombstone); bytes that are not UTF-8 are invalid. */
export const asText: Decoder<string | null> = (message) => {
  if (message.value === null) return { ok: true, value: null };
  try {
    return { ok: true, value: strictUtf8.decode(message.value) };
  } catch {
    return { ok: false, problems: [{ path: '(message)', message: 'is not UTF-8 text' }] };
  }
};

/** An `EventEnvelope` (topics `trellis.process-instance-events.v1`, `trellis.deployments.v1`). */
export const asEventEnvelope: Decoder<EventEnvelope> = (message) => decodeEventEnvelope(message.value);

/** A `DeadLetterEnvelope` (topic `trellis.dead-letter.v1`). */
export const asDeadLetterEnvelope: Decoder<DeadLetterEnvelope> = (message) => decodeDeadLetterEnvelope(message.value);

/** JSON checked by a validator of your own (one of @trellis/contracts', or one built with its `checkObject`). */
export function asJson<T>(validate: (value: unknown) => Validated<T>): Decoder<T> {
  return (message: ReceivedMessage) => {
    const parsed = parseJsonValue(message.value);
    return parsed.ok ? validate(parsed.value) : parsed;
  };
}
