import type { INestApplication } from '@nestjs/common';
import { ENGINE_REST_PATH, camunda7ProblemRenderer } from '@trellis/camunda7-rest';
import { createServiceApp } from '@trellis/platform';
import { CAMUNDA8_REST_PATH, camunda8ProblemRenderer } from '@trellis/tasks';

import { TaskServiceModule, type TaskServiceOptions } from './task-service.module.js';

/** The task-service's HTTP application, initialised (consumer subscribed, outbox publisher running) but not listening. */
export function createTaskServiceApp(options: TaskServiceOptions & { readonly shutdownHooks?: boolean }): Promise<INestApplication> {
  return createServiceApp({
    module: TaskServiceModule.forRoot(options),
    settings: options.settings,
    // Camunda 7's /engine-rest/task and Camunda 8's /v2/user-tasks, each with its own error bodies.
    routesOutsidePrefix: [ENGINE_REST_PATH, CAMUNDA8_REST_PATH],
    problemRenderers: [camunda7ProblemRenderer, camunda8ProblemRenderer],
    title: 'Trellis task-service',
    description:
      'User tasks projected from the runtime’s events: list and filter them; claim, assign, delegate, resolve, change and ' +
      'comment on them, with their history; complete them. A completion is sent to ' +
      'the runtime as a command and shows COMPLETED once the runtime has completed the task.',
    ...(options.shutdownHooks === undefined ? {} : { shutdownHooks: options.shutdownHooks }),
  });
}
