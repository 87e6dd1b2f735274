import { describeEventStore, runService } from '@trellis/platform';

import { loadStandaloneSettings } from './configuration.js';
import { createStandaloneApp } from './create-standalone-app.js';

await runService({
  name: 'Trellis',
  loggerContext: 'Trellis',
  loadSettings: loadStandaloneSettings,
  createApp: (_settings, env) => createStandaloneApp({ env, shutdownHooks: true }),
  describe: (settings) => `API /api, OpenAPI /docs, health /health/ready, metrics /metrics, event store ${describeEventStore(settings)}`,
});
