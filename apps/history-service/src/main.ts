import { runService } from '@trellis/platform';

import { createHistoryServiceApp } from './create-history-service-app.js';
import { loadHistoryServiceSettings } from './history-service.settings.js';

await runService({
  name: 'the history-service',
  loggerContext: 'HistoryService',
  loadSettings: loadHistoryServiceSettings,
  createApp: (settings) => createHistoryServiceApp({ settings, shutdownHooks: true }),
  describe: (settings) => `API /api/history, OpenAPI /docs, health /health/ready, metrics /metrics, schema ${settings.TRELLIS_HISTORY_SCHEMA}`,
});
