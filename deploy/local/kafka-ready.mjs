// Readiness probe used by `deploy/local/kafka start`: exits 0 when the broker at argv[2] (host:port) answers a
// metadata request, 1 otherwise. A port that accepts connections is not yet a broker that serves clients, so the
// script asks the question a client asks. It needs kafkajs (the repository's node_modules, after `npm ci`); the
// script falls back to the broker's own "Kafka Server started" line when this probe cannot load it (exit 2).
let Kafka;
let logLevel;
try {
  ({ Kafka, logLevel } = await import('kafkajs'));
} catch {
  process.exit(2);
}

const broker = process.argv[2] ?? '127.0.0.1:9092';
const kafka = new Kafka({
  clientId: 'trellis-local-kafka-ready',
  brokers: [broker],
  connectionTimeout: 1000,
  requestTimeout: 2000,
  retry: { retries: 0 },
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
let ready = false;
try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  await admin.listTopics();
  ready = cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
} catch {
  ready = false;
} finally {
  await admin.disconnect().catch(() => undefined);
}
process.exit(ready ? 0 : 1);
