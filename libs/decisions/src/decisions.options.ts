import { TOPICS } from '@trellis/contracts';
import type { MessageBus } from '@trellis/messaging';
import type { DataSource } from 'typeorm';

/** The consumer group of the dmn-service (deployments and process-instance events). */
export const DMN_SERVICE_GROUP = 'trellis.dmn-service';

export interface DecisionsTopicNames {
  readonly deployments: string;
  readonly processInstanceEvents: string;
  readonly runtimeCommands: string;
  readonly deadLetter: string;
  /** Where each decision evaluation is published (`DecisionEvaluated`). */
  readonly decisionEvaluations: string;
}

export interface DecisionsModuleOptions {
  /** A data source in the dmn-service's schema, with `DECISIONS_MIGRATIONS` run. */
  readonly dataSource: DataSource;
  readonly bus: MessageBus;
  /** Default `trellis.dmn-service`. */
  readonly groupId?: string;
  /** Default: the `TOPICS` of @trellis/contracts. Tests give topics of their own. */
  readonly topics?: Partial<DecisionsTopicNames>;
  /** Called at shutdown once the consumer stopped: close what the factory opened. */
  readonly dispose?: () => Promise<void>;
}

export function topicNamesOf(options: Pick<DecisionsModuleOptions, 'topics'>): DecisionsTopicNames {
  return {
    deployments: TOPICS.deployments,
    processInstanceEvents: TOPICS.processInstanceEvents,
    runtimeCommands: TOPICS.runtimeCommands,
    deadLetter: TOPICS.deadLetter,
    decisionEvaluations: TOPICS.decisionEvaluations,
    ...options.topics,
  };
}

export const DECISIONS_MODULE_OPTIONS = Symbol('trellis.DecisionsModuleOptions');
