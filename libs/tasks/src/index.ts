export {
  TASKS_DATA_SOURCE,
  TaskConsumerHealthIndicator,
  TasksModule,
  type TasksModuleAsyncOptions,
  type TasksModuleRootOptions,
  TaskOutboxHealthIndicator,
} from './tasks.module.js';
export {
  TASK_OUTBOX_DEFAULTS,
  TASK_SERVICE_GROUP,
  TASK_SERVICE_NAME,
  type TasksModuleOptions,
  type TasksTopicNames,
  topicNamesOf,
} from './tasks.options.js';
export { CreateFormDefinitions1796774400000, CreateUserTasks1796428800000, TASKS_MIGRATIONS, UserTaskListenerDenials1796688000000, UserTaskOperations1796601600000 } from './tasks.migrations.js';
export { UnreadableEventError, UserTaskProjection } from './user-task.projection.js';
export { FormDefinitionStore, FormDefinitionsProjection, type StoredFormDefinition } from './form-definitions.projection.js';
export { type CompletionRequest, DEFAULT_PAGE_SIZE, TaskRepository } from './task.repository.js';
export {
  type OutboxLogger,
  type OutboxPublisherState,
  type OutboxPublisherStatus,
  TaskOutboxPublisher,
  type TaskOutboxPublisherOptions,
} from './task-outbox.publisher.js';
export {
  type TaskConsumerState,
  type TaskConsumerStatus,
  type TaskMessage,
  TaskMessagesConsumer,
  type TaskMessagesConsumerOptions,
  type TaskTopics,
} from './task-messages.consumer.js';
export { ClaimTaskCommand } from './commands/claim-task.command.js';
export { UnclaimTaskCommand } from './commands/unclaim-task.command.js';
export { CompleteTaskCommand } from './commands/complete-task.command.js';
export {
  AddTaskCommentCommand,
  AssignTaskCommand,
  ChangeTaskCandidatesCommand,
  DelegateTaskCommand,
  ResolveTaskCommand,
  UpdateTaskCommand,
} from './commands/task-operations.command.js';
export { GetTaskHistoryQuery, GetTaskQuery, ListTaskCommentsQuery, ListTasksQuery } from './queries/task.queries.js';
export { callerOf, parseVariableConditions } from './api/task-caller.js';
export { Camunda7TasksRestModule, type CamundaTaskDto, camundaTaskOf } from './api/camunda-tasks.controller.js';
export * from './task.views.js';
export {
  CAMUNDA8_REST_PATH,
  Camunda8UserTasksRestModule,
  type Camunda8UserTaskDto,
  camunda8ProblemRenderer,
  camunda8UserTaskOf,
} from './api/camunda8-user-tasks.controller.js';
