import type { JsonValue } from '@trellis/engine';
import { decideAppend, encodeEvents, normalizeExpectedRevision, type StoredEventPlace } from './append-rules.js';
import { CatchUpSubscription, CommitSignal } from './catch-up-subscription.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from './event-store.port.js';
import { checkReadAllOptions, checkReadStreamOptions } from './read-options.js';

export interface InMemoryEventStoreOptions {
  /** The clock that stamps `recordedAt` (default: the system clock). */
  readonly clock?: () => Date;
}

interface StoredEvent extends StoredEventPlace {
  readonly id: string;
  readonly type: string;
  readonly dataJson: string;
  readonly metadataJson: string | null;
  readonly recordedAt: string;
}

/**
 * The event store for unit tests: everything in memory, nothing survives the process. Events are kept as JSON text
 * and every read returns fresh objects, as a durable store would, so that no caller can change what another reads.
 */
export class InMemoryEventStore implements EventStore {
  /** `log[i]` has position i + 1. */
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly byId = new Map<string, StoredEvent>();
  private readonly commits = new CommitSignal();
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private readonly clock: () => Date;
  private closed = false;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.assertOpen();
    const encoded = encodeEvents(streamId, events);
    const expected = normalizeExpectedRevision(options.expectedRevision);
    // Everything below runs without awaiting: JavaScript's single thread makes the append atomic.
    const stream = this.streams.get(streamId);
    const last = stream?.[stream.length - 1];
    const decision = decideAppend(streamId, expected, last, encoded.map((event) => event.id), this.byId);
    if (decision.kind === 'done') return decision.result;

    const recordedAt = this.clock().toISOString();
    const target = stream ?? [];
    if (!stream) this.streams.set(streamId, target);
    for (const event of encoded) {
      const stored: StoredEvent = {
        id: event.id,
        type: event.type,
        dataJson: event.dataJson,
        metadataJson: event.metadataJson,
        streamId,
        revision: target.length,
        position: this.log.length + 1,
        recordedAt,
      };
      this.log.push(stored);
      target.push(stored);
      this.byId.set(stored.id, stored);
    }
    this.commits.notify();
    return { nextExpectedRevision: target.length - 1, position: this.log.length };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { fromRevision, maxCount } = checkReadStreamOptions(options);
    const stream = this.streams.get(streamId) ?? [];
    return stream.slice(fromRevision, maxCount === undefined ? undefined : fromRevision + maxCount).map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { afterPosition, maxCount } = checkReadAllOptions(options);
    return this.readAfter(afterPosition, maxCount);
  }

  subscribeToAll(handler: (event: RecordedEvent) => Promise<void> | void, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription = new CatchUpSubscription(
      async (position, maxCount) => this.readAfter(position, maxCount),
      this.commits,
      handler,
      options,
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    this.assertOpen();
    const stream = this.streams.get(streamId);
    return stream ? stream.length - 1 : undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
  }

  private readAfter(afterPosition: number, maxCount: number | undefined): RecordedEvent[] {
    return this.log.slice(afterPosition, maxCount === undefined ? undefined : afterPosition + maxCount).map(toRecordedEvent);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed');
  }
}

function toRecordedEvent(stored: StoredEvent): RecordedEvent {
  return {
    id: stored.id,
    type: stored.type,
    data: JSON.parse(stored.dataJson) as JsonValue,
    metadata: stored.metadataJson === null ? null : (JSON.parse(stored.metadataJson) as JsonValue),
    streamId: stored.streamId,
    revision: stored.revision,
    position: stored.position,
    recordedAt: stored.recordedAt,
  };
}
