import type { INestApplication } from '@nestjs/common';
import { camunda7ProblemRenderer, ENGINE_REST_PATH } from '@trellis/camunda7-rest';
import { createServiceApp } from '@trellis/platform';

import { RuntimeServiceModule, type RuntimeServiceOptions } from './runtime-service.module.js';

/** The runtime-service's HTTP application, initialised (commands consumed, relay started) but not listening. */
export function createRuntimeServiceApp(options: RuntimeServiceOptions & { readonly shutdownHooks?: boolean }): Promise<INestApplication> {
  return createServiceApp({
    module: RuntimeServiceModule.forRoot(options),
    settings: options.settings,
    title: 'Trellis runtime-service',
    description:
      'Process instances, jobs, user tasks and incidents: start instances of deployed process definitions, complete ' +
      'their jobs and user tasks, set variables, resolve incidents, cancel. The same commands are taken over Kafka ' +
      '(trellis.runtime-commands.v1, answered on trellis.runtime-command-results.v1).',
    // Camunda 7's REST API, where its clients look for it, answering errors as Camunda does.
    routesOutsidePrefix: [ENGINE_REST_PATH],
    problemRenderers: [camunda7ProblemRenderer],
    ...(options.shutdownHooks === undefined ? {} : { shutdownHooks: options.shutdownHooks }),
  });
}
