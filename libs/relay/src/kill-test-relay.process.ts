/**
 * A relay in a process of its own, for event-relay-kill.int.spec.ts: the durable parts a real relay has (the embedded
 * event store in a directory, Kafka, its checkpoint in Postgres), killed by the test at random moments.
 * Run: node --import ./tools/register.mjs libs/relay/src/kill-test-relay.process.ts <directory> <run> <schema> <batch size>
 * Prints `ready`, then `checkpoint <position>` at every checkpoint saved; on SIGTERM stops gracefully, prints
 * `stopped <checkpoint>` and exits 0.
 */
import { EmbeddedEventStore } from '@trellis/event-store';
import { KafkaMessageBus, type MessagingLogger } from '@trellis/messaging';
import { EventRelay } from './event-relay.js';
import { PostgresRelayCheckpointStore } from './postgres-relay-checkpoint-store.js';

const [directory, run, schema, batchSize] = process.argv.slice(2);
if (directory === undefined || run === undefined || schema === undefined || batchSize === undefined) {
  process.stderr.write('usage: kill-test-relay.process.ts <directory> <run> <schema> <batch size>\n');
  process.exit(2);
}

const stderr: MessagingLogger = {
  info: () => undefined,
  warn: (message) => process.stderr.write(`warn: ${message}\n`),
  error: (message) => process.stderr.write(`error: ${message}\n`),
};
const brokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const url = process.env['TRELLIS_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const store = await EmbeddedEventStore.open(directory);
const bus = await KafkaMessageBus.connect({ brokers, clientId: `trellis-relay-kill-test-${run}`, retries: 3, logger: stderr });
const checkpoints = await PostgresRelayCheckpointStore.connect({ url, schema, poolMax: 2 });
const relay = new EventRelay({
  store,
  bus,
  checkpoints,
  name: `kill-test-${run}`,
  batchSize: Number(batchSize),
  topicName: (topic) => `trellis-test.${run}.${topic}`,
  logger: stderr,
  onCheckpoint: (position) => process.stdout.write(`checkpoint ${position}\n`),
});

process.once('SIGTERM', () => {
  void (async () => {
    await relay.stop();
    process.stdout.write(`stopped ${relay.status().checkpoint ?? 0}\n`);
    await bus.close();
    await checkpoints.close();
    await store.close();
    process.exit(0);
  })();
});

process.stdout.write('ready\n');
relay.start();
