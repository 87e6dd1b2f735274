// The topics of the distributed mode, created before any service starts. A service that subscribes to a topic nobody
// created yet makes the broker create it with its default partition count (1 on the local broker): the runtime's
// relay would then find the process-instance events topic already there with one partition, and no second consumer
// of any group could ever share the work. Created up front, every topic has the partitions the relay would give it.
import { Kafka, logLevel } from 'kafkajs';

import { trellisTopics } from '@trellis/messaging';

export interface TopicProvisioning {
  /** Topics this call created. */
  readonly created: readonly string[];
  /** Topics that existed with fewer partitions than wanted: left as they are (partitions cannot shrink or be re-keyed). */
  readonly narrower: readonly { readonly topic: string; readonly partitions: number; readonly wanted: number }[];
}

/** Creates the Trellis topics that do not exist yet and waits until every partition of each has a leader. */
export async function provisionTopics(brokers: readonly string[], partitions: number, timeoutMs = 60_000): Promise<TopicProvisioning> {
  const kafka = new Kafka({ clientId: 'trellis-start-distributed', brokers: [...brokers], logLevel: logLevel.NOTHING, connectionTimeout: 5000 });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const specs = trellisTopics({ partitions });
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing.map((spec) => ({ topic: spec.topic, numPartitions: spec.partitions })), waitForLeaders: true, timeout: timeoutMs });
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((spec) => spec.topic) });
      const led = topics.every((topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0));
      if (led) {
        const narrower = specs.flatMap((spec) => {
          const found = topics.find((topic) => topic.name === spec.topic)?.partitions.length ?? 0;
          return found < spec.partitions ? [{ topic: spec.topic, partitions: found, wanted: spec.partitions }] : [];
        });
        return { created: missing.map((spec) => spec.topic), narrower };
      }
      if (Date.now() > deadline) throw new Error(`the Trellis topics have partitions without a leader after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
}
