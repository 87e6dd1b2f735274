import { runService } from '@trellis/platform';

import { createRuntimeServiceApp } from './create-runtime-service-app.js';
import { loadRuntimeServiceSettings } from './runtime-service.settings.js';

await runService({
  name: 'the runtime-service',
  loggerContext: 'RuntimeService',
  loadSettings: loadRuntimeServiceSettings,
  createApp: (settings) => createRuntimeServiceApp({ settings, shutdownHooks: true }),
  describe: (settings) => `API /api/process-instances, /api/jobs, /api/user-tasks, /api/incidents, /api/messages, /api/signals, /api/conditionals, /api/async-continuations, Camunda 7 /engine-rest; OpenAPI /docs, health /health/ready, metrics /metrics; event store ${settings.TRELLIS_EVENT_STORE}, relay ${settings.TRELLIS_RELAY_NAME}`,
});
