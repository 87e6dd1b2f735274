// The settings of each service of the distributed mode, as its app defines them: what the deployment-config check
// holds every environment variable of deploy/compose, deploy/helm and start:distributed to. `load` is the app's own
// loader (its defaults, then validation), so a value passes the check exactly when the service would start with it.
import type { Env, SettingsSchema } from '@trellis/platform';

import { deploymentServiceSettings, loadDeploymentServiceSettings } from '../../apps/deployment-service/src/deployment-service.settings.js';
import { dmnServiceSettings, loadDmnServiceSettings } from '../../apps/dmn-service/src/dmn-service.settings.js';
import { historyServiceSettings, loadHistoryServiceSettings } from '../../apps/history-service/src/history-service.settings.js';
import { loadRuntimeServiceSettings, runtimeServiceSettings } from '../../apps/runtime-service/src/runtime-service.settings.js';
import { loadTaskServiceSettings, taskServiceSettings } from '../../apps/task-service/src/task-service.settings.js';
import type { ServiceName } from './topology.js';

export interface ServiceSettings {
  readonly schema: SettingsSchema;
  /** Reads and validates the settings as the service does at startup; throws a `ConfigurationError` listing problems. */
  readonly load: (env: Env) => unknown;
}

export const SERVICE_SETTINGS: Readonly<Record<ServiceName, ServiceSettings>> = {
  'deployment-service': { schema: deploymentServiceSettings, load: loadDeploymentServiceSettings },
  'runtime-service': { schema: runtimeServiceSettings, load: loadRuntimeServiceSettings },
  'task-service': { schema: taskServiceSettings, load: loadTaskServiceSettings },
  'dmn-service': { schema: dmnServiceSettings, load: loadDmnServiceSettings },
  'history-service': { schema: historyServiceSettings, load: loadHistoryServiceSettings },
};

/** The gateway has no settings: its upstreams are command-line options (tools/distributed/run-gateway.ts). */
export const GATEWAY_SETTINGS: ServiceSettings = { schema: {}, load: () => undefined };
