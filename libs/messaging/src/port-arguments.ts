/** Checks of the port's arguments, shared by the adapters: a programming error fails the call, the same way in both. */
import { TOPICS } from '@trellis/contracts';

/** Most messages in one `batchHandler` call when the subscription does not say. */
export const DEFAULT_MAX_BATCH_SIZE = 500;
import type { OutgoingMessage, SubscribeOptions, TopicSpec } from './message-bus.port.js';

export function topicsOf(topics: string | readonly string[]): string[] {
  return typeof topics === 'string' ? [topics] : [...new Set(topics)];
}

function checkTopicName(topic: unknown, what = 'topic'): void {
  if (typeof topic !== 'string' || topic.length === 0) throw new TypeError(`${what} must be a non-empty string`);
}

export function checkPublish(topic: string, messages: readonly OutgoingMessage[]): void {
  checkTopicName(topic);
  if (!Array.isArray(messages)) throw new TypeError('messages must be an array');
  messages.forEach((message, index) => {
    if (message.key !== null && typeof message.key !== 'string') throw new TypeError(`messages[${index}].key must be a string or null`);
    if (message.value !== null && typeof message.value !== 'string' && !Buffer.isBuffer(message.value)) {
      throw new TypeError(`messages[${index}].value must be a string, a Buffer or null`);
    }
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      if (typeof value !== 'string') throw new TypeError(`messages[${index}].headers.${name} must be a string`);
    }
  });
}

export function checkSubscribe<T>(options: SubscribeOptions<T>): void {
  const topics = topicsOf(options.topics);
  if (topics.length === 0) throw new TypeError('topics must name at least one topic');
  for (const topic of topics) checkTopicName(topic);
  if (typeof options.groupId !== 'string' || options.groupId.length === 0) throw new TypeError('groupId must be a non-empty string');
  if (typeof options.decode !== 'function') throw new TypeError('decode must be a function');
  if (typeof options.handler !== 'function') throw new TypeError('handler must be a function');
  if (options.batchHandler !== undefined && typeof options.batchHandler !== 'function') throw new TypeError('batchHandler must be a function');
  if (options.maxBatchSize !== undefined && (!Number.isSafeInteger(options.maxBatchSize) || options.maxBatchSize < 1)) {
    throw new RangeError(`maxBatchSize must be a positive integer, got ${options.maxBatchSize}`);
  }
  if (options.deadLetterTopic !== undefined) checkTopicName(options.deadLetterTopic, 'deadLetterTopic');
  const deadLetterTopic = options.deadLetterTopic ?? TOPICS.deadLetter;
  if (topics.includes(deadLetterTopic)) {
    throw new TypeError(`The dead-letter topic ${deadLetterTopic} is one of the topics consumed: name another deadLetterTopic, or a dead letter could come back to its own consumer`);
  }
}

export function checkTopicSpecs(topics: readonly TopicSpec[]): void {
  for (const spec of topics) {
    checkTopicName(spec.topic);
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) throw new RangeError(`partitions of ${spec.topic} must be a positive integer`);
    if (spec.replicationFactor !== undefined && (!Number.isInteger(spec.replicationFactor) || spec.replicationFactor < 1)) {
      throw new RangeError(`replicationFactor of ${spec.topic} must be a positive integer`);
    }
  }
}
