import type { DecisionDefinition } from '@trellis/deployment';

/** A deployed decision definition, as the API shows it. */
export interface DecisionDefinitionView extends DecisionDefinition {
  /** When the deployment that introduced this version was made. */
  readonly deployedAt: string;
}

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

export interface DecisionDefinitionFilter {
  readonly decisionId?: string;
  readonly version?: number;
  /** Only the latest version of each decision id. */
  readonly latest?: boolean;
  /** Default 100, at most 1000. */
  readonly limit?: number;
  readonly offset?: number;
}

export interface DecisionDefinitionPage {
  readonly items: readonly DecisionDefinitionView[];
  /** Matching definitions in all pages. */
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

/**
 * The deployed decisions a service knows: the dmn-service's own store in Postgres (filled from the deployments
 * topic), or, in the standalone server, the deployment registry of the same process.
 */
export interface DecisionCatalog {
  /** Ordered by decision id, then version. */
  list(filter: DecisionDefinitionFilter): Promise<DecisionDefinitionPage>;
  get(id: string): Promise<DecisionDefinitionView | undefined>;
  /** The DMN XML of the resource the definition came from, as deployed. */
  xml(id: string): Promise<string | undefined>;
  /** The DMN resources of a deployment, as deployed: the models a decision of it may import. */
  dmnResources(deploymentId: string): Promise<readonly { readonly name: string; readonly xml: string }[]>;
  /**
   * The deployment a process definition (`<processId>:<version>`) came from (the one that introduced it), for the
   * `deployment` binding of its business rule tasks; undefined when the catalog does not know the definition.
   */
  processDeploymentId(processDefinitionId: string): Promise<string | undefined>;
  /** Whether any version of the decision id is deployed. */
  isDeployed(decisionId: string): Promise<boolean>;
}

export const DECISION_CATALOG = Symbol('trellis.DecisionCatalog');

/** The page bounds of a filter, defaulted. */
export function pageOf(filter: Pick<DecisionDefinitionFilter, 'limit' | 'offset'>): { readonly limit: number; readonly offset: number } {
  return { limit: Math.min(filter.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), offset: filter.offset ?? 0 };
}
