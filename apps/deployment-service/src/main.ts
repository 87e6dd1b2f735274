import { Logger } from '@nestjs/common';
import { ConfigurationError, environmentWithFiles, unknownSettings } from '@trellis/platform';

import { createDeploymentServiceApp } from './create-deployment-service-app.js';
import { type DeploymentServiceSettings, loadDeploymentServiceSettings } from './deployment-service.settings.js';

// The process's variables, over `.env.<environment>` and `.env` in the working directory (docs/configuration.md).
const env = environmentWithFiles(process.env, process.cwd());

let settings: DeploymentServiceSettings;
try {
  settings = loadDeploymentServiceSettings(env);
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(error.message);
  process.exit(1);
}

let app: Awaited<ReturnType<typeof createDeploymentServiceApp>>;
try {
  app = await createDeploymentServiceApp({ settings, shutdownHooks: true });
  await app.listen(settings.PORT, settings.TRELLIS_HOST);
} catch (error) {
  // Startup problems (event store, Postgres or Kafka unreachable, port taken) are the operator's to fix: say what, without a stack.
  console.error(`The deployment-service could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const logger = new Logger('DeploymentService');
// Against every Trellis setting: a deployment may give all services one environment.
for (const warning of unknownSettings(env)) logger.warn(warning);
const address = app.getHttpServer().address() as { port: number } | string | null;
const port = typeof address === 'object' && address !== null ? address.port : settings.PORT;
logger.log(
  `The deployment-service is serving at http://localhost:${port} (API /api/deployments, /api/process-definitions; OpenAPI /docs, ` +
    `health /health/ready, metrics /metrics; event store ${settings.TRELLIS_EVENT_STORE}, relay ${settings.TRELLIS_RELAY_NAME})`,
);
