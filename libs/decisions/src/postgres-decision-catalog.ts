import type { DataSource } from 'typeorm';

import { type DecisionCatalog, type DecisionDefinitionFilter, type DecisionDefinitionPage, type DecisionDefinitionView, pageOf } from './decision-catalog.js';

interface DefinitionRow {
  id: string;
  decision_id: string;
  name: string | null;
  version: number;
  version_tag: string | null;
  decision_requirements_id: string | null;
  decision_requirements_name: string | null;
  resource_name: string;
  deployment_id: string;
  deployed_at: Date;
}

const columns =
  'd.id, d.decision_id, d.name, d.version, d.version_tag, d.decision_requirements_id, d.decision_requirements_name, d.resource_name, d.deployment_id, d.deployed_at';

function viewOf(row: DefinitionRow): DecisionDefinitionView {
  return {
    id: row.id,
    decisionId: row.decision_id,
    ...(row.name === null ? {} : { name: row.name }),
    version: row.version,
    ...(row.version_tag === null ? {} : { versionTag: row.version_tag }),
    ...(row.decision_requirements_id === null ? {} : { decisionRequirementsId: row.decision_requirements_id }),
    ...(row.decision_requirements_name === null ? {} : { decisionRequirementsName: row.decision_requirements_name }),
    resourceName: row.resource_name,
    deploymentId: row.deployment_id,
    deployedAt: row.deployed_at.toISOString(),
  };
}

/** The dmn-service's decision definitions, in its schema (`decision_definitions`, `dmn_resources`). */
export class PostgresDecisionCatalog implements DecisionCatalog {
  constructor(private readonly dataSource: DataSource) {}

  async list(filter: DecisionDefinitionFilter): Promise<DecisionDefinitionPage> {
    const { limit, offset } = pageOf(filter);
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    if (filter.decisionId !== undefined) {
      parameters.push(filter.decisionId);
      conditions.push(`d.decision_id = $${parameters.length}`);
    }
    if (filter.version !== undefined) {
      parameters.push(filter.version);
      conditions.push(`d.version = $${parameters.length}`);
    }
    if (filter.latest === true) {
      conditions.push('d.version = (SELECT max(l.version) FROM decision_definitions l WHERE l.decision_id = d.decision_id)');
    }
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const [{ total }]: { total: number }[] = await this.dataSource.query(`SELECT count(*)::int AS total FROM decision_definitions d ${where}`, parameters);
    const rows: DefinitionRow[] = await this.dataSource.query(
      `SELECT ${columns} FROM decision_definitions d ${where} ORDER BY d.decision_id, d.version LIMIT $${parameters.length + 1} OFFSET $${parameters.length + 2}`,
      [...parameters, limit, offset],
    );
    return { items: rows.map(viewOf), total, limit, offset };
  }

  async get(id: string): Promise<DecisionDefinitionView | undefined> {
    const rows: DefinitionRow[] = await this.dataSource.query(`SELECT ${columns} FROM decision_definitions d WHERE d.id = $1`, [id]);
    return rows[0] === undefined ? undefined : viewOf(rows[0]);
  }

  async xml(id: string): Promise<string | undefined> {
    const rows: { xml: string }[] = await this.dataSource.query(
      'SELECT r.xml FROM decision_definitions d JOIN dmn_resources r ON r.deployment_id = d.deployment_id AND r.resource_name = d.resource_name WHERE d.id = $1',
      [id],
    );
    return rows[0]?.xml;
  }

  async dmnResources(deploymentId: string): Promise<readonly { readonly name: string; readonly xml: string }[]> {
    const rows: { resource_name: string; xml: string }[] = await this.dataSource.query(
      'SELECT resource_name, xml FROM dmn_resources WHERE deployment_id = $1 ORDER BY resource_name',
      [deploymentId],
    );
    return rows.map((row) => ({ name: row.resource_name, xml: row.xml }));
  }

  async processDeploymentId(processDefinitionId: string): Promise<string | undefined> {
    const rows: { deployment_id: string }[] = await this.dataSource.query('SELECT deployment_id FROM process_deployments WHERE process_definition_id = $1', [
      processDefinitionId,
    ]);
    return rows[0]?.deployment_id;
  }

  async isDeployed(decisionId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM decision_definitions WHERE decision_id = $1 LIMIT 1', [decisionId]);
    return rows.length > 0;
  }
}
