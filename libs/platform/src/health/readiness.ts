import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Injectable } from '@nestjs/common';
import type { EventStore } from '@trellis/event-store';

/** A dependency `/health/ready` checks: the service is ready only when every registered indicator is up. */
export interface ReadinessIndicator {
  /** Its key in the health report: `eventStore`, `postgres`, `kafka`, ... */
  readonly key: string;
  /** Up or down within `timeoutMs` (a check that takes longer is down). */
  check(timeoutMs: number): PromiseLike<HealthIndicatorResult>;
}

/** The indicators `/health/ready` checks. Modules register theirs when they start, with the key they report under. */
@Injectable()
export class ReadinessChecks {
  private readonly indicators = new Map<string, ReadinessIndicator>();

  /** Returns the function that removes the indicator (for a dependency closed before the application). */
  register(indicator: ReadinessIndicator): () => void {
    if (this.indicators.has(indicator.key)) throw new Error(`A readiness indicator named ${indicator.key} is already registered`);
    this.indicators.set(indicator.key, indicator);
    return () => {
      if (this.indicators.get(indicator.key) === indicator) this.indicators.delete(indicator.key);
    };
  }

  list(): readonly ReadinessIndicator[] {
    return [...this.indicators.values()];
  }
}

const indicators = new HealthIndicatorService();

/** A stream nobody writes: asking for its revision is a round trip to the store that changes nothing. */
export const HEALTH_STREAM = '$health';

/** Up when the event store answers a read (the revision of the `$health` stream). */
export class EventStoreHealthIndicator implements ReadinessIndicator {
  constructor(
    private readonly store: Pick<EventStore, 'streamRevision'>,
    readonly key = 'eventStore',
  ) {}

  check(timeoutMs: number): PromiseLike<HealthIndicatorResult> {
    return indicators
      .check(this.key)
      .attempt(async () => {
        await this.store.streamRevision(HEALTH_STREAM);
      })
      .withTimeout(timeoutMs);
  }
}

/** What the Postgres indicator needs: a TypeORM `DataSource` and a pg `Pool` both fit. */
export interface Queryable {
  query(sql: string): Promise<unknown>;
}

/** Up when Postgres answers `SELECT 1` through the service's own pool (so an exhausted pool shows as down). */
export class PostgresHealthIndicator implements ReadinessIndicator {
  constructor(
    private readonly database: Queryable,
    readonly key = 'postgres',
  ) {}

  check(timeoutMs: number): PromiseLike<HealthIndicatorResult> {
    return indicators
      .check(this.key)
      .attempt(async () => {
        await this.database.query('SELECT 1');
      })
      .withTimeout(timeoutMs);
  }
}

/** What the Kafka indicator needs: a kafkajs `Admin`, connected by its owner. */
export interface KafkaClusterAdmin {
  describeCluster(): Promise<{ readonly brokers: readonly unknown[]; readonly controller: number | null }>;
}

/** Up when the Kafka cluster describes itself and has a controller; reports how many brokers it has. */
export class KafkaHealthIndicator implements ReadinessIndicator {
  constructor(
    private readonly admin: KafkaClusterAdmin,
    readonly key = 'kafka',
  ) {}

  check(timeoutMs: number): PromiseLike<HealthIndicatorResult> {
    return indicators
      .check(this.key)
      .attempt(async () => {
        const cluster = await this.admin.describeCluster();
        if (cluster.controller === null) throw new Error('The Kafka cluster has no controller');
        return { brokers: cluster.brokers.length };
      })
      .withTimeout(timeoutMs);
  }
}
