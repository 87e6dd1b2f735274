import { runService } from '@trellis/platform';

import { createDeploymentServiceApp } from './create-deployment-service-app.js';
import { loadDeploymentServiceSettings } from './deployment-service.settings.js';

await runService({
  name: 'the deployment-service',
  loggerContext: 'DeploymentService',
  loadSettings: loadDeploymentServiceSettings,
  createApp: (settings) => createDeploymentServiceApp({ settings, shutdownHooks: true }),
  describe: (settings) => `API /api/deployments, /api/process-definitions, Camunda 7 /engine-rest/deployment/create; OpenAPI /docs, health /health/ready, metrics /metrics; event store ${settings.TRELLIS_EVENT_STORE}, relay ${settings.TRELLIS_RELAY_NAME}`,
});
