import { Logger } from '@nestjs/common';
import { describeEventStore, environmentWithFiles, unknownSettings } from '@trellis/platform';

import { ConfigurationError, loadStandaloneSettings } from './configuration.js';
import { createStandaloneApp } from './create-standalone-app.js';

// The process's variables, over `.env.<environment>` and `.env` in the working directory (docs/configuration.md).
const env = environmentWithFiles(process.env, process.cwd());

let settings: ReturnType<typeof loadStandaloneSettings>;
try {
  settings = loadStandaloneSettings(env);
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(error.message);
  process.exit(1);
}

let app: Awaited<ReturnType<typeof createStandaloneApp>>;
try {
  app = await createStandaloneApp({ env, shutdownHooks: true });
  await app.listen(settings.PORT, settings.TRELLIS_HOST);
} catch (error) {
  // Startup problems (data directory in use, port taken) are the operator's to fix: say what, without a stack.
  console.error(`Trellis could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const logger = new Logger('Trellis');
for (const warning of unknownSettings(env)) logger.warn(warning);
const address = app.getHttpServer().address() as { port: number } | string | null;
const port = typeof address === 'object' && address !== null ? address.port : settings.PORT;
logger.log(
  `Trellis is serving at http://localhost:${port} (API /api, OpenAPI /docs, health /health/ready, metrics /metrics, event store ${describeEventStore(settings)})`,
);
