// Jest globalSetup: `npm test` on a fresh machine needs no manual step for Kafka. When no broker answers at the
// first address of TRELLIS_KAFKA_BROKERS (default 127.0.0.1:9092), it runs `deploy/local/kafka start` (idempotent:
// fetches Kafka once, then starts it in seconds) and leaves the broker running for the next runs.
// TRELLIS_TEST_NO_KAFKA=1 skips this: the suites that need Kafka then fail and say how to start it.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../deploy/local/kafka', import.meta.url));

/** "host:port", "[::1]:port" or "host" → { host, port }. */
function parseBroker(address) {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracketed) return { host: bracketed[1], port: Number(bracketed[2] ?? 9092) };
  const colon = address.lastIndexOf(':');
  if (colon < 0) return { host: address, port: 9092 };
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

function isLoopback(host) {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** One TCP connect, bounded: the whole cost of this setup when the broker is already up. */
function reachable(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export default async function globalSetup() {
  if (process.env.TRELLIS_TEST_NO_KAFKA === '1') return;
  const first = (process.env.TRELLIS_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0].trim();
  const { host, port } = parseBroker(first);
  if (await reachable(host, port)) return;

  if (!isLoopback(host)) {
    // A broker elsewhere is someone else's to start; a local one would not be the one the tests connect to.
    console.warn(`\nKafka is not reachable at ${host}:${port} (TRELLIS_KAFKA_BROKERS): the suites that need Kafka will fail.`);
    return;
  }

  console.log(`\nKafka is not reachable at ${host}:${port}: starting a local broker with deploy/local/kafka start`);
  const result = spawnSync('bash', [script, 'start'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, TRELLIS_KAFKA_HOST: host, TRELLIS_KAFKA_PORT: String(port) },
  });
  if (result.status === 0) {
    console.log(`Kafka is left running at ${host}:${port} for later runs; stop it with: deploy/local/kafka stop`);
  } else {
    // The other suites still run; those that need Kafka fail with their own message.
    console.warn(`deploy/local/kafka start failed (see above): the suites that need Kafka will fail.`);
  }
}
