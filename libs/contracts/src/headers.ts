/**
 * Kafka header names. Headers repeat a few envelope fields so that a consumer, a dead-letter tool or an operator with
 * a console can route or filter a message without parsing its value. The value stays the truth: validators check it,
 * not the headers.
 */
export const HEADERS = {
  /** The event's id (`EventEnvelope.eventId`): what idempotent consumers dedupe by. */
  eventId: 'trellis-event-id',
  /** On a runtime command and its result: the command's id (`RuntimeCommandMessage.commandId`). */
  commandId: 'trellis-command-id',
  /** The event's type (`ProcessInstanceCreated`...), the command's type, or `<command type>.<outcome>` on a result. */
  type: 'trellis-type',
  /** The version of the event type's data schema, as decimal text. */
  schemaVersion: 'trellis-schema-version',
  /** The media type of the value: `application/json` for every Trellis envelope. */
  contentType: 'content-type',
  /** On a dead letter: why it was dead-lettered (`DeadLetterReason`). */
  deadLetterReason: 'trellis-dead-letter-reason',
  /** On a dead letter: the topic the message was first published to. */
  originalTopic: 'trellis-original-topic',
} as const;

export const JSON_CONTENT_TYPE = 'application/json';

/** A message as it goes on the wire: what the messaging port's `publish` takes. */
export interface WireMessage {
  readonly key: string | null;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}
