import { DefinitionRegistry } from '@trellis/deployment';

import { type DecisionCatalog, type DecisionDefinitionFilter, type DecisionDefinitionPage, type DecisionDefinitionView, pageOf } from './decision-catalog.js';

/**
 * The decisions of the standalone server: those its deployment registry holds (the server deploys them itself, so the
 * registry is complete). The same views as the dmn-service's store.
 */
export class RegistryDecisionCatalog implements DecisionCatalog {
  constructor(private readonly registry: DefinitionRegistry) {}

  list(filter: DecisionDefinitionFilter): Promise<DecisionDefinitionPage> {
    const { limit, offset } = pageOf(filter);
    const matching = this.registry
      .listDecisions({ ...(filter.decisionId === undefined ? {} : { decisionId: filter.decisionId }), latest: filter.latest === true })
      .filter((definition) => filter.version === undefined || definition.version === filter.version);
    const items = matching.slice(offset, offset + limit).flatMap((definition) => this.viewOf(definition.id) ?? []);
    return Promise.resolve({ items, total: matching.length, limit, offset });
  }

  get(id: string): Promise<DecisionDefinitionView | undefined> {
    return Promise.resolve(this.viewOf(id));
  }

  xml(id: string): Promise<string | undefined> {
    return Promise.resolve(this.registry.decisionXml(id));
  }

  dmnResources(deploymentId: string): Promise<readonly { readonly name: string; readonly xml: string }[]> {
    return Promise.resolve(this.registry.dmnResources(deploymentId));
  }

  processDeploymentId(processDefinitionId: string): Promise<string | undefined> {
    return Promise.resolve(this.registry.get(processDefinitionId)?.deploymentId);
  }

  isDeployed(decisionId: string): Promise<boolean> {
    return Promise.resolve(this.registry.latestDecision(decisionId) !== undefined);
  }

  private viewOf(id: string): DecisionDefinitionView | undefined {
    const definition = this.registry.getDecision(id);
    if (definition === undefined) return undefined;
    return { ...definition, deployedAt: this.registry.decisionDeployedAt(id) ?? '' };
  }
}
