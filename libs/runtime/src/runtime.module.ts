import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DefinitionsModule } from '@trellis/deployment';

import { AsyncContinuationsController } from './api/async-continuations.controller.js';
import { ConditionalsController } from './api/conditionals.controller.js';
import { ExternalTasksController } from './api/external-tasks.controller.js';
import { WorkersController } from './api/workers.controller.js';
import { IncidentsController } from './api/incidents.controller.js';
import { JobsController } from './api/jobs.controller.js';
import { MessagesController } from './api/messages.controller.js';
import { SignalsController } from './api/signals.controller.js';
import { ProcessInstancesController } from './api/process-instances.controller.js';
import { UserTasksController } from './api/user-tasks.controller.js';
import { RunAsyncContinuationHandler } from './commands/async-continuation.commands.js';
import { CompleteJobHandler, FailJobHandler, ThrowJobErrorHandler } from './commands/job.commands.js';
import { ProcessInstanceCommandRunner } from './commands/process-instance-command.runner.js';
import {
  ActivateAdHocActivitiesHandler,
  CancelProcessInstanceHandler,
  ResolveIncidentHandler,
  SetVariablesHandler,
} from './commands/process-instance.commands.js';
import { StartProcessInstanceHandler } from './commands/start-process-instance.command.js';
import { EvaluateConditionalStartsHandler } from './commands/evaluate-conditional-starts.command.js';
import { RuntimeCommandConsumer } from './commands/runtime-command.consumer.js';
import { CompleteUserTaskHandler } from './commands/user-task.commands.js';
import { GetUserTaskFormHandler } from './forms/user-task-form.query.js';
import { UserTaskForms } from './forms/user-task-forms.js';
import { ProcessInstanceRepository } from './process-instance.repository.js';
import {
  GetProcessInstanceHandler,
  GetUserTaskHandler,
  ListAsyncContinuationsHandler,
  ListIncidentsHandler,
  ListJobsHandler,
  ListProcessInstancesHandler,
  ListUserTasksHandler,
} from './queries/runtime.queries.js';
import { RuntimeProjection } from './runtime.projection.js';
import { RUNTIME_OPTIONS, type RuntimeOptions } from './runtime.options.js';
import { TimerScheduler } from './timer-scheduler.js';
import { JobExecutor } from './job-executor.js';
import { CallActivityCoordinator } from './call-activities/call-activity-coordinator.js';
import { MessageCorrelator } from './messages/message-correlator.js';
import { MessageTopicConsumer } from './messages/message-topic.consumer.js';
import { SignalBroadcaster } from './signals/signal-broadcaster.js';
import { ExternalTaskService } from './external-tasks/external-task.service.js';
import { EXTERNAL_TASK_LOCK_STORE, type ExternalTaskLockStore } from './external-tasks/external-task-lock-store.js';

/**
 * Runs process instances: start, jobs, user tasks, variables, incidents, cancel, and the read views.
 * Needs the `EVENT_STORE` provider (a global module of the application), optionally `RUNTIME_OPTIONS`,
 * and `CqrsModule.forRoot()` at the root. With `MESSAGE_BUS` provided and `RUNTIME_OPTIONS.commands.consume`, it also
 * takes runtime commands over the bus (`RuntimeCommandConsumer`). Fires due timers (`TimerScheduler`, unless
 * `RUNTIME_OPTIONS.timers.enabled` is false) by the `CLOCK` the application provides, or the system clock, and runs due
 * asynchronous continuations (`JobExecutor`, unless `RUNTIME_OPTIONS.jobExecutor.enabled` is false). Jobs are also
 * external tasks (`ExternalTaskService`): locks in the `EXTERNAL_TASK_LOCK_STORE` the application provides (a Postgres one
 * for replicas), else in memory.
 */
@Module({
  imports: [CqrsModule, DefinitionsModule],
  controllers: [ProcessInstancesController, JobsController, UserTasksController, IncidentsController, MessagesController, SignalsController, ConditionalsController, AsyncContinuationsController, ExternalTasksController, WorkersController],
  providers: [
    ProcessInstanceRepository,
    RuntimeProjection,
    ProcessInstanceCommandRunner,
    RuntimeCommandConsumer,
    TimerScheduler,
    JobExecutor,
    CallActivityCoordinator,
    MessageCorrelator,
    MessageTopicConsumer,
    SignalBroadcaster,
    ExternalTaskService,
    StartProcessInstanceHandler,
    EvaluateConditionalStartsHandler,
    CompleteJobHandler,
    FailJobHandler,
    ThrowJobErrorHandler,
    CompleteUserTaskHandler,
    UserTaskForms,
    GetUserTaskFormHandler,
    SetVariablesHandler,
    ResolveIncidentHandler,
    CancelProcessInstanceHandler,
    ActivateAdHocActivitiesHandler,
    GetProcessInstanceHandler,
    ListProcessInstancesHandler,
    ListJobsHandler,
    ListUserTasksHandler,
    GetUserTaskHandler,
    ListIncidentsHandler,
    ListAsyncContinuationsHandler,
    RunAsyncContinuationHandler,
  ],
  exports: [ProcessInstanceRepository, RuntimeProjection, ProcessInstanceCommandRunner, RuntimeCommandConsumer, TimerScheduler, JobExecutor, CallActivityCoordinator, MessageCorrelator, MessageTopicConsumer, SignalBroadcaster, ExternalTaskService],
})
export class RuntimeModule {
  /**
   * The module with its options (instead of an application-wide `RUNTIME_OPTIONS` provider), and where external-task
   * locks are kept when several replicas share them (`externalTaskLockStore`, e.g. `PostgresExternalTaskLockStore.open`).
   */
  static forRoot(options: Partial<RuntimeOptions>, adapters: { readonly externalTaskLockStore?: () => Promise<ExternalTaskLockStore> } = {}): DynamicModule {
    const { externalTaskLockStore } = adapters;
    return {
      module: RuntimeModule,
      providers: [
        { provide: RUNTIME_OPTIONS, useValue: options },
        ...(externalTaskLockStore === undefined ? [] : [{ provide: EXTERNAL_TASK_LOCK_STORE, useFactory: externalTaskLockStore }]),
      ],
    };
  }
}
