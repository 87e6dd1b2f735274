import { Logger } from '@nestjs/common';
import { ConfigurationError, environmentWithFiles, unknownSettings } from '@trellis/platform';

import { createHistoryServiceApp } from './create-history-service-app.js';
import { type HistoryServiceSettings, loadHistoryServiceSettings } from './history-service.settings.js';

// The process's variables, over `.env.<environment>` and `.env` in the working directory (docs/configuration.md).
const env = environmentWithFiles(process.env, process.cwd());

let settings: HistoryServiceSettings;
try {
  settings = loadHistoryServiceSettings(env);
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(error.message);
  process.exit(1);
}

let app: Awaited<ReturnType<typeof createHistoryServiceApp>>;
try {
  app = await createHistoryServiceApp({ settings, shutdownHooks: true });
  await app.listen(settings.PORT, settings.TRELLIS_HOST);
} catch (error) {
  // Startup problems (database or Kafka unreachable, port taken) are the operator's to fix: say what, without a stack.
  console.error(`The history-service could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const logger = new Logger('HistoryService');
// Against every Trellis setting: a deployment may give all services one environment.
for (const warning of unknownSettings(env)) logger.warn(warning);
const address = app.getHttpServer().address() as { port: number } | string | null;
const port = typeof address === 'object' && address !== null ? address.port : settings.PORT;
logger.log(
  `The history-service is serving at http://localhost:${port} (API /api/history, OpenAPI /docs, health /health/ready, metrics /metrics, schema ${settings.TRELLIS_HISTORY_SCHEMA})`,
);
