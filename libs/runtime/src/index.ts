export { RuntimeModule } from './runtime.module.js';
export {
  RUNTIME_COMMANDS_GROUP_ID,
  RUNTIME_OPTIONS,
  defaultRuntimeOptions,
  type RuntimeCommandsOptions,
  type RuntimeOptions,
  type TimerSchedulerOptions,
  type JobExecutorOptions,
  type ExternalTasksOptions,
} from './runtime.options.js';
export {
  DEFAULT_WORKER_UNHEALTHY_AFTER_MS,
  ExternalTaskService,
  MAX_ASYNC_RESPONSE_TIMEOUT_MS,
} from './external-tasks/external-task.service.js';
export { EXTERNAL_TASK_LOCK_STORE, type ExternalTaskLock, type ExternalTaskLockStore } from './external-tasks/external-task-lock-store.js';
export { InMemoryExternalTaskLockStore } from './external-tasks/in-memory-external-task-lock-store.js';
export { PostgresExternalTaskLockStore, type PostgresExternalTaskLockStoreOptions } from './external-tasks/postgres-external-task-lock-store.js';
export { shareOut, type WaitingRequest } from './external-tasks/fair-share.js';
export type * from './external-tasks/external-task.requests.js';
export type * from './external-tasks/external-task.views.js';
export { TimerScheduler } from './timer-scheduler.js';
export { JobExecutor } from './job-executor.js';
export { CallActivityCoordinator } from './call-activities/call-activity-coordinator.js';
export { MessageCorrelator, type OpenMessageSubscription, type PublishedMessage } from './messages/message-correlator.js';
export { MESSAGE_STREAM_PREFIX, type MessagePublishedData } from './messages/message-streams.js';
export { MESSAGES_GROUP_ID, MessageTopicConsumer, type MessageTopicOutcome } from './messages/message-topic.consumer.js';
export { SignalBroadcaster, type BroadcastedSignal, type OpenSignalSubscription } from './signals/signal-broadcaster.js';
export { SIGNAL_STREAM_PREFIX } from './signals/signal-streams.js';
export { KeyedMutex } from './keyed-mutex.js';
export {
  ProcessInstanceRepository,
  processInstanceStream,
  PROCESS_INSTANCE_STREAM_PREFIX,
  RECENT_COMMANDS_KEPT,
  type CommandOutcome,
  type ExecuteOptions,
  type LoadedProcessInstance,
} from './process-instance.repository.js';
export {
  PROCESS_INSTANCE_SNAPSHOT_STREAM_PREFIX,
  PROCESS_INSTANCE_SNAPSHOT_VERSION,
  processInstanceSnapshotStream,
} from './process-instance-snapshots.js';
export { ProcessInstanceCommandRunner } from './commands/process-instance-command.runner.js';
export { RuntimeCommandConsumer, type RuntimeCommandOutcome } from './commands/runtime-command.consumer.js';
export {
  RuntimeProjection,
  type AsyncContinuationFilter,
  type JobFilter,
  type OpenJob,
  type ProcessInstanceFilter,
  type UserTaskFilter,
  type WaitingContinuation,
  type WaitingTimer,
} from './runtime.projection.js';
export { ProcessInstanceCommandRejectedError, ProcessInstanceContendedError } from './process-instance-command-rejected.error.js';
export { StartProcessInstanceCommand } from './commands/start-process-instance.command.js';
export {
  EvaluateConditionalStartsCommand,
  type ConditionalEvaluation,
  type ConditionallyStartedInstance,
} from './commands/evaluate-conditional-starts.command.js';
export { CompleteJobCommand, FailJobCommand, ThrowJobErrorCommand } from './commands/job.commands.js';
export { CompleteUserTaskCommand } from './commands/user-task.commands.js';
export { GetUserTaskFormQuery } from './forms/user-task-form.query.js';
export { FORM_VALIDATION_FAILED, UserTaskForms, type UserTaskFormResolution, type UserTaskFormView } from './forms/user-task-forms.js';
export { CancelProcessInstanceCommand, ResolveIncidentCommand, SetVariablesCommand } from './commands/process-instance.commands.js';
export {
  GetProcessInstanceQuery,
  GetUserTaskQuery,
  ListIncidentsQuery,
  ListJobsQuery,
  ListProcessInstancesQuery,
  ListUserTasksQuery,
} from './queries/runtime.queries.js';
export type * from './runtime.views.js';
