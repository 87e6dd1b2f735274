import { Logger } from '@nestjs/common';
import type { EventEnvelope } from '@trellis/contracts';
import { type DecisionDefinition, type DeploymentCreatedData, resourceKindOf } from '@trellis/deployment';
import type { StreamProjection } from '@trellis/persistence';
import type { EntityManager } from 'typeorm';

/**
 * The dmn-service's store of deployed decisions, fed by the `DeploymentCreated` envelopes of the deployments topic:
 * each decision definition of a deployment (a duplicate lists one that is stored already), and the DMN resources it
 * came from. Run by a `StreamProjectionRunner`, so each deployment is applied exactly once.
 */
export class DecisionDefinitionsProjection implements StreamProjection {
  readonly name = 'decision-definitions';
  private readonly logger = new Logger('DecisionDefinitionsProjection');

  async handle(event: EventEnvelope, manager: EntityManager): Promise<void> {
    if (event.type !== 'DeploymentCreated') return;
    const data = event.data as unknown as Partial<DeploymentCreatedData> | null;
    if (data === null || typeof data !== 'object' || typeof data.deploymentId !== 'string' || !Array.isArray(data.resources)) {
      // The deployment-service wrote it: a shape this version cannot read is logged, not retried for ever.
      this.logger.warn(`DeploymentCreated at revision ${event.revision} has no deployment id or resources: skipped`);
      return;
    }
    const deployedAt = typeof data.deployedAt === 'string' ? data.deployedAt : event.recordedAt;
    for (const resource of data.resources) {
      if (resourceKindOf(resource) !== 'dmn') continue;
      await manager.query(
        'INSERT INTO dmn_resources (deployment_id, resource_name, sha256, xml) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [data.deploymentId, resource.name, resource.sha256, resource.xml],
      );
    }
    // Where each process definition came from: the `deployment` binding of its business rule tasks resolves through it.
    for (const process of data.processDefinitions ?? []) {
      if (typeof process?.id !== 'string' || typeof process.deploymentId !== 'string') continue;
      await manager.query('INSERT INTO process_deployments (process_definition_id, deployment_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        process.id,
        process.deploymentId,
      ]);
    }
    for (const definition of data.decisionDefinitions ?? []) {
      if (!isDecisionDefinition(definition)) {
        this.logger.warn(`A decision definition of deployment ${data.deploymentId} cannot be read: skipped`);
        continue;
      }
      // A duplicate's definition keeps the deployment and time that introduced it: the row stored then stays.
      await manager.query(
        `INSERT INTO decision_definitions (id, decision_id, name, version, version_tag, decision_requirements_id, decision_requirements_name,
           resource_name, deployment_id, deployed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
        [
          definition.id,
          definition.decisionId,
          definition.name ?? null,
          definition.version,
          definition.versionTag ?? null,
          definition.decisionRequirementsId ?? null,
          definition.decisionRequirementsName ?? null,
          definition.resourceName,
          definition.deploymentId,
          deployedAt,
        ],
      );
    }
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query('TRUNCATE decision_definitions, dmn_resources, process_deployments');
  }
}

function isDecisionDefinition(value: unknown): value is DecisionDefinition {
  const definition = value as Partial<DecisionDefinition> | null;
  return (
    definition !== null &&
    typeof definition === 'object' &&
    typeof definition.id === 'string' &&
    typeof definition.decisionId === 'string' &&
    typeof definition.version === 'number' &&
    typeof definition.resourceName === 'string' &&
    typeof definition.deploymentId === 'string'
  );
}
