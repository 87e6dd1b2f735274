import type { INestApplication } from '@nestjs/common';
import { camunda7ProblemRenderer, ENGINE_REST_PATH } from '@trellis/camunda7-rest';
import { createServiceApp } from '@trellis/platform';

import { DeploymentServiceModule, type DeploymentServiceOptions } from './deployment-service.module.js';

/** The deployment-service's HTTP application, initialised (definitions loaded, relay started) but not listening. */
export function createDeploymentServiceApp(options: DeploymentServiceOptions & { readonly shutdownHooks?: boolean }): Promise<INestApplication> {
  return createServiceApp({
    module: DeploymentServiceModule.forRoot(options),
    settings: options.settings,
    title: 'Trellis deployment-service',
    description:
      'Deployments of BPMN, DMN and form resources, all or nothing, versioned per process id, decision id and form id; ' +
      'process definitions and their BPMN. Each deployment is published on trellis.deployments.v1 for the other services.',
    // Camunda 7's REST API, where its clients look for it, answering errors as Camunda does.
    routesOutsidePrefix: [ENGINE_REST_PATH],
    problemRenderers: [camunda7ProblemRenderer],
    ...(options.shutdownHooks === undefined ? {} : { shutdownHooks: options.shutdownHooks }),
  });
}
