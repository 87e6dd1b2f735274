import type { StreamProjectionRunner } from '@trellis/persistence';
import type { DataSource } from 'typeorm';

import type { ConsumerGroupAdmin } from './consumer-group-admin.js';
import type { HistoryConsumer } from './history-consumer.js';
import type { HistoryProjection } from './history.projection.js';
import type { HistoryRebuild } from './history-rebuild.js';

export interface HistoryStatus {
  readonly consumer: {
    readonly groupId: string;
    readonly topics: string[];
    readonly running: boolean;
    readonly state: string;
    readonly batches: number;
    readonly largestBatch: number;
    /** Absent when Kafka did not answer. */
    readonly lag?: number;
  };
  readonly streams: number;
  readonly rebuilding: boolean;
  readonly ignoredEventTypes: Record<string, number>;
  readonly malformedEvents: number;
}

/** What an operator asks first: is the consumer running, how far behind is it, and did it skip anything. */
export class HistoryStatusReader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: StreamProjectionRunner,
    private readonly projection: HistoryProjection,
    private readonly consumer: HistoryConsumer,
    private readonly rebuilder: HistoryRebuild,
    private readonly admin: ConsumerGroupAdmin,
  ) {}

  async read(): Promise<HistoryStatus> {
    const [rows, lag] = await Promise.all([
      this.dataSource.query('SELECT count(*)::int AS streams FROM projection_stream_checkpoints WHERE projection = $1 AND revision >= 0', [
        this.runner.projection.name,
      ]) as Promise<{ streams: number }[]>,
      this.admin.lag(this.consumer.groupId, this.consumer.topics).then(
        (lags) => lags.reduce((sum, partition) => sum + partition.lag, 0),
        () => undefined,
      ),
    ]);
    return {
      consumer: {
        groupId: this.consumer.groupId,
        topics: [...this.consumer.topics],
        running: this.consumer.running,
        state: this.consumer.status().state,
        ...this.consumer.batching,
        ...(lag === undefined ? {} : { lag }),
      },
      streams: rows[0]?.streams ?? 0,
      rebuilding: this.rebuilder.inProgress,
      ignoredEventTypes: { ...this.projection.ignored },
      malformedEvents: this.projection.malformed,
    };
  }
}
