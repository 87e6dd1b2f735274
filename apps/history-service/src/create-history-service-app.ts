import type { INestApplication } from '@nestjs/common';
import { createServiceApp } from '@trellis/platform';

import { HistoryServiceModule, type HistoryServiceOptions } from './history-service.module.js';

/** The history-service's HTTP application, initialised (its consumer joining the group) but not listening. */
export function createHistoryServiceApp(options: HistoryServiceOptions & { readonly shutdownHooks?: boolean }): Promise<INestApplication> {
  return createServiceApp({
    module: HistoryServiceModule.forRoot(options),
    settings: options.settings,
    title: 'Trellis history-service',
    description:
      'The history of every process instance, projected from the runtime’s events: process and element instances, ' +
      'variables and their updates, jobs, incidents and user tasks, with filters, sorting and paging; and the rebuild of ' +
      'that read model.',
    ...(options.shutdownHooks === undefined ? {} : { shutdownHooks: options.shutdownHooks }),
  });
}
