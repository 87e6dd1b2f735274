import { Logger } from '@nestjs/common';
import { ConfigurationError, environmentWithFiles, unknownSettings } from '@trellis/platform';

import { createTaskServiceApp } from './create-task-service-app.js';
import { loadTaskServiceSettings, type TaskServiceSettings } from './task-service.settings.js';

// The process's variables, over `.env.<environment>` and `.env` in the working directory (docs/configuration.md).
const env = environmentWithFiles(process.env, process.cwd());

let settings: TaskServiceSettings;
try {
  settings = loadTaskServiceSettings(env);
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(error.message);
  process.exit(1);
}

let app: Awaited<ReturnType<typeof createTaskServiceApp>>;
try {
  app = await createTaskServiceApp({ settings, shutdownHooks: true });
  await app.listen(settings.PORT, settings.TRELLIS_HOST);
} catch (error) {
  // Startup problems (database or Kafka unreachable, port taken) are the operator's to fix: say what, without a stack.
  console.error(`The task-service could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const logger = new Logger('TaskService');
// Against every Trellis setting: a deployment may give all services one environment.
for (const warning of unknownSettings(env)) logger.warn(warning);
const address = app.getHttpServer().address() as { port: number } | string | null;
const port = typeof address === 'object' && address !== null ? address.port : settings.PORT;
logger.log(
  `The task-service is serving at http://localhost:${port} (API /api/tasks, OpenAPI /docs, health /health/ready, metrics /metrics, schema ${settings.TRELLIS_TASKS_SCHEMA})`,
);
