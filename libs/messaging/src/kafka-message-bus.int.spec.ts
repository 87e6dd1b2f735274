// Runs the message bus contract against the Kafka broker at TRELLIS_KAFKA_BROKERS (default 127.0.0.1:9092), which
// `deploy/local/kafka start` provides (Jest's global setup starts it when none answers).
import { describe, expect, it } from '@jest/globals';
import { KafkaMessageBus, type KafkaMessageBusOptions } from './kafka-message-bus.js';
import type { MessagingLogger } from './messaging-logger.js';
import { RecordingLogger, messageBusContract } from './testing.js';

const brokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());

async function connect(logger: MessagingLogger, options: Partial<KafkaMessageBusOptions> = {}): Promise<KafkaMessageBus> {
  try {
    return await KafkaMessageBus.connect({ brokers, clientId: 'trellis-messaging-test', retries: 3, logger, ...options });
  } catch (error) {
    throw new Error(
      `Kafka is not reachable at ${brokers.join(',')} (${error instanceof Error ? error.message : String(error)}): ` +
        'start the local broker with `deploy/local/kafka start`, or set TRELLIS_KAFKA_BROKERS to a running one.',
    );
  }
}

messageBusContract('kafka', (logger) => connect(logger), {
  deliveryDeadlineMs: 30_000,
  destroy: async (bus, used) => {
    const kafka = bus as KafkaMessageBus;
    try {
      await kafka.deleteGroups(used.groups);
      await kafka.deleteTopics(used.topics);
    } finally {
      await kafka.close();
    }
  },
});

describe('kafka message bus', () => {
  it('fails to connect, saying where it looked, when no broker answers', async () => {
    const logger = new RecordingLogger();

    const connecting = KafkaMessageBus.connect({ brokers: ['127.0.0.1:1'], retries: 1, connectionTimeoutMs: 500, logger, kafkaLogLevel: 'nothing' });

    await expect(connecting).rejects.toThrow(/127\.0\.0\.1:1|ECONNREFUSED|Connection/);
  });
});
