import { Logger } from '@nestjs/common';
import type { EventEnvelope } from '@trellis/contracts';
import type { DeploymentCreatedData, FormDefinition } from '@trellis/deployment';
import type { StreamProjection } from '@trellis/persistence';
import type { EntityManager } from 'typeorm';

/** A deployed form as the task-service keeps it: the definition, its form-js JSON, and when it was deployed. */
export interface StoredFormDefinition extends FormDefinition {
  /** The form-js JSON text as deployed. */
  readonly content: string;
  readonly sha256: string;
  readonly deployedAt: string;
  /**
   * The revision of the `DeploymentCreated` event on the deployments stream that introduced the form: orders the
   * deployments (the latest form deployed from a resource of a name is the one of the highest revision).
   */
  readonly deploymentRevision: number;
}

/**
 * The task-service's store of deployed forms, fed by the `DeploymentCreated` envelopes of the deployments topic (as
 * the dmn-service keeps its decisions): each form definition of a deployment with the JSON of the resource it came
 * from, so that the service can serve a task's form and check completions against it without the runtime. A
 * duplicate lists a form already stored: the row of the deployment that introduced it stays. Run by a
 * `StreamProjectionRunner`, so each deployment is applied exactly once.
 */
export class FormDefinitionsProjection implements StreamProjection {
  readonly name = 'form-definitions';
  private readonly logger = new Logger('FormDefinitionsProjection');

  async handle(event: EventEnvelope, manager: EntityManager): Promise<void> {
    if (event.type !== 'DeploymentCreated') return;
    const data = event.data as unknown as Partial<DeploymentCreatedData> | null;
    if (data === null || typeof data !== 'object' || typeof data.deploymentId !== 'string' || !Array.isArray(data.resources)) {
      // The deployment-service wrote it: a shape this version cannot read is logged, not retried for ever.
      this.logger.warn(`DeploymentCreated at revision ${event.revision} has no deployment id or resources: skipped`);
      return;
    }
    const deployedAt = typeof data.deployedAt === 'string' ? data.deployedAt : event.recordedAt;
    const resources = data.resources;
    for (const definition of data.formDefinitions ?? []) {
      const resource = isFormDefinition(definition) ? resources.find((candidate) => candidate.name === definition.resourceName) : undefined;
      if (!isFormDefinition(definition) || resource === undefined || typeof resource.xml !== 'string') {
        this.logger.warn(`A form definition of deployment ${data.deploymentId} cannot be read or has no resource: skipped`);
        continue;
      }
      await manager.query(
        `INSERT INTO form_definitions (id, form_id, version, resource_name, deployment_id, deployed_at, deployment_revision, sha256, content)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
        [
          definition.id,
          definition.formId,
          definition.version,
          definition.resourceName,
          definition.deploymentId,
          deployedAt,
          event.revision,
          resource.sha256,
          resource.xml,
        ],
      );
    }
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query('TRUNCATE form_definitions');
  }
}

/** Reads the stored forms: by id, the latest of a form id, the latest deployed from a resource of a name. */
export class FormDefinitionStore {
  constructor(private readonly manager: Pick<EntityManager, 'query'>) {}

  async get(id: string): Promise<StoredFormDefinition | undefined> {
    return this.first('WHERE id = $1', [id]);
  }

  /** The highest version of the form id. */
  async latest(formId: string): Promise<StoredFormDefinition | undefined> {
    return this.first('WHERE form_id = $1 ORDER BY version DESC', [formId]);
  }

  /** The form most recently deployed from a resource of that name (the highest version of those deployed together). */
  async latestByResourceName(resourceName: string): Promise<StoredFormDefinition | undefined> {
    return this.first('WHERE resource_name = $1 ORDER BY deployment_revision DESC, version DESC', [resourceName]);
  }

  private async first(where: string, parameters: readonly unknown[]): Promise<StoredFormDefinition | undefined> {
    const rows = (await this.manager.query(`SELECT * FROM form_definitions ${where} LIMIT 1`, [...parameters])) as FormDefinitionRow[];
    const row = rows[0];
    return row === undefined ? undefined : formDefinitionOf(row);
  }
}

interface FormDefinitionRow {
  readonly id: string;
  readonly form_id: string;
  readonly version: number;
  readonly resource_name: string;
  readonly deployment_id: string;
  readonly deployed_at: Date | string;
  readonly deployment_revision: string | number;
  readonly sha256: string;
  readonly content: string;
}

function formDefinitionOf(row: FormDefinitionRow): StoredFormDefinition {
  return {
    id: row.id,
    formId: row.form_id,
    version: row.version,
    resourceName: row.resource_name,
    deploymentId: row.deployment_id,
    deployedAt: row.deployed_at instanceof Date ? row.deployed_at.toISOString() : row.deployed_at,
    deploymentRevision: Number(row.deployment_revision),
    sha256: row.sha256,
    content: row.content,
  };
}

function isFormDefinition(value: unknown): value is FormDefinition {
  const definition = value as Partial<FormDefinition> | null;
  return (
    definition !== null &&
    typeof definition === 'object' &&
    typeof definition.id === 'string' &&
    typeof definition.formId === 'string' &&
    typeof definition.version === 'number' &&
    typeof definition.resourceName === 'string' &&
    typeof definition.deploymentId === 'string'
  );
}
