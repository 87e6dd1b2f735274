// One service of the distributed mode as a child process for the end-to-end and fault tests and bench:distributed:
// the same app factories and settings as `apps/<name>/src/main.ts`, with the tests-only options every app has
// (topics and consumer groups of the run's own), so that a test run shares no topic or group with another run or
// with a `start:distributed` on the same broker.
//
//   TRELLIS_TEST_SERVICE=<service name> TRELLIS_TEST_RUN=<run id> node --import ./tools/register.mjs tools/distributed/testing/run-service.ts
//
// The other variables are the service's settings, as for its main.ts.
import type { INestApplication } from '@nestjs/common';

import { createDeploymentServiceApp } from '../../../apps/deployment-service/src/create-deployment-service-app.js';
import { loadDeploymentServiceSettings } from '../../../apps/deployment-service/src/deployment-service.settings.js';
import { createDmnServiceApp } from '../../../apps/dmn-service/src/create-dmn-service-app.js';
import { loadDmnServiceSettings } from '../../../apps/dmn-service/src/dmn-service.settings.js';
import { createHistoryServiceApp } from '../../../apps/history-service/src/create-history-service-app.js';
import { loadHistoryServiceSettings } from '../../../apps/history-service/src/history-service.settings.js';
import { createRuntimeServiceApp } from '../../../apps/runtime-service/src/create-runtime-service-app.js';
import { loadRuntimeServiceSettings } from '../../../apps/runtime-service/src/runtime-service.settings.js';
import { createTaskServiceApp } from '../../../apps/task-service/src/create-task-service-app.js';
import { loadTaskServiceSettings } from '../../../apps/task-service/src/task-service.settings.js';
import { runGroupId, runTopicName, runTopics } from './run-names.js';

const service = process.env['TRELLIS_TEST_SERVICE'] ?? '';
const run = process.env['TRELLIS_TEST_RUN'] ?? '';
if (run === '') {
  console.error('run-service: TRELLIS_TEST_RUN is not set');
  process.exit(2);
}
const env = process.env;
const topicName = (topic: string): string => runTopicName(run, topic);
const topics = runTopics(run);
const groupId = runGroupId(run, service);

async function create(): Promise<{ app: INestApplication; port: number; host: string }> {
  switch (service) {
    case 'deployment-service': {
      const settings = loadDeploymentServiceSettings(env);
      return { app: await createDeploymentServiceApp({ settings, topicName, shutdownHooks: true }), port: settings.PORT, host: settings.TRELLIS_HOST };
    }
    case 'runtime-service': {
      const settings = loadRuntimeServiceSettings(env);
      return { app: await createRuntimeServiceApp({ settings, topicName, groupId, shutdownHooks: true }), port: settings.PORT, host: settings.TRELLIS_HOST };
    }
    case 'task-service': {
      const settings = loadTaskServiceSettings(env);
      return { app: await createTaskServiceApp({ settings, topics, groupId, shutdownHooks: true }), port: settings.PORT, host: settings.TRELLIS_HOST };
    }
    case 'dmn-service': {
      const settings = loadDmnServiceSettings(env);
      return { app: await createDmnServiceApp({ settings, topics, groupId, shutdownHooks: true }), port: settings.PORT, host: settings.TRELLIS_HOST };
    }
    case 'history-service': {
      const settings = loadHistoryServiceSettings(env);
      const app = await createHistoryServiceApp({
        settings,
        groupId,
        topics: [topics.processInstanceEvents, topics.deployments],
        deadLetterTopic: topics.deadLetter,
        decisionEvaluationsTopic: topics.decisionEvaluations,
        shutdownHooks: true,
      });
      return { app, port: settings.PORT, host: settings.TRELLIS_HOST };
    }
    default:
      throw new Error(`TRELLIS_TEST_SERVICE ${JSON.stringify(service)} is not a service of the distributed mode`);
  }
}

try {
  const { app, port, host } = await create();
  await app.listen(port, host);
  console.log(`${service} of run ${run} is serving at http://${host}:${port}`);
} catch (error) {
  console.error(`${service} could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
