/**
 * Kafka topic names. The version suffix is the version of the topic's envelope: a change that breaks consumers
 * (a field removed, renamed or given another meaning) gets a new topic (`.v2`) and both are published while consumers
 * move over. Adding an optional field does not: consumers ignore fields they do not know.
 */
export const TOPICS = {
  /**
   * Every event appended to a process-instance stream, published by the relay in stream order.
   * Key: the process-instance id, so all events of one instance are in one partition, in order.
   * Value: an `EventEnvelope` (JSON).
   */
  processInstanceEvents: 'trellis.process-instance-events.v1',
  /**
   * Commands for the runtime (start an instance, complete a job or a user task...), from other services.
   * Key: the process-instance id, so one runtime replica handles all commands of an instance, in order.
   * Value: a `RuntimeCommandMessage` (JSON).
   */
  runtimeCommands: 'trellis.runtime-commands.v1',
  /**
   * The runtime's answer to each command of `runtimeCommands`: accepted (its events are in the stream) or rejected,
   * with the reason. Key: the process-instance id. Value: a `RuntimeCommandResult` (JSON).
   */
  runtimeCommandResults: 'trellis.runtime-command-results.v1',
  /**
   * Events of the deployments stream (`DeploymentCreated`...), published by the relay.
   * Key: the stream id (`deployments`): one partition keeps deployments in order. Value: an `EventEnvelope` (JSON).
   */
  deployments: 'trellis.deployments.v1',
  /**
   * Messages a consumer could not handle, with the reason. Key: the original message's key. Value: a
   * `DeadLetterEnvelope` (JSON).
   */
  deadLetter: 'trellis.dead-letter.v1',
  /**
   * Messages for process instances to catch, published by other services (the Kafka form of `POST /api/messages`).
   * Key: the correlation key, so the messages of one key stay in order. Value: a `MessagePublication` (JSON).
   */
  messages: 'trellis.messages.v1',
  /**
   * Every evaluation of a deployed decision, for audit, published by the dmn-service (consumed by whoever keeps the
   * decision history). Key: the process-instance id when a business rule task asked for it, else the decision id.
   * Value: a `DecisionEvaluated` (JSON).
   */
  decisionEvaluations: 'trellis.decision-evaluations.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Stream ids of the event store whose events the relay publishes, and where. */
export const PROCESS_INSTANCE_STREAM_PREFIX = 'process-instance-';
export const DEPLOYMENTS_STREAM_ID = 'deployments';

/** The process-instance id of a process-instance stream (`process-instance-<id>`), undefined for other streams. */
export function processInstanceIdOfStream(streamId: string): string | undefined {
  if (!streamId.startsWith(PROCESS_INSTANCE_STREAM_PREFIX) || streamId.length === PROCESS_INSTANCE_STREAM_PREFIX.length) return undefined;
  return streamId.slice(PROCESS_INSTANCE_STREAM_PREFIX.length);
}

/** The topic the events of a stream are published to; undefined for streams that are not published. */
export function eventTopicOfStream(streamId: string): TopicName | undefined {
  if (processInstanceIdOfStream(streamId) !== undefined) return TOPICS.processInstanceEvents;
  if (streamId === DEPLOYMENTS_STREAM_ID) return TOPICS.deployments;
  return undefined;
}
