import type { JsonObject } from '@trellis/engine';

/**
 * An external task: a job (of a service, send or business rule task, or a message throw event) whose type is its
 * topic (`camunda:topic`, or `zeebe:taskDefinition/@type`), fetched and locked by workers (Camunda 7 semantics).
 */
export interface ExternalTaskView {
  readonly id: string;
  readonly topicName: string;
  /** The worker holding it, while its lock has not expired. */
  readonly workerId?: string;
  /** When that lock expires (ISO 8601 UTC). */
  readonly lockExpirationTime?: string;
  /** Attempts left; 0: its JOB_NO_RETRIES incident waits. */
  readonly retries: number;
  /** The message of the last failure (or of the BPMN error nothing caught). */
  readonly errorMessage?: string;
  readonly processInstanceId: string;
  readonly processDefinitionId: string;
  readonly processId: string;
  readonly businessKey?: string;
  readonly elementId: string;
  readonly elementInstanceId: string;
  /** `camunda:taskPriority` of the task (else of its process) when it was created; 0 when the model gives none. */
  readonly priority: number;
  readonly customHeaders: Readonly<Record<string, string>>;
  readonly createdAt: string;
}

/** A task handed to a worker by fetch-and-lock: locked by it, with the variables it asked for. */
export interface LockedExternalTaskView extends ExternalTaskView {
  readonly workerId: string;
  readonly lockExpirationTime: string;
  readonly variables: JsonObject;
}

/** A worker that polled this runtime process. */
export interface ExternalTaskWorkerView {
  readonly workerId: string;
  /** Every topic it asked for, sorted. */
  readonly topics: readonly string[];
  /** ISO 8601 UTC. */
  readonly lastPollAt: string;
  /** Tasks locked by it now (in every replica: the lock store is shared). */
  readonly tasksHeld: number;
  /** Whether a fetch-and-lock request of it is held open now (long polling). */
  readonly waiting: boolean;
  /** False once it has not polled for longer than `TRELLIS_WORKER_UNHEALTHY_AFTER_MS` and no request of it is held open. */
  readonly healthy: boolean;
}
