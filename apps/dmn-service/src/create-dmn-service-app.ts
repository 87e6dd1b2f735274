import type { INestApplication } from '@nestjs/common';
import { camunda7ProblemRenderer, ENGINE_REST_PATH } from '@trellis/camunda7-rest';
import { CAMUNDA8_REST_PATH } from '@trellis/decisions';
import { createServiceApp } from '@trellis/platform';

import { DmnServiceModule, type DmnServiceOptions } from './dmn-service.module.js';

/** The dmn-service's HTTP application, initialised (consumer subscribed) but not listening. */
export function createDmnServiceApp(options: DmnServiceOptions & { readonly shutdownHooks?: boolean }): Promise<INestApplication> {
  return createServiceApp({
    module: DmnServiceModule.forRoot(options),
    settings: options.settings,
    title: 'Trellis dmn-service',
    description:
      'Deployed DMN decisions (from the deployments the deployment-service publishes), by id and version, with their ' +
      'DMN, evaluated over REST (native, Camunda 7 and Camunda 8). Decision jobs of business rule tasks are evaluated ' +
      'here and completed with the result, or failed with an incident that says why.',
    // Camunda 7's and Camunda 8's decision evaluation, where their clients call them.
    routesOutsidePrefix: [ENGINE_REST_PATH, CAMUNDA8_REST_PATH],
    problemRenderers: [camunda7ProblemRenderer],
    ...(options.shutdownHooks === undefined ? {} : { shutdownHooks: options.shutdownHooks }),
  });
}
