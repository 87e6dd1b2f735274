import type { INestApplication } from '@nestjs/common';
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
      'DMN. Decision jobs of business rule tasks are answered here; until the decision engine (issue #8) they end in ' +
      'an incident that says so, and evaluating a decision answers 501.',
    ...(options.shutdownHooks === undefined ? {} : { shutdownHooks: options.shutdownHooks }),
  });
}
