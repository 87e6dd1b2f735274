import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { compile, type ExecutableProcess } from '@trellis/engine';
import type { EventStore } from '@trellis/event-store';
import { EVENT_STORE } from '@trellis/platform';

import {
  type DecisionDefinition,
  DEPLOYMENTS_STREAM,
  type DeploymentCreatedData,
  type FormDefinition,
  type ProcessDefinition,
  resourceKindOf,
} from './deployment.events.js';
import { VersionedDefinitions } from './versioned-definitions.js';

interface RegisteredDefinition {
  readonly definition: ProcessDefinition;
  readonly sha256: string;
  readonly xml: string;
  readonly deployedAt: string;
  /** Absent when this version of the engine cannot compile a resource an earlier version accepted. */
  readonly process?: ExecutableProcess;
  readonly compileProblem?: string;
}

/** What each resource of a deployment compiled to, by resource name. */
export type CompiledResources = ReadonlyMap<string, { readonly processes?: readonly ExecutableProcess[]; readonly problem?: string }>;

/** Compiles the BPMN resources of a stored deployment again (this version of the engine may differ from the one that deployed). */
async function compileResources(data: DeploymentCreatedData): Promise<CompiledResources> {
  const compiled = new Map<string, { processes?: readonly ExecutableProcess[]; problem?: string }>();
  for (const resource of data.resources) {
    if (resourceKindOf(resource) !== 'bpmn') continue;
    const result = await compile(resource.xml);
    compiled.set(resource.name, result.ok ? { processes: result.value.processes } : { problem: result.error.map((error) => error.message).join('; ') });
  }
  return compiled;
}

/** A deployment as listed: what was deployed when, without its resources. */
export interface DeploymentSummary {
  readonly id: string;
  readonly name: string;
  readonly deployedAt: string;
  /** The names of its resources, in the order deployed. */
  readonly resourceNames: readonly string[];
}

export interface DefinitionFilter {
  readonly processId?: string;
  /** Only the latest version of each process id. */
  readonly latest?: boolean;
}

/**
 * The deployed process definitions and their compiled models, and the deployed decision and form definitions with
 * their resources, in memory. The `deployments` stream is the truth: the registry is rebuilt from it at startup.
 */
@Injectable()
export class DefinitionRegistry implements OnModuleInit {
  private readonly logger = new Logger(DefinitionRegistry.name);
  private readonly definitions = new Map<string, RegisteredDefinition>();
  private readonly latestByProcessId = new Map<string, RegisteredDefinition>();
  private readonly decisionDefinitions = new VersionedDefinitions<DecisionDefinition>((definition) => definition.decisionId);
  private readonly formDefinitions = new VersionedDefinitions<FormDefinition>((definition) => definition.formId);
  /** Every deployment applied, oldest first. */
  private readonly deploymentList: DeploymentSummary[] = [];
  /** The DMN resources of each deployment (what a DMN model of it may import), by deployment id. */
  private readonly dmnByDeployment = new Map<string, { readonly name: string; readonly xml: string }[]>();
  /** Revision of the last deployment applied; undefined while the stream does not exist. */
  private streamRevision: number | undefined;
  /** The catch-up reading the stream now, and the one that will read after it (shared by the calls meanwhile). */
  private currentCatchUp: Promise<void> | undefined;
  private nextCatchUp: Promise<void> | undefined;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
  }

  /** Reads the whole `deployments` stream again (at startup, or after another writer appended). */
  async reload(): Promise<void> {
    const started = performance.now();
    const events = await this.store.readStream(DEPLOYMENTS_STREAM);
    // Compile first, then swap: the registry never shows a half-loaded state.
    const deployments: { data: DeploymentCreatedData; revision: number; compiled: CompiledResources }[] = [];
    for (const event of events) {
      if (event.type !== 'DeploymentCreated') continue;
      const data = event.data as unknown as DeploymentCreatedData;
      deployments.push({ data, revision: event.revision, compiled: await compileResources(data) });
    }
    this.definitions.clear();
    this.latestByProcessId.clear();
    this.decisionDefinitions.clear();
    this.formDefinitions.clear();
    this.deploymentList.length = 0;
    this.dmnByDeployment.clear();
    this.streamRevision = undefined;
    for (const { data, revision, compiled } of deployments) this.apply(data, revision, compiled);
    this.streamRevision = events.at(-1)?.revision;
    this.logger.log(
      `Loaded ${this.definitions.size} process, ${this.decisionDefinitions.size} decision and ${this.formDefinitions.size} form definition(s) ` +
        `from ${deployments.length} deployment(s) in ${Math.round(performance.now() - started)} ms`,
    );
  }

  get revision(): number | undefined {
    return this.streamRevision;
  }

  /**
   * Applies the deployments appended since the registry's revision by another process (in the distributed mode the
   * deployment-service deploys, and the runtime-service's registry catches up). Resolves once every deployment stored
   * when it was called is applied; calls made while one reads wait for the next read, which they share.
   */
  catchUp(): Promise<void> {
    if (this.nextCatchUp !== undefined) return this.nextCatchUp;
    if (this.currentCatchUp === undefined) return this.startCatchUp();
    const next = this.currentCatchUp.catch(() => undefined).then(() => {
      this.nextCatchUp = undefined;
      return this.startCatchUp();
    });
    this.nextCatchUp = next;
    return next;
  }

  private startCatchUp(): Promise<void> {
    const current = (async () => {
      const head = await this.store.streamRevision(DEPLOYMENTS_STREAM);
      if (head === undefined || (this.streamRevision !== undefined && head <= this.streamRevision)) return;
      const events = await this.store.readStream(DEPLOYMENTS_STREAM, { fromRevision: (this.streamRevision ?? -1) + 1 });
      for (const event of events) {
        if (event.type !== 'DeploymentCreated') continue;
        const data = event.data as unknown as DeploymentCreatedData;
        this.apply(data, event.revision, await compileResources(data));
      }
      if (events.length > 0) this.logger.log(`Caught up with the deployments stream at revision ${this.streamRevision ?? -1}`);
    })();
    this.currentCatchUp = current;
    void current.finally(() => {
      if (this.currentCatchUp === current) this.currentCatchUp = undefined;
    }).catch(() => undefined);
    return current;
  }

  /**
   * Applies a deployment appended at `revision`, with the processes its resources compiled to, by resource name.
   * A revision already applied is passed over (the deploying handler and a catch-up may both see it).
   */
  apply(data: DeploymentCreatedData, revision: number, compiled: CompiledResources): void {
    if (this.streamRevision !== undefined && revision <= this.streamRevision) return;
    this.deploymentList.push({ id: data.deploymentId, name: data.name, deployedAt: data.deployedAt, resourceNames: data.resources.map((resource) => resource.name) });
    const dmn = data.resources.filter((resource) => resourceKindOf(resource) === 'dmn').map((resource) => ({ name: resource.name, xml: resource.xml }));
    if (dmn.length > 0) this.dmnByDeployment.set(data.deploymentId, dmn);
    for (const definition of data.processDefinitions) {
      if (this.definitions.has(definition.id)) continue;
      const resource = data.resources.find((candidate) => candidate.name === definition.resourceName);
      if (!resource) continue;
      const outcome = compiled.get(resource.name);
      const process = outcome?.processes?.find((candidate) => candidate.id === definition.processId);
      const registered: RegisteredDefinition = {
        definition,
        sha256: resource.sha256,
        xml: resource.xml,
        deployedAt: data.deployedAt,
        ...(process ? { process } : { compileProblem: outcome?.problem ?? `the resource defines no process ${definition.processId}` }),
      };
      if (!process) {
        this.logger.warn(`Process definition ${definition.id} cannot be executed by this version: ${registered.compileProblem}`);
      }
      this.definitions.set(definition.id, registered);
      const latest = this.latestByProcessId.get(definition.processId);
      if (!latest || latest.definition.version < definition.version) this.latestByProcessId.set(definition.processId, registered);
    }
    const resourceNamed = (name: string) => data.resources.find((candidate) => candidate.name === name);
    for (const definition of data.decisionDefinitions ?? []) {
      const resource = resourceNamed(definition.resourceName);
      if (resource) this.decisionDefinitions.add(definition, resource.sha256, resource.xml, data.deployedAt);
    }
    for (const definition of data.formDefinitions ?? []) {
      const resource = resourceNamed(definition.resourceName);
      if (resource) this.formDefinitions.add(definition, resource.sha256, resource.xml, data.deployedAt);
    }
    this.streamRevision = revision;
  }

  /** Every deployment, oldest first. */
  deployments(): readonly DeploymentSummary[] {
    return this.deploymentList;
  }

  list(filter: DefinitionFilter = {}): ProcessDefinition[] {
    const source = filter.latest ? this.latestByProcessId.values() : this.definitions.values();
    return [...source]
      .map((registered) => registered.definition)
      .filter((definition) => filter.processId === undefined || definition.processId === filter.processId)
      .sort((a, b) => (a.processId === b.processId ? a.version - b.version : a.processId < b.processId ? -1 : 1));
  }

  get(id: string): ProcessDefinition | undefined {
    return this.definitions.get(id)?.definition;
  }

  xml(id: string): string | undefined {
    return this.definitions.get(id)?.xml;
  }

  /** When the deployment that introduced a process definition was made (where its timer start events count from). */
  deployedAt(id: string): string | undefined {
    return this.definitions.get(id)?.deployedAt;
  }

  latest(processId: string): ProcessDefinition | undefined {
    return this.latestByProcessId.get(processId)?.definition;
  }

  /** The SHA-256 of the resource holding the latest version of a process id: duplicate detection. */
  latestSha256(processId: string): string | undefined {
    return this.latestByProcessId.get(processId)?.sha256;
  }

  /** Decision definitions, ordered by decision id, then version. */
  listDecisions(filter: { readonly decisionId?: string; readonly latest?: boolean } = {}): DecisionDefinition[] {
    return this.decisionDefinitions.list({ ...(filter.decisionId === undefined ? {} : { key: filter.decisionId }), latest: filter.latest === true });
  }

  getDecision(id: string): DecisionDefinition | undefined {
    return this.decisionDefinitions.get(id);
  }

  /** The DMN resources of a deployment, as deployed: the models its decisions may import. */
  dmnResources(deploymentId: string): readonly { readonly name: string; readonly xml: string }[] {
    return this.dmnByDeployment.get(deploymentId) ?? [];
  }

  /** The DMN XML of the resource a decision definition came from, as deployed. */
  decisionXml(id: string): string | undefined {
    return this.decisionDefinitions.content(id);
  }

  /** When the deployment that introduced a decision definition was made. */
  decisionDeployedAt(id: string): string | undefined {
    return this.decisionDefinitions.deployedAt(id);
  }

  latestDecision(decisionId: string): DecisionDefinition | undefined {
    return this.decisionDefinitions.latest(decisionId);
  }

  latestDecisionSha256(decisionId: string): string | undefined {
    return this.decisionDefinitions.latestSha256(decisionId);
  }

  /** Form definitions, ordered by form id, then version. */
  listForms(filter: { readonly formId?: string; readonly latest?: boolean } = {}): FormDefinition[] {
    return this.formDefinitions.list({ ...(filter.formId === undefined ? {} : { key: filter.formId }), latest: filter.latest === true });
  }

  getForm(id: string): FormDefinition | undefined {
    return this.formDefinitions.get(id);
  }

  /** The form's JSON as deployed. */
  formContent(id: string): string | undefined {
    return this.formDefinitions.content(id);
  }

  latestForm(formId: string): FormDefinition | undefined {
    return this.formDefinitions.latest(formId);
  }

  latestFormSha256(formId: string): string | undefined {
    return this.formDefinitions.latestSha256(formId);
  }

  /** The compiled process of a definition, or why it cannot run. */
  executableProcess(id: string): { readonly process: ExecutableProcess } | { readonly problem: string } | undefined {
    const registered = this.definitions.get(id);
    if (!registered) return undefined;
    return registered.process ? { process: registered.process } : { problem: registered.compileProblem ?? 'not executable' };
  }
}
