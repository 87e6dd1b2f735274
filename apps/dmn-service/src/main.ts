import { runService } from '@trellis/platform';

import { createDmnServiceApp } from './create-dmn-service-app.js';
import { loadDmnServiceSettings } from './dmn-service.settings.js';

await runService({
  name: 'the dmn-service',
  loggerContext: 'DmnService',
  loadSettings: loadDmnServiceSettings,
  createApp: (settings) => createDmnServiceApp({ settings, shutdownHooks: true }),
  describe: (settings) => `API /api/decision-definitions, OpenAPI /docs, health /health/ready, metrics /metrics, schema ${settings.TRELLIS_DMN_SCHEMA}`,
});
