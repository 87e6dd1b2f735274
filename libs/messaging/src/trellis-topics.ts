import { TOPICS } from '@trellis/contracts';
import type { TopicSpec } from './message-bus.port.js';

/**
 * The topics Trellis publishes to, for `ensureTopics` at startup. Topics keyed by process instance get `partitions`
 * (the most consumers a group can spread over: it cannot shrink later without losing order per key); deployments are
 * one ordered stream, so one partition.
 */
export function trellisTopics(options: { readonly partitions: number; readonly replicationFactor?: number }): TopicSpec[] {
  const replication = options.replicationFactor === undefined ? {} : { replicationFactor: options.replicationFactor };
  return [
    { topic: TOPICS.processInstanceEvents, partitions: options.partitions, ...replication },
    { topic: TOPICS.runtimeCommands, partitions: options.partitions, ...replication },
    { topic: TOPICS.runtimeCommandResults, partitions: options.partitions, ...replication },
    { topic: TOPICS.deployments, partitions: 1, ...replication },
    { topic: TOPICS.deadLetter, partitions: options.partitions, ...replication },
    { topic: TOPICS.messages, partitions: options.partitions, ...replication },
    { topic: TOPICS.decisionEvaluations, partitions: options.partitions, ...replication },
  ];
}
