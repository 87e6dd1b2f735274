import { runService } from '@trellis/platform';

import { createTaskServiceApp } from './create-task-service-app.js';
import { loadTaskServiceSettings } from './task-service.settings.js';

await runService({
  name: 'the task-service',
  loggerContext: 'TaskService',
  loadSettings: loadTaskServiceSettings,
  createApp: (settings) => createTaskServiceApp({ settings, shutdownHooks: true }),
  describe: (settings) => `API /api/tasks, OpenAPI /docs, health /health/ready, metrics /metrics, schema ${settings.TRELLIS_TASKS_SCHEMA}`,
});
