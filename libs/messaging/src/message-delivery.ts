/**
 * What both adapters do with one received message: validate it, call the handler, retry, dead-letter. The adapters
 * only differ in where messages come from and how offsets are committed: they commit a message's offset when this
 * returns `handled` or `dead-lettered`, never when it returns `abandoned`.
 */
import { type DeadLetterEnvelope, type DeadLetterReason, type Problem, type Validated, deadLetterMessageOf, describeProblems } from '@trellis/contracts';
import { type HandlerRetryPolicy, retryDelay, sleepUnlessAborted } from './handler-retry-policy.js';
import { type MessageHandler, type OutgoingMessage, type ReceivedMessage, isNonRetriable } from './message-bus.port.js';
import type { MessagingLogger } from './messaging-logger.js';

export type DeliveryOutcome = 'handled' | 'dead-lettered' | 'abandoned';

export interface DeliveryContext<T> {
  readonly groupId: string;
  readonly decode: (message: ReceivedMessage) => Validated<T>;
  readonly handler: MessageHandler<T>;
  readonly deadLetterTopic: string;
  readonly retry: HandlerRetryPolicy;
  readonly logger: MessagingLogger;
  readonly publish: (topic: string, messages: readonly OutgoingMessage[]) => Promise<void>;
  readonly now: () => Date;
  /** Aborted when the member stops (close, partition revoked): waiting retries give up, the message is abandoned. */
  readonly signal: AbortSignal;
  /** Kafka: keeps the member in its group while a message is retried. May throw (a rebalance): that propagates. */
  readonly heartbeat?: () => Promise<void>;
}

export async function deliver<T>(message: ReceivedMessage, context: DeliveryContext<T>): Promise<DeliveryOutcome> {
  const decoded = decodeSafely(message, context.decode);
  if (!decoded.ok) {
    return deadLetter(message, context, { reason: 'invalid-message', error: describeProblems(decoded.problems), problems: decoded.problems, attempts: 0 });
  }
  let failures = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      await context.handler(decoded.value, message);
      return 'handled';
    } catch (error) {
      if (isNonRetriable(error)) return deadLetter(message, context, { reason: 'rejected', error: messageOf(error), attempts: attempt });
      const transient = context.retry.isTransient(error);
      if (!transient) failures++;
      if (failures >= context.retry.maxAttempts) {
        return deadLetter(message, context, { reason: 'retries-exhausted', error: messageOf(error), attempts: attempt });
      }
      if (context.signal.aborted) return 'abandoned';
      const delayMs = retryDelay(attempt, context.retry);
      context.logger.warn(
        `Handler of group ${context.groupId} failed on ${where(message)} (attempt ${attempt}${transient ? ', transient' : ` of ${context.retry.maxAttempts}`}), retrying in ${delayMs} ms: ${messageOf(error)}`,
        { ...coordinates(message, context.groupId), attempt, transient, delayMs, error: messageOf(error) },
      );
      if (!(await sleepUnlessAborted(delayMs, context.signal))) return 'abandoned';
      await context.heartbeat?.();
    }
  }
}

function decodeSafely<T>(message: ReceivedMessage, decode: (message: ReceivedMessage) => Validated<T>): Validated<T> {
  try {
    return decode(message);
  } catch (error) {
    return { ok: false, problems: [{ path: '(message)', message: `could not be decoded: ${messageOf(error)}` }] };
  }
}

interface Failure {
  readonly reason: DeadLetterReason;
  readonly error: string;
  readonly problems?: readonly Problem[];
  readonly attempts: number;
}

/** Publishes the dead letter, retrying until the bus takes it: the offset moves on only once it is safely elsewhere. */
async function deadLetter<T>(message: ReceivedMessage, context: DeliveryContext<T>, failure: Failure): Promise<DeliveryOutcome> {
  const { value, valueEncoding } = valueAsText(message.value);
  const envelope: DeadLetterEnvelope = {
    reason: failure.reason,
    error: failure.error,
    ...(failure.problems === undefined ? {} : { problems: failure.problems }),
    attempts: failure.attempts,
    originalTopic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key,
    value,
    valueEncoding,
    headers: message.headers,
    consumerGroup: context.groupId,
    failedAt: context.now().toISOString(),
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await context.publish(context.deadLetterTopic, [deadLetterMessageOf(envelope)]);
      context.logger.warn(`Dead-lettered ${where(message)} to ${context.deadLetterTopic} (${failure.reason}): ${failure.error}`, {
        ...coordinates(message, context.groupId),
        reason: failure.reason,
        attempts: failure.attempts,
        error: failure.error,
      });
      return 'dead-lettered';
    } catch (error) {
      if (context.signal.aborted) return 'abandoned';
      const delayMs = retryDelay(attempt, context.retry);
      context.logger.error(
        `Cannot publish the dead letter of ${where(message)} to ${context.deadLetterTopic} (attempt ${attempt}), retrying in ${delayMs} ms: ${messageOf(error)}`,
        { ...coordinates(message, context.groupId), attempt, delayMs, error: messageOf(error) },
      );
      if (!(await sleepUnlessAborted(delayMs, context.signal))) return 'abandoned';
      await context.heartbeat?.();
    }
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function valueAsText(value: Buffer | null): { value: string | null; valueEncoding: 'utf8' | 'base64' } {
  if (value === null) return { value: null, valueEncoding: 'utf8' };
  try {
    return { value: strictUtf8.decode(value), valueEncoding: 'utf8' };
  } catch {
    return { value: value.toString('base64'), valueEncoding: 'base64' };
  }
}

function where(message: ReceivedMessage): string {
  return `${message.topic}[${message.partition}]@${message.offset}`;
}

function coordinates(message: ReceivedMessage, groupId: string): Record<string, unknown> {
  return { topic: message.topic, partition: message.partition, offset: message.offset, key: message.key, groupId };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
