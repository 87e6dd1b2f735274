/**
 * The relay: the one way events leave the event store for the message bus. Request handlers only append to the store
 * (no dual writes); the relay reads the store's log in position order, publishes each event of a published stream to
 * its topic, keyed by process instance, and moves its checkpoint only after the bus acknowledged everything up to it.
 * A relay killed at any moment starts again from its checkpoint: events published after the last save are published
 * again (at least once), never skipped, and each key's events still arrive in stream order.
 */
import {
  DEPLOYMENTS_STREAM_ID,
  type TopicName,
  TOPICS,
  eventEnvelopeOf,
  eventMessageOf,
  eventTopicOfStream,
  processInstanceIdOfStream,
} from '@trellis/contracts';
import type { EventStore, RecordedEvent } from '@trellis/event-store';
import { type MessageBus, type MessagingLogger, type OutgoingMessage, type TopicSpec, consoleMessagingLogger, trellisTopics } from '@trellis/messaging';
import { type RetryPolicy, backoffDelay, isTransient, withRetry } from '@trellis/resilience';
import { LiveFeed } from './live-feed.js';
import { type RelayCheckpointStore, checkCheckpointName } from './relay-checkpoint-store.port.js';
import type { RelayLeadership, RelayLease } from './relay-leadership.port.js';
import { storeHead } from './store-head.js';

/** What the relay logs through (the messaging logger's shape: Nest's Logger and pino fit with a one-line adapter). */
export type RelayLogger = MessagingLogger;

export interface RelayRetryOptions {
  /** Calls in all, the first included, before a failure escapes to a restart (default 5). */
  readonly maxAttempts?: number;
  /** Ceiling of the first delay, doubled after each failure (default 100 ms)... */
  readonly baseDelayMs?: number;
  /** ...up to this (default 5,000 ms). Delays are drawn below the ceiling (full jitter). */
  readonly maxDelayMs?: number;
}

export interface RelayRestartOptions {
  /** Ceiling of the first pause after a failure that retries did not absorb (default 500 ms)... */
  readonly baseDelayMs?: number;
  /** ...doubled after each failure in a row, up to this (default 30,000 ms). */
  readonly maxDelayMs?: number;
}

/** Which streams a relay publishes: a service relays only the streams it owns (and appends to). */
export type StreamFilter = (streamId: string) => boolean;

/** The stream filters of the services that write to the event store. */
export const RELAYED_STREAMS = {
  /** `process-instance-*`: the runtime-service's streams. */
  processInstances: ((streamId) => processInstanceIdOfStream(streamId) !== undefined) as StreamFilter,
  /** `deployments`: the deployment-service's stream. */
  deployments: ((streamId) => streamId === DEPLOYMENTS_STREAM_ID) as StreamFilter,
} as const;

export interface EventRelayOptions {
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly checkpoints: RelayCheckpointStore;
  /** Names the checkpoint and the `relay` label of the lag metric (`TRELLIS_RELAY_NAME`, default `trellis`). */
  readonly name?: string;
  /** Most events read and published per batch (`TRELLIS_RELAY_BATCH_SIZE`, default 500). */
  readonly batchSize?: number;
  /**
   * Only events of the streams this accepts are published (default: every stream that has a topic); the others are
   * passed over and the checkpoint moves past them. See `RELAYED_STREAMS`.
   */
  readonly streams?: StreamFilter;
  /**
   * With several replicas running this relay (same name, same checkpoint), only the one holding the leadership
   * publishes; the others wait in state `standby` and take over when it is lost. Without it the relay always publishes.
   */
  readonly leadership?: RelayLeadership;
  /**
   * Creates the relay's topics (process-instance events with this many partitions, deployments with one) when they do
   * not exist, before publishing (`TRELLIS_RELAY_TOPIC_PARTITIONS`). Without it the topics must exist.
   */
  readonly createTopics?: { readonly partitions: number; readonly replicationFactor?: number };
  /** The topic a contract topic is published to (default: its name in `TOPICS`): test runs and shared clusters. */
  readonly topicName?: (topic: TopicName) => string;
  /** Retries of a publish or a checkpoint read or save that failed transiently (`isTransient`). */
  readonly retry?: RelayRetryOptions;
  /** Pauses before starting again from the checkpoint after a failure. */
  readonly restart?: RelayRestartOptions;
  /** How long `stop()` waits for the batch in flight before giving up on it (default 30,000 ms). */
  readonly stopTimeoutMs?: number;
  /** Told each checkpoint saved. */
  readonly onCheckpoint?: (position: number) => void;
  readonly logger?: RelayLogger;
  readonly clock?: () => Date;
  /** A number in [0, 1) for the jitter of delays (default Math.random). */
  readonly random?: () => number;
}

/**
 * - `idle`: not started;
 * - `standby`: waiting for the leadership (another replica relays);
 * - `starting`: loading the checkpoint (and creating topics);
 * - `catching-up`: publishing stored events page by page;
 * - `live`: caught up, publishing events as they are appended;
 * - `retrying`: a failure that retries did not absorb; paused before starting again from the checkpoint;
 * - `stopping`, `stopped`.
 */
export type RelayState = 'idle' | 'standby' | 'starting' | 'catching-up' | 'live' | 'retrying' | 'stopping' | 'stopped';

export interface RelayStatus {
  readonly name: string;
  readonly state: RelayState;
  /** The position of the last event published and checkpointed; undefined until loaded (and while in standby). */
  readonly checkpoint: number | undefined;
  /** Messages published since the relay started (republished ones included). */
  readonly published: number;
  /** Failed attempts (publish, checkpoint, read) since the last batch that went through. */
  readonly consecutiveFailures: number;
  /** The latest failure, kept after recovery. */
  readonly lastError?: { readonly message: string; readonly at: string };
}

/** The relay's checkpoint is past the end of the store's log: the store was wiped or replaced. */
export class RelayCheckpointAheadError extends Error {
  constructor(
    readonly relay: string,
    readonly checkpoint: number,
    readonly head: number,
  ) {
    super(
      `Relay ${relay} has checkpoint ${checkpoint} but the event store ends at position ${head}: the store was wiped or replaced. ` +
        'Publishing from the checkpoint would skip events, so the relay waits. If the store is right, set the checkpoint ' +
        `to 0 (DELETE FROM relay_checkpoints WHERE name = '${relay}') to publish it from the start.`,
    );
    this.name = 'RelayCheckpointAheadError';
  }
}

class Stopped extends Error {
  constructor() {
    super('The relay is stopping');
    this.name = 'Stopped';
  }
}

const RELAYED_TOPICS: readonly TopicName[] = [TOPICS.processInstanceEvents, TOPICS.deployments];

export class EventRelay {
  readonly name: string;
  private readonly store: EventStore;
  private readonly bus: MessageBus;
  private readonly checkpoints: RelayCheckpointStore;
  private readonly batchSize: number;
  private readonly streams: StreamFilter;
  private readonly topicName: (topic: TopicName) => string;
  private readonly logger: RelayLogger;
  private readonly clock: () => Date;
  private readonly random: () => number;
  private readonly retry: Required<RelayRetryOptions>;
  private readonly restart: Required<RelayRestartOptions>;

  private state: RelayState = 'idle';
  /** Saved in the checkpoint store. */
  private checkpoint: number | undefined;
  /** Acknowledged by the bus: at or past `checkpoint` (ahead of it only while a save is pending or failed). */
  private acknowledged: number | undefined;
  /** A position known to be at or below the store's head (for `lag`). */
  private knownHead = 0;
  private published = 0;
  private failures = 0;
  /** Restarts since the last checkpoint saved: sets the pause before the next. */
  private restarts = 0;
  private lastError: RelayStatus['lastError'];
  private running: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly stop$ = new AbortController();
  private waiters: { readonly position: number; readonly resolve: () => void; readonly reject: (error: Error) => void }[] = [];

  constructor(private readonly options: EventRelayOptions) {
    this.name = options.name ?? 'trellis';
    checkCheckpointName(this.name);
    this.batchSize = options.batchSize ?? 500;
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
    if (options.createTopics !== undefined && !(Number.isSafeInteger(options.createTopics.partitions) && options.createTopics.partitions >= 1)) {
      throw new RangeError(`createTopics.partitions must be a positive integer, got ${options.createTopics.partitions}`);
    }
    this.store = options.store;
    this.bus = options.bus;
    this.checkpoints = options.checkpoints;
    this.streams = options.streams ?? (() => true);
    this.topicName = options.topicName ?? ((topic) => topic);
    this.logger = options.logger ?? consoleMessagingLogger;
    this.clock = options.clock ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.retry = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5_000, ...definedFields(options.retry) };
    this.restart = { baseDelayMs: 500, maxDelayMs: 30_000, ...definedFields(options.restart) };
  }

  /** Starts relaying in the background; failures are retried, never thrown (see `status()`). Once per relay. */
  start(): void {
    if (this.running !== undefined) throw new Error(`Relay ${this.name} was already started`);
    this.state = 'starting';
    this.running = this.supervise();
  }

  /**
   * Stops: no new batch starts, the batch in flight finishes (its publish is awaited, not retried again, for at most
   * `stopTimeoutMs`), and the position acknowledged last is saved. Resolves when the relay no longer touches the
   * store, the bus or the checkpoint store, which the caller may then close.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.running === undefined) {
        this.state = 'stopped';
        this.rejectWaiters(new Error(`Relay ${this.name} stopped at checkpoint ${this.checkpoint ?? 0}`));
        return;
      }
      this.state = 'stopping';
      this.stop$.abort();
      const timeoutMs = this.options.stopTimeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([this.running.then(() => 'done' as const), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.logger.warn(`Relay ${this.name} stopped without waiting longer for its batch in flight (${timeoutMs} ms): it will be published again`, {
          relay: this.name,
          checkpoint: this.checkpoint,
        });
      }
      this.state = 'stopped';
      this.rejectWaiters(new Error(`Relay ${this.name} stopped at checkpoint ${this.checkpoint ?? 0}`));
      this.logger.info(`Relay ${this.name} stopped at checkpoint ${this.checkpoint ?? 0}`, { relay: this.name, checkpoint: this.checkpoint });
    })();
    return this.stopping;
  }

  status(): RelayStatus {
    return {
      name: this.name,
      state: this.state,
      checkpoint: this.checkpoint,
      published: this.published,
      consecutiveFailures: this.failures,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /**
   * Events appended to the store that the relay has not checkpointed: the store's last position minus the checkpoint.
   * Rejects before the checkpoint is loaded. Costs one or two one-event reads of the store.
   */
  async lag(): Promise<number> {
    // A standby relay reports the lag of the relay that leads: their checkpoint is the same row.
    const checkpoint = this.checkpoint ?? (this.state === 'standby' ? await this.checkpoints.load(this.name) : undefined);
    if (checkpoint === undefined) throw new Error(`Relay ${this.name} has not loaded its checkpoint yet`);
    const head = await storeHead(this.store, this.knownHead);
    this.knownHead = Math.max(this.knownHead, head);
    return Math.max(0, head - checkpoint);
  }

  /** Resolves once the checkpoint is at or past `position`; rejects if the relay stops before. */
  whenCheckpointed(position: number): Promise<void> {
    if (this.checkpoint !== undefined && this.checkpoint >= position) return Promise.resolve();
    if (this.state === 'stopped') return Promise.reject(new Error(`Relay ${this.name} stopped at checkpoint ${this.checkpoint ?? 0}`));
    return new Promise((resolve, reject) => this.waiters.push({ position, resolve, reject }));
  }

  /**
   * Runs the relay until stopped, starting it again from the checkpoint after every failure, after a pause. With a
   * leadership, each run first waits to lead and ends when the lease is lost; the checkpoint is then loaded again at
   * the next run, since the relay that led meanwhile moved it.
   */
  private async supervise(): Promise<void> {
    const stopped = this.stop$.signal;
    while (!stopped.aborted) {
      let lease: RelayLease | undefined;
      try {
        if (this.options.leadership !== undefined) {
          this.state = 'standby';
          lease = await this.options.leadership.acquire(stopped);
          if (lease === undefined) break;
          this.logger.info(`Relay ${this.name} leads: it publishes`, { relay: this.name });
        }
        await this.relay(lease === undefined ? stopped : AbortSignal.any([stopped, lease.lost]));
        if (lease?.lost.aborted === true && !stopped.aborted) this.logger.warn(`Relay ${this.name} lost its leadership: back to standby`, { relay: this.name });
      } catch (error) {
        if (stopped.aborted) break;
        if (lease?.lost.aborted === true) {
          this.logger.warn(`Relay ${this.name} lost its leadership: back to standby (${messageOf(error)})`, { relay: this.name });
          continue;
        }
        this.restarts++;
        this.noteFailure(error);
        this.state = 'retrying';
        const delayMs = Math.max(10, backoffDelay(this.restarts, this.restart, this.random));
        this.logger.error(`Relay ${this.name} failed; starting again from position ${this.resumePosition()} in ${delayMs} ms: ${messageOf(error)}`, {
          relay: this.name,
          restart: this.restarts,
          delayMs,
          error: messageOf(error),
        });
        await pause(delayMs, stopped);
      } finally {
        if (lease !== undefined) await this.resign(lease);
      }
    }
    await this.saveAcknowledged();
  }

  /** Saves what was acknowledged (never lowering the row) and gives up the leadership and the checkpoint. */
  private async resign(lease: RelayLease): Promise<void> {
    await this.saveAcknowledged();
    await lease.release();
    this.checkpoint = undefined;
    this.acknowledged = undefined;
  }

  /** One run: load the checkpoint, catch up page by page, then follow the store live until stopped or failed. */
  private async relay(signal: AbortSignal): Promise<void> {
    if (this.checkpoint === undefined) {
      this.state = 'starting';
      const loaded = await this.retrying('load the checkpoint', () => this.checkpoints.load(this.name), signal);
      const head = await storeHead(this.store);
      if (loaded > head) throw new RelayCheckpointAheadError(this.name, loaded, head);
      this.checkpoint = loaded;
      this.acknowledged = loaded;
      this.knownHead = head;
      this.logger.info(`Relay ${this.name} starts after position ${loaded} (store at ${head})`, { relay: this.name, checkpoint: loaded, head });
    }
    if (this.options.createTopics !== undefined) {
      const specs = this.topicSpecs(this.options.createTopics);
      await this.retrying('create the topics', () => this.bus.ensureTopics(specs), signal);
    }

    this.state = 'catching-up';
    let after = this.resumePosition();
    for (;;) {
      if (signal.aborted) return;
      const page = await this.retrying('read the event store', () => this.store.readAll({ afterPosition: after, maxCount: this.batchSize }), signal);
      if (page.length === 0) break;
      await this.publish(page, signal);
      after = this.resumePosition();
      if (page.length < this.batchSize) break;
    }
    if (signal.aborted) return;

    this.state = 'live';
    // Reading the store and reaching its end went through: earlier failures are over.
    this.failures = 0;
    this.restarts = 0;
    const feed = new LiveFeed(this.store, after, this.batchSize, signal);
    try {
      for (;;) {
        const batch = await feed.take(this.batchSize);
        if (batch.length === 0) return;
        await this.publish(batch, signal);
      }
    } finally {
      await feed.close();
    }
  }

  /** Publishes a batch, topic by topic in position order, then saves the checkpoint at its last event. */
  private async publish(events: readonly RecordedEvent[], signal: AbortSignal): Promise<void> {
    const last = events[events.length - 1];
    if (last === undefined) return;
    for (const [topic, messages] of this.messagesByTopic(events)) {
      await this.retrying(`publish ${messages.length} events to ${topic}`, () => this.bus.publish(topic, messages), signal);
      this.published += messages.length;
    }
    this.acknowledged = last.position;
    this.knownHead = Math.max(this.knownHead, last.position);
    await this.retrying('save the checkpoint', () => this.checkpoints.save(this.name, last.position), signal);
    this.checkpointSaved(last.position);
  }

  /**
   * The batch's messages grouped by topic, each group in position order. Keys never span topics (process-instance
   * ids on one, the deployments stream on the other), so publishing the groups one after the other keeps every key's
   * order. Events of streams that are not published (`eventTopicOfStream` undefined) or not this relay's (`streams`)
   * are passed over.
   */
  private messagesByTopic(events: readonly RecordedEvent[]): Map<string, OutgoingMessage[]> {
    const groups = new Map<string, OutgoingMessage[]>();
    for (const event of events) {
      const topic = eventTopicOfStream(event.streamId);
      if (topic === undefined || !this.streams(event.streamId)) continue;
      const name = this.topicName(topic);
      let group = groups.get(name);
      if (group === undefined) {
        group = [];
        groups.set(name, group);
      }
      group.push(eventMessageOf(eventEnvelopeOf(event)));
    }
    return groups;
  }

  private topicSpecs(options: NonNullable<EventRelayOptions['createTopics']>): TopicSpec[] {
    return trellisTopics(options)
      .filter((spec) => (RELAYED_TOPICS as readonly string[]).includes(spec.topic))
      .map((spec) => ({ ...spec, topic: this.topicName(spec.topic as TopicName) }));
  }

  /**
   * `operation` with retries of transient failures. A stop does not cut the attempt in flight short, but ends the wait
   * before the next one (the failure then escapes, and nothing is checkpointed past what was acknowledged).
   */
  private retrying<T>(what: string, operation: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const policy: RetryPolicy = {
      ...this.retry,
      operation: `relay ${this.name}: ${what}`,
      isRetryable: isTransient,
      random: this.random,
      logger: {
        warn: (details, message) => {
          this.noteFailure(details['err']);
          this.logger.warn(message, { relay: this.name, attempt: details['attempt'], delayMs: details['delayMs'], error: messageOf(details['err']) });
        },
      },
      sleep: async (ms) => {
        await pause(ms, signal);
        if (signal.aborted) throw new Stopped();
      },
    };
    return withRetry(operation, policy);
  }

  /** Saves what was acknowledged but not yet saved (a save failed or was cut short by a stop). */
  private async saveAcknowledged(): Promise<void> {
    const acknowledged = this.acknowledged;
    if (acknowledged === undefined || (this.checkpoint !== undefined && acknowledged <= this.checkpoint)) return;
    try {
      await this.checkpoints.save(this.name, acknowledged);
      this.checkpointSaved(acknowledged);
    } catch (error) {
      this.logger.warn(`Relay ${this.name} could not save checkpoint ${acknowledged} while stopping; the events after ${this.checkpoint} will be published again`, {
        relay: this.name,
        error: messageOf(error),
      });
    }
  }

  private checkpointSaved(position: number): void {
    this.checkpoint = position;
    this.failures = 0;
    this.restarts = 0;
    this.options.onCheckpoint?.(position);
    this.waiters = this.waiters.filter((waiter) => {
      if (position < waiter.position) return true;
      waiter.resolve();
      return false;
    });
  }

  private rejectWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /** Where the next run starts: after the last acknowledged event (the bus has it, saved or not). */
  private resumePosition(): number {
    return this.acknowledged ?? this.checkpoint ?? 0;
  }

  private noteFailure(error: unknown): void {
    this.failures++;
    this.lastError = { message: messageOf(error), at: this.clock().toISOString() };
  }
}

/** Resolves after `ms`, or at once when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function definedFields<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
