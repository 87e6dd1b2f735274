// The settings schema of each service of the distributed mode: what the deployment-config check holds every
// environment variable of deploy/compose, deploy/helm and start:distributed to. Each service's own schema where its
// app exports one; until an app lands, the groups docs/configuration.md says it reads.
import {
  eventStoreSettings,
  historySettings,
  httpSettings,
  kafkaSettings,
  postgresSettings,
  relaySettings,
  runtimeSettings,
  type SettingsSchema,
} from '@trellis/platform';

import { taskServiceSettings } from '../../apps/task-service/src/task-service.settings.js';
import type { ServiceName } from './topology.js';

export const SERVICE_SCHEMAS: Readonly<Record<ServiceName, SettingsSchema>> = {
  'deployment-service': { ...httpSettings, ...eventStoreSettings, ...postgresSettings, ...kafkaSettings },
  'runtime-service': { ...httpSettings, ...eventStoreSettings, ...postgresSettings, ...kafkaSettings, ...relaySettings, ...runtimeSettings },
  'task-service': taskServiceSettings,
  'dmn-service': { ...httpSettings, ...postgresSettings, ...kafkaSettings },
  'history-service': { ...httpSettings, ...postgresSettings, ...kafkaSettings, ...historySettings },
};

/** The gateway has no settings: its upstreams are command-line options (tools/distributed/run-gateway.ts). */
export const GATEWAY_SCHEMA: SettingsSchema = {};
