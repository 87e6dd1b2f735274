import { createHash, randomUUID } from 'node:crypto';

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, Optional } from '@nestjs/common';
import { DefinitionRegistry } from '@trellis/deployment';
import { CLOCK, type Clock, EVENT_STORE, systemClock } from '@trellis/platform';
import type { JsonObject, JsonValue, ProcessInstanceEvent } from '@trellis/engine';
import type { EventStore, RecordedEvent } from '@trellis/event-store';

import { ProcessInstanceCommandRejectedError } from '../process-instance-command-rejected.error.js';
import { ProcessInstanceRepository } from '../process-instance.repository.js';
import { RuntimeProjection } from '../runtime.projection.js';
import {
  SIGNAL_BROADCAST,
  SIGNAL_BROADCAST_COMPLETED,
  SIGNAL_EVENT_SCHEMA_VERSION,
  SIGNAL_STREAM_PREFIX,
  type SignalBroadcastCompletedData,
  type SignalBroadcastData,
  signalStream,
} from './signal-streams.js';

/** An open signal subscription of a live instance, with the global position of the event that opened it. */
export interface OpenSignalSubscription {
  readonly processInstanceId: string;
  readonly subscriptionId: string;
  readonly elementId: string;
  readonly signalName: string;
  readonly openedAt: number;
}

/** A broadcast not yet delivered everywhere: it reaches the subscriptions opened before `position`. */
interface PendingBroadcast {
  readonly signalId: string;
  readonly signalName: string;
  readonly variables: JsonObject;
  readonly position: number;
  /**
   * A thrown signal that its own instance already delivered to its own subscriptions (`deliveredInInstance`): the
   * broadcast leaves that instance out, so each of its subscriptions gets it once, inside the thrower's decision.
   */
  readonly deliveredInInstance?: string;
}

export interface BroadcastSignal {
  readonly signalName: string;
  readonly variables?: JsonObject;
}

export interface BroadcastedSignal {
  readonly signalId: string;
  /** How many subscriptions it reached. */
  readonly reached: number;
  /** The instances it reached, each once, in the order they took it. */
  readonly processInstanceIds: readonly string[];
  /** The instances it started at signal start events. */
  readonly startedProcessInstanceIds: readonly string[];
}

/**
 * The id of the instance a broadcast starts at a signal start event of a process definition: the same on every replica
 * and after a restart, so that a second start finds the stream there (answered as a duplicate) and starts nothing.
 */
export function signalStartInstanceId(signalId: string, processDefinitionId: string, startEventId: string): string {
  const hex = createHash('sha256').update(`signal\n${signalId}\n${processDefinitionId}\n${startEventId}`, 'utf8').digest('hex');
  // UUID layout, version 8 (custom, name-based) and the RFC 4122 variant.
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Rejections that mean the subscription had left, or had this broadcast already (another replica, a delivery
 * repeated after a restart, a race with the element leaving).
 */
const SETTLED = new Set(['ALREADY_EXISTS', 'INVALID_STATE', 'NOT_FOUND']);
const MAX_ATTEMPTS = 6;

/**
 * Broadcasts signals: to every subscription of the signal's name, in every instance of every process, open when the
 * broadcast was recorded (one opened afterwards does not get it, as in Zeebe), and to every signal start event of that
 * name in the latest version of each process, which starts an instance under an id derived from the broadcast. A broadcast over the API is recorded
 * first (stream `signal-<id>`); a signal throw event's is its SignalThrown, whose own instance's subscriptions already
 * received it in the thrower's decision (`deliveredInInstance`): they are left out. Each delivery is a `ReceiveSignal` carrying
 * the broadcast's id, which an instance accepts once per subscription, so replicas that all deliver a thrown signal,
 * and a delivery resumed after a restart, change each subscription once. Once every subscription has it,
 * SignalBroadcastCompleted is recorded; at startup, broadcasts without it are delivered again (to the subscriptions
 * opened before them that are still open).
 */
@Injectable()
export class SignalBroadcaster implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SignalBroadcaster.name);
  private readonly clock: Clock;
  /** Open subscriptions by signal name, then subscription id. */
  private readonly subscriptionsByName = new Map<string, Map<string, OpenSignalSubscription>>();
  private readonly subscriptionsOfInstance = new Map<string, Set<OpenSignalSubscription>>();
  /** Broadcasts recorded but not completed, by signal id. */
  private readonly pending = new Map<string, PendingBroadcast>();
  private readonly stopObserving: (() => void)[] = [];
  private live = false;
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly projection: RuntimeProjection,
    private readonly repository: ProcessInstanceRepository,
    private readonly registry: DefinitionRegistry,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(CLOCK) clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
    // Registered before the projection catches up at startup, so the index and the pending broadcasts are rebuilt with it.
    this.stopObserving.push(
      projection.observeEvents((processInstanceId, event, _state, position) => this.onInstanceEvent(processInstanceId, event, position)),
      projection.observeStreams(SIGNAL_STREAM_PREFIX, (recorded) => this.onSignalEvent(recorded)),
    );
  }

  /** Caught up: deliver what a restart (or a crash in the middle of a broadcast) left undelivered. */
  onApplicationBootstrap(): void {
    this.live = true;
    for (const broadcast of this.pending.values()) this.schedule(() => this.deliver(broadcast).then(() => undefined));
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const stop of this.stopObserving) stop();
    await this.idle();
  }

  /** Resolves when no delivery started by an event is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** The open subscriptions of a signal name. */
  openSubscriptions(signalName: string): OpenSignalSubscription[] {
    return [...(this.subscriptionsByName.get(signalName)?.values() ?? [])];
  }

  /** Broadcasts not yet delivered everywhere (tests, operations). */
  pendingBroadcasts(): number {
    return this.pending.size;
  }

  /** Records the broadcast, then delivers it to every subscription of its name open at that moment. */
  async broadcast(signal: BroadcastSignal): Promise<BroadcastedSignal> {
    const signalId = randomUUID();
    const data: SignalBroadcastData = {
      signalId,
      signalName: signal.signalName,
      variables: signal.variables ?? {},
      broadcastAt: this.clock.now().toISOString(),
    };
    const appended = await this.store.appendToStream(
      signalStream(signalId),
      [{ id: randomUUID(), type: SIGNAL_BROADCAST, data: data as unknown as JsonValue, metadata: { schemaVersion: SIGNAL_EVENT_SCHEMA_VERSION } }],
      { expectedRevision: 'no_stream' },
    );
    // Every subscription opened before the record is in the index once the views include it.
    await this.projection.waitForPosition(appended.position);
    const broadcast: PendingBroadcast = { signalId, signalName: data.signalName, variables: data.variables, position: appended.position };
    const { reached, started } = await this.deliver(broadcast);
    return { signalId, reached: reached.length, processInstanceIds: [...new Set(reached)], startedProcessInstanceIds: started };
  }

  /**
   * Sends the broadcast to every subscription opened before it, then records that it is complete. Returns the
   * instance of each subscription that took it. A failure other than a settled refusal is retried; one that persists
   * leaves the broadcast pending, to be resumed at the next start.
   */
  private async deliver(broadcast: PendingBroadcast): Promise<{ reached: string[]; started: string[] }> {
    const targets = this.openSubscriptions(broadcast.signalName).filter(
      (subscription) => subscription.openedAt < broadcast.position && subscription.processInstanceId !== broadcast.deliveredInInstance,
    );
    const reached: string[] = [];
    const positions: number[] = [];
    let failed = 0;
    for (const subscription of targets) {
      const outcome = await this.receive(subscription, broadcast);
      if (outcome === 'failed') failed++;
      else if (outcome !== 'settled') {
        reached.push(subscription.processInstanceId);
        if (outcome !== undefined) positions.push(outcome);
      }
    }
    const started: string[] = [];
    for (const start of await this.signalStarts(broadcast.signalName)) {
      const outcome = await this.startInstance(start, broadcast);
      if (outcome === 'failed') failed++;
      else if (outcome !== 'settled') {
        started.push(outcome.processInstanceId);
        if (outcome.position !== undefined) positions.push(outcome.position);
      }
    }
    if (failed === 0) await this.complete(broadcast, reached.length + started.length);
    else this.logger.error(`Signal '${broadcast.signalName}' (${broadcast.signalId}) did not reach ${failed} subscription(s): it is delivered again at the next start`);
    // Read-your-writes: the views show what the signal did once the caller has the answer.
    if (positions.length > 0) await this.projection.waitForPosition(Math.max(...positions));
    return { reached, started };
  }

  /** The signal start events of this name in the latest version of each process, as the registry knows them now. */
  private async signalStarts(signalName: string): Promise<{ processDefinitionId: string; version: number; startEventId: string }[]> {
    // In the distributed mode the deployment-service deploys: a version deployed moments ago counts.
    await this.registry.catchUp();
    const starts: { processDefinitionId: string; version: number; startEventId: string }[] = [];
    for (const definition of this.registry.list({ latest: true })) {
      const executable = this.registry.executableProcess(definition.id);
      if (executable === undefined || !('process' in executable)) continue;
      for (const startEventId of executable.process.signalStartEventIds ?? []) {
        const node = executable.process.elements[startEventId];
        if (node?.kind === 'startEvent' && node.signalName === signalName) starts.push({ processDefinitionId: definition.id, version: definition.version, startEventId });
      }
    }
    return starts;
  }

  /** Starts the instance of one signal start event for a broadcast, once whoever asks (replicas, a resumed delivery). */
  private async startInstance(
    start: { processDefinitionId: string; version: number; startEventId: string },
    broadcast: PendingBroadcast,
  ): Promise<{ processInstanceId: string; position: number | undefined } | 'settled' | 'failed'> {
    const processInstanceId = signalStartInstanceId(broadcast.signalId, start.processDefinitionId, start.startEventId);
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.repository.execute(
          processInstanceId,
          {
            type: 'CreateProcessInstance',
            processInstanceId,
            processDefinitionId: start.processDefinitionId,
            version: start.version,
            startElementId: start.startEventId,
            variables: broadcast.variables,
          },
          { commandId: processInstanceId },
        );
        return outcome.duplicate ? 'settled' : { processInstanceId, position: outcome.position };
      } catch (error) {
        if (error instanceof ProcessInstanceCommandRejectedError && SETTLED.has(error.failure.code)) return 'settled';
        if (attempt >= MAX_ATTEMPTS || this.closed) {
          this.logger.error(`Signal ${broadcast.signalId} could not start ${start.processDefinitionId} at ${start.startEventId} (${attempt} attempt(s)): ${String(error)}`);
          return 'failed';
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 50 * 2 ** attempt)));
      }
    }
  }

  /** The position of the instance's new events (undefined: none), `settled` when refused as done, `failed` when it gave up. */
  private async receive(subscription: OpenSignalSubscription, broadcast: PendingBroadcast): Promise<number | undefined | 'settled' | 'failed'> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.repository.execute(subscription.processInstanceId, {
          type: 'ReceiveSignal',
          subscriptionId: subscription.subscriptionId,
          signalId: broadcast.signalId,
          variables: broadcast.variables,
        });
        return outcome.position;
      } catch (error) {
        if (error instanceof ProcessInstanceCommandRejectedError && SETTLED.has(error.failure.code)) {
          this.logger.debug?.(`Signal ${broadcast.signalId} not received by ${subscription.subscriptionId} of ${subscription.processInstanceId}: ${error.failure.message}`);
          return 'settled';
        }
        if (attempt >= MAX_ATTEMPTS || this.closed) {
          this.logger.error(`Signal ${broadcast.signalId} to ${subscription.processInstanceId} failed ${attempt} time(s): ${String(error)}`);
          return 'failed';
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 50 * 2 ** attempt)));
      }
    }
  }

  private async complete(broadcast: PendingBroadcast, reached: number): Promise<void> {
    const data: SignalBroadcastCompletedData = { signalId: broadcast.signalId, reached };
    // 'any': two replicas completing one thrown signal both say so; the second record changes nothing.
    const appended = await this.store.appendToStream(
      signalStream(broadcast.signalId),
      [{ id: randomUUID(), type: SIGNAL_BROADCAST_COMPLETED, data: data as unknown as JsonValue, metadata: { schemaVersion: SIGNAL_EVENT_SCHEMA_VERSION } }],
      { expectedRevision: 'any' },
    );
    this.pending.delete(broadcast.signalId);
    await this.projection.waitForPosition(appended.position);
  }

  private schedule(work: () => Promise<void>): void {
    if (this.closed) return;
    const running: Promise<void> = work()
      .catch((error: unknown) => this.logger.error(`Signal broadcast failed: ${String(error)}`))
      .finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
  }

  // ---- indexes ---------------------------------------------------------------------------------------------------

  private onInstanceEvent(processInstanceId: string, event: ProcessInstanceEvent, position: number): void {
    switch (event.type) {
      case 'SignalSubscriptionOpened': {
        const subscription: OpenSignalSubscription = {
          processInstanceId,
          subscriptionId: event.data.subscriptionId,
          elementId: event.data.elementId,
          signalName: event.data.signalName,
          openedAt: position,
        };
        let named = this.subscriptionsByName.get(subscription.signalName);
        if (named === undefined) this.subscriptionsByName.set(subscription.signalName, (named = new Map()));
        named.set(subscription.subscriptionId, subscription);
        let ofInstance = this.subscriptionsOfInstance.get(processInstanceId);
        if (ofInstance === undefined) this.subscriptionsOfInstance.set(processInstanceId, (ofInstance = new Set()));
        ofInstance.add(subscription);
        break;
      }
      case 'SignalSubscriptionClosed':
        for (const subscription of this.subscriptionsOfInstance.get(processInstanceId) ?? []) {
          if (subscription.subscriptionId === event.data.subscriptionId) this.forget(subscription);
        }
        break;
      case 'ProcessInstanceCompleted':
      case 'ProcessInstanceTerminated':
        // An ended instance waits for nothing, whatever events it wrote before.
        for (const subscription of this.subscriptionsOfInstance.get(processInstanceId) ?? []) this.forget(subscription);
        break;
      case 'SignalThrown': {
        const broadcast: PendingBroadcast = {
          signalId: event.data.signalId,
          signalName: event.data.signalName,
          variables: event.data.variables,
          position,
          ...(event.data.deliveredInInstance === true ? { deliveredInInstance: processInstanceId } : {}),
        };
        this.pending.set(broadcast.signalId, broadcast);
        // While catching up, only remember it: what is still pending when caught up is delivered then.
        if (this.live) this.schedule(() => this.deliver(broadcast).then(() => undefined));
        break;
      }
      default:
        break;
    }
  }

  private forget(subscription: OpenSignalSubscription): void {
    const named = this.subscriptionsByName.get(subscription.signalName);
    if (named?.delete(subscription.subscriptionId) && named.size === 0) this.subscriptionsByName.delete(subscription.signalName);
    const ofInstance = this.subscriptionsOfInstance.get(subscription.processInstanceId);
    if (ofInstance?.delete(subscription) && ofInstance.size === 0) this.subscriptionsOfInstance.delete(subscription.processInstanceId);
  }

  private onSignalEvent(recorded: RecordedEvent): void {
    const data = recorded.data as Partial<SignalBroadcastData> | null;
    if (data === null || typeof data.signalId !== 'string') {
      this.logger.warn(`Skipping malformed ${recorded.type} at position ${recorded.position} of ${recorded.streamId}`);
      return;
    }
    if (recorded.type === SIGNAL_BROADCAST_COMPLETED) {
      this.pending.delete(data.signalId);
    } else if (recorded.type === SIGNAL_BROADCAST && typeof data.signalName === 'string') {
      // The API call that recorded it delivers it; this is for resuming after a restart.
      this.pending.set(data.signalId, { signalId: data.signalId, signalName: data.signalName, variables: data.variables ?? {}, position: recorded.position });
    }
  }
}
