import { ConfigurationError, loadConfiguration, logLevelsUpTo, type StandaloneConfiguration } from './configuration.js';
import { createStandaloneApp } from './create-standalone-app.js';

let configuration: StandaloneConfiguration;
try {
  configuration = loadConfiguration(process.env);
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(error.message);
  process.exit(1);
}

let app: Awaited<ReturnType<typeof createStandaloneApp>>;
try {
  app = await createStandaloneApp({
    eventStore: configuration.eventStore,
    dataDir: configuration.dataDir,
    runtime: { instanceCacheSize: configuration.instanceCacheSize },
    logger: logLevelsUpTo(configuration.logLevel),
    shutdownHooks: true,
  });
  await app.listen(configuration.port, configuration.host);
} catch (error) {
  // Startup problems (data directory in use, port taken) are the operator's to fix: say what, without a stack.
  console.error(`Trellis could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const address = app.getHttpServer().address() as { port: number } | string | null;
const port = typeof address === 'object' && address !== null ? address.port : configuration.port;
const data = configuration.eventStore === 'memory' ? 'in memory' : configuration.dataDir;
console.log(`Trellis is serving at http://localhost:${port} (API /api, OpenAPI /docs, data ${data})`);
