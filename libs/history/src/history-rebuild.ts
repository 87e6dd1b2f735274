import { DEPLOYMENTS_STREAM_ID, eventEnvelopeOf, processInstanceIdOfStream } from '@trellis/contracts';
import type { EventStore } from '@trellis/event-store';
import type { StreamProjectionRunner } from '@trellis/persistence';

import type { ConsumerGroupAdmin } from './consumer-group-admin.js';
import { HISTORY_CONSUMER_GROUP, HISTORY_TOPICS, type HistoryConsumer } from './history-consumer.js';

/** The rebuild cannot run now: another member of the group still consumes, or a rebuild is already running. */
export class HistoryRebuildRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryRebuildRefusedError';
  }
}

export interface HistoryRebuildReport {
  readonly groupId: string;
  /** The topics the consumer now reads again from the oldest message kept. */
  readonly topics: readonly string[];
  /** Events applied from the event store (only when replayed from it). */
  readonly replayedFromEventStore?: number;
  readonly startedAt: string;
  readonly finishedAt: string;
}

export interface HistoryRebuildOptions {
  readonly groupId?: string;
  readonly topics?: readonly string[];
}

/**
 * Rebuilds the history read model. In this order, so that a failure at any step leaves a model that is still right:
 * 1. this process's consumer stops, and the group must then have no member (other replicas are stopped first);
 * 2. the group's committed offsets are deleted, so its consumer (which starts from the beginning) reads the topics
 *    again from the oldest message kept: if the next step failed, the consumer would deliver everything again and
 *    the intact checkpoints would skip it;
 * 3. the tables and the per-stream checkpoints are emptied, in one transaction;
 * 4. optionally, the event store's process-instance and deployments streams are replayed into the model (for topics
 *    that no longer hold every event: retention, a gap);
 * 5. the consumer starts again and replays the topics; what step 4 applied is skipped by the checkpoints.
 */
export class HistoryRebuild {
  readonly groupId: string;
  readonly topics: readonly string[];
  private running = false;

  constructor(
    private readonly runner: StreamProjectionRunner,
    private readonly admin: ConsumerGroupAdmin,
    private readonly consumer?: HistoryConsumer,
    options: HistoryRebuildOptions = {},
  ) {
    this.groupId = options.groupId ?? consumer?.groupId ?? HISTORY_CONSUMER_GROUP;
    this.topics = options.topics ?? consumer?.topics ?? HISTORY_TOPICS;
  }

  get inProgress(): boolean {
    return this.running;
  }

  async rebuild(options: { readonly fromEventStore?: EventStore; readonly batchSize?: number } = {}): Promise<HistoryRebuildReport> {
    if (this.running) throw new HistoryRebuildRefusedError('A rebuild of the history is already running');
    this.running = true;
    const startedAt = new Date().toISOString();
    const before = this.consumer?.status().state ?? 'stopped';
    try {
      await this.consumer?.stop();
      const members = await this.admin.members(this.groupId);
      if (members > 0) {
        throw new HistoryRebuildRefusedError(
          `Consumer group ${this.groupId} still has ${members} member(s): stop every other history-service replica, then rebuild`,
        );
      }
      await this.admin.deleteOffsets(this.groupId);
      await this.runner.reset();
      const replayed = options.fromEventStore ? await replayFromEventStore(options.fromEventStore, this.runner, options.batchSize) : undefined;
      return {
        groupId: this.groupId,
        topics: this.topics,
        ...(replayed === undefined ? {} : { replayedFromEventStore: replayed }),
        startedAt,
        finishedAt: new Date().toISOString(),
      };
    } finally {
      try {
        // A consumer still waiting for its topics goes on waiting; one that consumed is back before this returns.
        if (before === 'consuming') await this.consumer?.start();
        else if (before === 'subscribing') void this.consumer?.start();
      } finally {
        this.running = false;
      }
    }
  }
}

/**
 * Applies every event of the store's process-instance streams and `deployments` stream, in store order, in batches
 * (one transaction each). Events already applied are skipped by the checkpoints, so it can run on a model that is not
 * empty. Returns how many events it applied.
 */
export async function replayFromEventStore(store: EventStore, runner: StreamProjectionRunner, batchSize = 1_000): Promise<number> {
  let position = 0;
  let applied = 0;
  for (;;) {
    const page = await store.readAll({ afterPosition: position, maxCount: batchSize });
    if (page.length === 0) return applied;
    position = page[page.length - 1].position;
    const envelopes = page
      .filter((event) => event.streamId === DEPLOYMENTS_STREAM_ID || processInstanceIdOfStream(event.streamId) !== undefined)
      .map((event) => eventEnvelopeOf(event));
    applied += await runner.apply(envelopes);
    if (page.length < batchSize) return applied;
  }
}
