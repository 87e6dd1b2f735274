import type { JsonObject, JsonValue } from '@trellis/engine';

/** One topic of a fetch-and-lock request, with the filters a task must pass (Camunda 7's `topics[]`). */
export interface FetchTopic {
  readonly topicName: string;
  /** Milliseconds the tasks of this topic stay locked. */
  readonly lockDuration: number;
  /** Only these variables (default: every one visible to the task). */
  readonly variables?: readonly string[];
  /** Only the task's own (local) variables. */
  readonly localVariables?: boolean;
  readonly businessKey?: string;
  readonly processDefinitionId?: string;
  readonly processDefinitionIdIn?: readonly string[];
  /** The process id (Camunda's process definition key). */
  readonly processDefinitionKey?: string;
  readonly processDefinitionKeyIn?: readonly string[];
  /** No task has a tenant yet: a non-empty list matches none. */
  readonly tenantIdIn?: readonly string[];
  readonly withoutTenantId?: boolean;
  /** Variables visible to the task that must equal these values. */
  readonly processVariables?: Readonly<Record<string, JsonValue>>;
}

export interface FetchAndLockRequest {
  readonly workerId: string;
  readonly maxTasks: number;
  /**
   * Higher priority (`camunda:taskPriority`) first, then oldest first; absent or false: oldest first. Tasks are still
   * shared in turn with the other workers waiting.
   */
  readonly usePriority?: boolean;
  /** Milliseconds to hold the request open when no task is there (long polling); 0 or absent: answer at once. */
  readonly asyncResponseTimeout?: number;
  readonly topics: readonly FetchTopic[];
}

export interface ExternalTaskFailure {
  readonly workerId: string;
  readonly errorMessage?: string;
  readonly errorDetails?: string;
  /** Retries left; absent: one fewer, after the model's `camunda:failedJobRetryTimeCycle` interval. 0 raises an incident. */
  readonly retries?: number;
  /** Milliseconds before the task may be fetched again; 0: at once (the model's retry cycle is not waited for). */
  readonly retryTimeout?: number;
}

export interface ExternalTaskBpmnError {
  readonly workerId: string;
  readonly errorCode: string;
  readonly errorMessage?: string;
  readonly variables?: JsonObject;
}

export interface ExternalTaskFilter {
  readonly topicName?: string;
  readonly workerId?: string;
  readonly locked?: boolean;
  readonly notLocked?: boolean;
  readonly processInstanceId?: string;
  readonly withRetriesLeft?: boolean;
  readonly noRetriesLeft?: boolean;
  /** Only tasks whose priority is at least this. */
  readonly priorityHigherThanOrEquals?: number;
  /** Only tasks whose priority is at most this. */
  readonly priorityLowerThanOrEquals?: number;
  readonly limit?: number;
}
