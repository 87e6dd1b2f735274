/**
 * What both adapters do with received messages: validate them, call the handler (or the batch handler), retry,
 * dead-letter. The adapters only differ in where messages come from and how offsets are committed: they commit a
 * message's offset when `deliver` returns `handled` or `dead-lettered` (or `deliverBatch` reports it settled), never
 * when it returns `abandoned`.
 */
import { type DeadLetterEnvelope, type DeadLetterReason, type Problem, type Validated, deadLetterMessageOf, describeProblems } from '@trellis/contracts';
import { type HandlerRetryPolicy, retryDelay, sleepUnlessAborted } from './handler-retry-policy.js';
import { type BatchHandler, type MessageHandler, type OutgoingMessage, type ReceivedMessage, isNonRetriable } from './message-bus.port.js';
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
  /** Kafka: false once the partition is no longer this member's (a rebalance): the rest of a batch is left to the group. */
  readonly owned?: () => boolean;
}

export async function deliver<T>(message: ReceivedMessage, context: DeliveryContext<T>): Promise<DeliveryOutcome> {
  const decoded = decodeSafely(message, context.decode);
  if (!decoded.ok) return deadLetterInvalid(message, decoded.problems, context);
  return handle(decoded.value, message, context);
}

/**
 * Delivers consecutive messages of one partition, in partition order, through the batch handler: invalid ones are
 * dead-lettered first and left out, the others go to `batchHandler` in one call. When that call throws, the same
 * messages go to the handler one at a time (`deliver`'s retries and dead letters), so that only a message at fault is
 * dead-lettered. `settled` is called, in partition order, for every message handled or dead-lettered, as soon as the
 * messages before it are too: the adapter commits up to there. Returns `abandoned` when the member stopped before
 * every message settled (the rest is delivered again to the group).
 */
export async function deliverBatch<T>(
  messages: readonly ReceivedMessage[],
  batchHandler: BatchHandler<T>,
  context: DeliveryContext<T>,
  settled: (message: ReceivedMessage) => void,
): Promise<'done' | 'abandoned'> {
  const done = messages.map(() => false);
  let next = 0;
  const settle = (index: number): void => {
    done[index] = true;
    for (; next < messages.length && done[next]; next++) settled(messages[next] as ReceivedMessage);
  };
  const items: { readonly index: number; readonly body: T; readonly message: ReceivedMessage }[] = [];
  for (const [index, message] of messages.entries()) {
    const decoded = decodeSafely(message, context.decode);
    if (decoded.ok) {
      items.push({ index, body: decoded.value, message });
    } else {
      if ((await deadLetterInvalid(message, decoded.problems, context)) === 'abandoned') return 'abandoned';
      settle(index);
    }
  }
  if (items.length === 0) return 'done';
  try {
    await batchHandler(items.map(({ body, message }) => ({ body, message })));
    for (const { index } of items) settle(index);
    return 'done';
  } catch (error) {
    if (context.signal.aborted) return 'abandoned';
    const [first, last] = [items[0] as (typeof items)[number], items[items.length - 1] as (typeof items)[number]];
    context.logger.warn(
      `Batch handler of group ${context.groupId} failed on ${where(first.message)}..${last.message.offset} (${items.length} messages), handing them to the handler one at a time: ${messageOf(error)}`,
      { ...coordinates(first.message, context.groupId), lastOffset: last.message.offset, messages: items.length, error: messageOf(error) },
    );
  }
  for (const { index, body, message } of items) {
    if (context.signal.aborted || context.owned?.() === false) return 'abandoned';
    if ((await handle(body, message, context)) === 'abandoned') return 'abandoned';
    settle(index);
    await context.heartbeat?.();
  }
  return 'done';
}

function deadLetterInvalid<T>(message: ReceivedMessage, problems: readonly Problem[], context: DeliveryContext<T>): Promise<DeliveryOutcome> {
  return deadLetter(message, context, { reason: 'invalid-message', error: describeProblems(problems), problems, attempts: 0 });
}

/** Calls the handler on a decoded message, with retries; dead-letters it when it is rejected or retries run out. */
async function handle<T>(body: T, message: ReceivedMessage, context: DeliveryContext<T>): Promise<DeliveryOutcome> {
  let failures = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      await context.handler(body, message);
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
