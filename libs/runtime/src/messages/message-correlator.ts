import { createHash, randomUUID } from 'node:crypto';

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, Optional } from '@nestjs/common';
import { DefinitionRegistry } from '@trellis/deployment';
import { CLOCK, type Clock, EVENT_STORE, systemClock } from '@trellis/platform';
import { evaluateExpression, type JsonObject, type JsonValue, type ProcessInstanceEvent, type ProcessInstanceState } from '@trellis/engine';
import { type EventStore, type RecordedEvent, WrongExpectedRevisionError } from '@trellis/event-store';

import { ProcessInstanceCommandRejectedError } from '../process-instance-command-rejected.error.js';
import { ProcessInstanceRepository } from '../process-instance.repository.js';
import { RuntimeProjection } from '../runtime.projection.js';
import type { ProcessInstanceView } from '../runtime.views.js';
import { MESSAGE_EVENT_SCHEMA_VERSION, MESSAGE_PUBLISHED, MESSAGE_STREAM_PREFIX, type MessagePublishedData, messageStream } from './message-streams.js';

/** An open message subscription of a live instance, as the engine state has it. */
export interface OpenMessageSubscription {
  readonly processInstanceId: string;
  readonly subscriptionId: string;
  readonly elementId: string;
  readonly messageName: string;
  readonly correlationKey?: string;
}

/** A Camunda 8 publish: correlated to every matching subscription now, one per instance, and buffered while it lives. */
export interface PublishMessage {
  readonly name: string;
  readonly correlationKey: string;
  readonly variables?: JsonObject;
  /** How long the message waits for a subscription, in milliseconds; 0 (default): only subscriptions open now. */
  readonly timeToLiveMs?: number;
  readonly messageId?: string;
}

export interface PublishedMessage {
  readonly messageKey: string;
  readonly messageId?: string;
  /** The instances it was correlated to at once. */
  readonly processInstanceIds: readonly string[];
  /** Whether it waits in the buffer for subscriptions that open later. */
  readonly buffered: boolean;
}

/** A Camunda 7 correlation: exactly one open subscription must match, now. */
export interface CorrelateMessageRequest {
  readonly messageName: string;
  readonly correlationKey?: string;
  readonly businessKey?: string;
  readonly processInstanceId?: string;
  readonly variables?: JsonObject;
}

interface BufferedMessage extends MessagePublishedData {
  readonly streamId: string;
}

/** Rejections that mean the subscription left or the message was taken meanwhile (another replica, a race). */
const SETTLED = new Set(['ALREADY_EXISTS', 'INVALID_STATE', 'NOT_FOUND']);

/**
 * Message correlation. Knows every open message subscription (an index by message name, kept from the instance states
 * the RuntimeProjection folds, so it is rebuilt at startup) and every buffered message (streams `message-...`, folded by
 * the same projection). Publishing correlates a message to the subscriptions open now; a buffered one is correlated
 * as well when a matching subscription opens before it expires, here or on another replica. Each correlation is a
 * `CorrelateMessage` the instance accepts once (a closed subscription is NOT_FOUND, a buffered message the instance
 * already took is ALREADY_EXISTS), so replicas racing for one change the instance once.
 */
@Injectable()
export class MessageCorrelator implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MessageCorrelator.name);
  private readonly clock: Clock;
  /** Open subscriptions by message name, then subscription id. */
  private readonly subscriptionsByName = new Map<string, Map<string, OpenMessageSubscription>>();
  private readonly subscriptionsOfInstance = new Map<string, readonly OpenMessageSubscription[]>();
  /** Buffered messages by message key, in publication order. */
  private readonly buffer = new Map<string, BufferedMessage>();
  /** Active instances started by a message, by process id and correlation key: one key starts one at a time. */
  private readonly startedByKey = new Map<string, string>();
  /** When expired messages were last dropped from the buffer (clock ms). */
  private lastSweep = 0;
  private readonly stopObserving: (() => void)[] = [];
  private live = false;
  private closed = false;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly projection: RuntimeProjection,
    private readonly repository: ProcessInstanceRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly registry: DefinitionRegistry,
    @Optional() @Inject(CLOCK) clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
    // Registered before the projection catches up at startup, so both indexes are rebuilt with it.
    this.stopObserving.push(
      projection.observeEvents((processInstanceId, event, state) => this.onInstanceEvent(processInstanceId, event, state)),
      projection.observeStreams(MESSAGE_STREAM_PREFIX, (recorded) => this.onMessageEvent(recorded)),
    );
  }

  /** Caught up: correlate what a restart (or a crash between publishing and correlating) left waiting. */
  onApplicationBootstrap(): void {
    this.live = true;
    for (const subscriptions of this.subscriptionsOfInstance.values()) {
      for (const subscription of subscriptions) this.schedule(() => this.correlateBuffered(subscription));
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const stop of this.stopObserving) stop();
    await this.idle();
  }

  /** Resolves when no correlation started by an event is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Open subscriptions for a message name (and correlation key, when given). */
  openSubscriptions(messageName: string, correlationKey?: string): OpenMessageSubscription[] {
    const named = [...(this.subscriptionsByName.get(messageName)?.values() ?? [])];
    return correlationKey === undefined ? named : named.filter((subscription) => subscription.correlationKey === correlationKey);
  }

  /** Buffered messages that have not expired, oldest first. */
  bufferedMessages(): MessagePublishedData[] {
    const now = this.clock.now().getTime();
    return [...this.buffer.values()].filter((message) => Date.parse(message.expiresAt) > now).map(({ streamId: _, ...message }) => message);
  }

  // ---- publish (Camunda 8) ---------------------------------------------------------------------------------------

  async publish(message: PublishMessage): Promise<PublishedMessage> {
    this.dropExpired();
    const ttl = message.timeToLiveMs ?? 0;
    const messageKey = randomUUID();
    const variables = message.variables ?? {};
    const buffered = ttl > 0;
    if (buffered) await this.persist(messageKey, message, variables, ttl);

    const processInstanceIds: string[] = [];
    const positions: number[] = [];
    const seen = new Set<string>();
    for (const subscription of this.openSubscriptions(message.name, message.correlationKey)) {
      // One subscription per instance, as Zeebe does: the first one that takes it.
      if (seen.has(subscription.processInstanceId)) continue;
      const position = await this.correlate(subscription, variables, buffered ? messageKey : undefined);
      if (position === false) continue;
      seen.add(subscription.processInstanceId);
      processInstanceIds.push(subscription.processInstanceId);
      if (position !== undefined) positions.push(position);
    }
    // Another process (the deployment-service) may have deployed a version since the registry last looked.
    await this.registry.catchUp();
    for (const start of this.messageStartEvents(message.name)) {
      const processInstanceId = await this.startInstance(start, message, variables, messageKey);
      if (processInstanceId === undefined) continue;
      processInstanceIds.push(processInstanceId.id);
      if (processInstanceId.position !== undefined) positions.push(processInstanceId.position);
    }
    // Read-your-writes: the views show the correlations once the caller has the answer.
    if (positions.length > 0) await this.projection.waitForPosition(Math.max(...positions));
    return { messageKey, ...(message.messageId === undefined ? {} : { messageId: message.messageId }), processInstanceIds, buffered };
  }

  /**
   * Appends MessagePublished to the message's stream. A message with a `messageId` that is still buffered is refused
   * (ALREADY_EXISTS, as Zeebe does); so is the loser of two publishers racing with one id (the expected revision).
   */
  private async persist(messageKey: string, message: PublishMessage, variables: JsonObject, ttl: number): Promise<void> {
    const streamId = messageStream(messageKey, message.name, message.correlationKey, message.messageId);
    const now = this.clock.now();
    let revision: number | 'no_stream' = 'no_stream';
    if (message.messageId !== undefined) {
      const events = await this.store.readStream(streamId);
      const last = events[events.length - 1];
      if (last !== undefined) {
        revision = last.revision;
        const previous = last.data as unknown as MessagePublishedData;
        if (Date.parse(previous.expiresAt) > now.getTime()) throw duplicateMessage(message, previous.messageKey);
      }
    }
    const data: MessagePublishedData = {
      messageKey,
      name: message.name,
      correlationKey: message.correlationKey,
      variables,
      ...(message.messageId === undefined ? {} : { messageId: message.messageId }),
      publishedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttl).toISOString(),
    };
    try {
      const appended = await this.store.appendToStream(
        streamId,
        [{ id: randomUUID(), type: MESSAGE_PUBLISHED, data: data as unknown as JsonValue, metadata: { schemaVersion: MESSAGE_EVENT_SCHEMA_VERSION } }],
        { expectedRevision: revision },
      );
      // The buffer holds it before any subscription is looked at: one opening from now on finds it there.
      await this.projection.waitForPosition(appended.position);
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) throw duplicateMessage(message, undefined);
      throw error;
    }
  }

  /** Forgets expired buffered messages, at most once a minute: a buffer nobody reads must not keep them all. */
  private dropExpired(): void {
    const now = this.clock.now().getTime();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [messageKey, message] of this.buffer) if (Date.parse(message.expiresAt) <= now) this.buffer.delete(messageKey);
  }

  // ---- message start events -------------------------------------------------------------------------------------

  /** The message start events of the latest version of every process whose message has this name. */
  private messageStartEvents(name: string): { processDefinitionId: string; processId: string; version: number; startEventId: string }[] {
    const found: { processDefinitionId: string; processId: string; version: number; startEventId: string }[] = [];
    for (const definition of this.registry.list({ latest: true })) {
      const executable = this.registry.executableProcess(definition.id);
      if (executable === undefined || !('process' in executable)) continue;
      for (const startEventId of executable.process.messageStartEventIds ?? []) {
        const node = executable.process.elements[startEventId];
        if (node?.kind !== 'startEvent' || node.message === undefined) continue;
        // No instance exists yet: the name is evaluated without variables (a literal, or FEEL such as ="order-" + "placed").
        const evaluated = evaluateExpression(node.message.name, { variables: () => undefined, now: this.clock.now().toISOString() });
        if (evaluated.ok && evaluated.value === name) found.push({ processDefinitionId: definition.id, processId: definition.processId, version: definition.version, startEventId });
      }
    }
    return found;
  }

  /**
   * Starts an instance at a message start event, with the message's variables, unless an instance that a message with
   * the same (non-empty) correlation key started is still active, as Zeebe does. The instance id is derived from the
   * message and the definition, so two replicas publishing one message start one instance.
   */
  private async startInstance(
    start: { processDefinitionId: string; processId: string; version: number; startEventId: string },
    message: PublishMessage,
    variables: JsonObject,
    messageKey: string,
  ): Promise<{ id: string; position: number | undefined } | undefined> {
    if (message.correlationKey !== '' && this.startedByKey.has(startKey(start.processId, message.correlationKey))) return undefined;
    const id = derivedUuid(`${messageKey}/${start.processDefinitionId}/${start.startEventId}`);
    try {
      const outcome = await this.repository.execute(id, {
        type: 'CreateProcessInstance',
        processInstanceId: id,
        processDefinitionId: start.processDefinitionId,
        version: start.version,
        startElementId: start.startEventId,
        variables,
        ...(message.correlationKey === '' ? {} : { correlationKey: message.correlationKey }),
      });
      return { id, position: outcome.position };
    } catch (error) {
      if (error instanceof ProcessInstanceCommandRejectedError && SETTLED.has(error.failure.code)) {
        this.logger.debug(`Message start event ${start.startEventId} of ${start.processDefinitionId} not started: ${error.failure.message}`);
        return undefined;
      }
      throw error;
    }
  }

  /** The oldest live buffered message of a key that a message start event of the process takes, started. */
  private async startBuffered(processId: string, correlationKey: string): Promise<void> {
    await this.registry.catchUp();
    const now = this.clock.now().getTime();
    for (const message of this.buffer.values()) {
      if (message.correlationKey !== correlationKey || Date.parse(message.expiresAt) <= now) continue;
      for (const start of this.messageStartEvents(message.name)) {
        if (start.processId !== processId) continue;
        // An instance this message started before has the same derived id: starting it again is refused, not repeated.
        const started = await this.startInstance(start, message, message.variables, message.messageKey);
        if (started === undefined) continue;
        if (started.position !== undefined) await this.projection.waitForPosition(started.position);
        return;
      }
    }
  }

  // ---- correlate (Camunda 7) -------------------------------------------------------------------------------------

  /** Correlates to the one open subscription that matches, now; none or several is an error saying so. */
  async correlateOne(request: CorrelateMessageRequest): Promise<ProcessInstanceView> {
    const matches = this.openSubscriptions(request.messageName, request.correlationKey).filter(
      (subscription) =>
        (request.processInstanceId === undefined || subscription.processInstanceId === request.processInstanceId) &&
        (request.businessKey === undefined || this.projection.instanceState(subscription.processInstanceId)?.businessKey === request.businessKey),
    );
    const criteria: Record<string, string> = {
      messageName: request.messageName,
      ...(request.correlationKey === undefined ? {} : { correlationKey: request.correlationKey }),
      ...(request.businessKey === undefined ? {} : { businessKey: request.businessKey }),
      ...(request.processInstanceId === undefined ? {} : { processInstanceId: request.processInstanceId }),
    };
    if (matches.length === 0 && request.processInstanceId === undefined && request.correlationKey === undefined) {
      // As Camunda 7's correlate: nothing waits, so a message start event of that name starts an instance.
      await this.registry.catchUp();
      const starts = this.messageStartEvents(request.messageName);
      if (starts.length > 1) {
        throw new ProcessInstanceCommandRejectedError({
          code: 'INVALID_STATE',
          message: `${starts.length} message start events wait for message '${request.messageName}' (${starts.map((start) => start.processId).join(', ')}): publish it instead, or deploy one`,
          details: { ...criteria, matches: String(starts.length) },
        });
      }
      if (starts.length === 1) return this.startByCorrelation(starts[0]!, request);
    }
    if (matches.length === 0) {
      throw new ProcessInstanceCommandRejectedError({
        code: 'NOT_FOUND',
        message: `No process instance waits for message '${request.messageName}'${describeCriteria(request)}, and no message start event has its name`,
        details: criteria,
      });
    }
    if (matches.length > 1) {
      throw new ProcessInstanceCommandRejectedError({
        code: 'INVALID_STATE',
        message: `${matches.length} subscriptions wait for message '${request.messageName}'${describeCriteria(request)}: correlate by business key, correlation key or process instance to name one`,
        details: { ...criteria, matches: String(matches.length) },
      });
    }
    const [subscription] = matches;
    const outcome = await this.repository.execute(subscription.processInstanceId, {
      type: 'CorrelateMessage',
      subscriptionId: subscription.subscriptionId,
      ...(request.variables === undefined ? {} : { variables: request.variables }),
    });
    if (outcome.position !== undefined) await this.projection.waitForPosition(outcome.position);
    const view = this.projection.processInstance(subscription.processInstanceId);
    if (view === undefined) throw new Error(`Process instance ${subscription.processInstanceId} is not in the views after correlating`);
    return view;
  }

  /** Camunda 7: the instance a correlation starts at a message start event, with its business key and variables. */
  private async startByCorrelation(
    start: { processDefinitionId: string; version: number; startEventId: string },
    request: CorrelateMessageRequest,
  ): Promise<ProcessInstanceView> {
    const processInstanceId = randomUUID();
    const outcome = await this.repository.execute(processInstanceId, {
      type: 'CreateProcessInstance',
      processInstanceId,
      processDefinitionId: start.processDefinitionId,
      version: start.version,
      startElementId: start.startEventId,
      ...(request.businessKey === undefined ? {} : { businessKey: request.businessKey }),
      ...(request.variables === undefined ? {} : { variables: request.variables }),
    });
    if (outcome.position !== undefined) await this.projection.waitForPosition(outcome.position);
    const view = this.projection.processInstance(processInstanceId);
    if (view === undefined) throw new Error(`Process instance ${processInstanceId} is not in the views after starting it`);
    return view;
  }

  // ---- buffered messages meet new subscriptions ------------------------------------------------------------------

  /** The oldest live buffered message for a subscription that this instance has not taken yet, correlated. */
  private async correlateBuffered(subscription: OpenMessageSubscription): Promise<void> {
    if (subscription.correlationKey === undefined) return;
    const now = this.clock.now().getTime();
    const taken = this.projection.instanceState(subscription.processInstanceId)?.correlatedMessages ?? {};
    for (const message of this.buffer.values()) {
      if (Date.parse(message.expiresAt) <= now) {
        this.buffer.delete(message.messageKey);
        continue;
      }
      if (message.name !== subscription.messageName || message.correlationKey !== subscription.correlationKey) continue;
      if (taken[message.messageKey] !== undefined) continue;
      const position = await this.correlate(subscription, message.variables, message.messageKey);
      if (position === false) continue;
      // Whoever waits for `idle()` then sees the correlation in the views.
      if (position !== undefined) await this.projection.waitForPosition(position);
      return;
    }
  }

  /** The global position of the appended events, undefined when nothing changed, false when refused as settled. */
  private async correlate(subscription: OpenMessageSubscription, variables: JsonObject, messageKey: string | undefined): Promise<number | undefined | false> {
    try {
      const outcome = await this.repository.execute(subscription.processInstanceId, {
        type: 'CorrelateMessage',
        subscriptionId: subscription.subscriptionId,
        ...(messageKey === undefined ? {} : { messageKey }),
        variables,
      });
      return outcome.position;
    } catch (error) {
      if (error instanceof ProcessInstanceCommandRejectedError && SETTLED.has(error.failure.code)) {
        this.logger.debug(`Message not correlated to subscription ${subscription.subscriptionId} of ${subscription.processInstanceId}: ${error.failure.message}`);
        return false;
      }
      throw error;
    }
  }

  private schedule(work: () => Promise<void>): void {
    if (this.closed) return;
    const running: Promise<void> = work()
      .catch((error: unknown) => this.logger.error(`Message correlation failed: ${String(error)}`))
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  // ---- indexes ---------------------------------------------------------------------------------------------------

  private onInstanceEvent(processInstanceId: string, event: ProcessInstanceEvent, state: ProcessInstanceState): void {
    if (state.correlationKey !== undefined) {
      const key = startKey(state.processId, state.correlationKey);
      if (state.status === 'active') this.startedByKey.set(key, processInstanceId);
      else if (this.startedByKey.get(key) === processInstanceId) {
        this.startedByKey.delete(key);
        // Its key is free again: a buffered message of that key may start the next instance (as Zeebe does).
        const { processId, correlationKey } = state;
        if (this.live) this.schedule(() => this.startBuffered(processId, correlationKey));
      }
    }
    switch (event.type) {
      case 'MessageSubscriptionOpened':
      case 'MessageSubscriptionClosed':
      case 'ProcessInstanceCompleted':
      case 'ProcessInstanceTerminated':
        this.index(processInstanceId, state);
        break;
      default:
        return;
    }
    if (event.type === 'MessageSubscriptionOpened' && this.live) {
      const opened = this.subscriptionsOfInstance.get(processInstanceId)?.find((subscription) => subscription.subscriptionId === event.data.subscriptionId);
      if (opened !== undefined) this.schedule(() => this.correlateBuffered(opened));
    }
  }

  /** The instance's subscriptions as its state has them (so the index is right whatever order it learns things in). */
  private index(processInstanceId: string, state: ProcessInstanceState): void {
    for (const old of this.subscriptionsOfInstance.get(processInstanceId) ?? []) {
      const named = this.subscriptionsByName.get(old.messageName);
      if (named?.delete(old.subscriptionId) && named.size === 0) this.subscriptionsByName.delete(old.messageName);
    }
    const open: OpenMessageSubscription[] =
      state.status !== 'active'
        ? []
        : Object.values(state.messageSubscriptions ?? {}).map((subscription) => ({
            processInstanceId,
            subscriptionId: subscription.id,
            elementId: subscription.elementId,
            messageName: subscription.messageName,
            ...(subscription.correlationKey === undefined ? {} : { correlationKey: subscription.correlationKey }),
          }));
    if (open.length === 0) this.subscriptionsOfInstance.delete(processInstanceId);
    else this.subscriptionsOfInstance.set(processInstanceId, open);
    for (const subscription of open) {
      let named = this.subscriptionsByName.get(subscription.messageName);
      if (named === undefined) this.subscriptionsByName.set(subscription.messageName, (named = new Map()));
      named.set(subscription.subscriptionId, subscription);
    }
  }

  private onMessageEvent(recorded: RecordedEvent): void {
    if (recorded.type !== MESSAGE_PUBLISHED) return;
    const data = recorded.data as unknown as MessagePublishedData;
    if (typeof data.messageKey !== 'string' || typeof data.expiresAt !== 'string') {
      this.logger.warn(`Skipping malformed ${recorded.type} at position ${recorded.position} of ${recorded.streamId}`);
      return;
    }
    // Expired ones are dropped as they are met; a message published long ago does not need keeping at all.
    if (Date.parse(data.expiresAt) <= this.clock.now().getTime()) return;
    this.buffer.set(data.messageKey, { ...data, streamId: recorded.streamId });
  }
}

function startKey(processId: string, correlationKey: string): string {
  return `${processId}\u0000${correlationKey}`;
}

/** A UUID-shaped id derived from `seed` (the same seed gives the same id on every replica). */
function derivedUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

function duplicateMessage(message: PublishMessage, messageKey: string | undefined): ProcessInstanceCommandRejectedError {
  return new ProcessInstanceCommandRejectedError({
    code: 'ALREADY_EXISTS',
    message: `A message '${message.name}' with correlation key '${message.correlationKey}' and id '${message.messageId ?? ''}' is already published and buffered`,
    details: {
      name: message.name,
      correlationKey: message.correlationKey,
      messageId: message.messageId ?? '',
      ...(messageKey === undefined ? {} : { messageKey }),
    },
  });
}

function describeCriteria(request: CorrelateMessageRequest): string {
  const parts = [
    request.correlationKey === undefined ? undefined : `correlation key '${request.correlationKey}'`,
    request.businessKey === undefined ? undefined : `business key '${request.businessKey}'`,
    request.processInstanceId === undefined ? undefined : `process instance '${request.processInstanceId}'`,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? '' : ` with ${parts.join(' and ')}`;
}
