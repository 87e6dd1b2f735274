import { createHash, randomUUID } from 'node:crypto';

import { Inject, Optional } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { compileDmn } from '@trellis/dmn';
import { compile, type ExecutableProcess, type JsonValue } from '@trellis/engine';
import { type EventStore, WrongExpectedRevisionError } from '@trellis/event-store';
import { CLOCK, type Clock, EVENT_STORE, ProblemError, type ProblemFieldError, ProblemType, systemClock } from '@trellis/platform';

import { DefinitionRegistry } from '../definition-registry.js';
import {
  type DecisionDefinition,
  DEPLOYMENT_EVENT_SCHEMA_VERSION,
  DEPLOYMENTS_STREAM,
  type DeployedResource,
  type DeploymentCreatedData,
  type FormDefinition,
  type ProcessDefinition,
  type ResourceKind,
} from '../deployment.events.js';
import { type DmnResource, dmnCompileProblem, dmnImportsOf, readDmnResource } from '../resources/dmn-resource.js';
import { type FormResource, readFormResource } from '../resources/form-resource.js';

export interface ResourceUpload {
  /** The file name, e.g. `order-process.bpmn`. */
  readonly name: string;
  readonly content: Buffer | string;
}

export interface DeploymentView {
  readonly id: string;
  readonly name: string;
  readonly deployedAt: string;
  readonly resources: readonly { readonly name: string; readonly sha256: string }[];
  readonly processDefinitions: readonly ProcessDefinition[];
  /** Present when the deployment holds DMN resources. */
  readonly decisionDefinitions?: readonly DecisionDefinition[];
  /** Present when the deployment holds form resources. */
  readonly formDefinitions?: readonly FormDefinition[];
}

/** Deploys BPMN, DMN and form resources all-or-nothing: every resource passes its checks, or nothing is stored. */
export class DeployResourcesCommand extends Command<DeploymentView> {
  constructor(
    readonly resources: readonly ResourceUpload[],
    readonly name?: string,
  ) {
    super();
  }
}

/** A deployment with problems in its resources: it lists every one of them, per resource. */
export class DeploymentRejectedError extends ProblemError {
  constructor(readonly errors: readonly ProblemFieldError[]) {
    super({
      type: ProblemType.invalidBpmn,
      title: 'Invalid deployment',
      status: 400,
      detail: `The deployment was rejected with ${errors.length} problem(s), nothing was deployed: ${errors
        .slice(0, 3)
        .map((error) => `${error.resource ?? ''}${error.elementId ? ` (${error.elementId})` : ''}: ${error.message}`)
        .join('; ')}${errors.length > 3 ? '; …' : ''}`,
      errors,
    });
  }
}

const RESOURCE_KINDS: readonly { readonly kind: ResourceKind; readonly pattern: RegExp }[] = [
  { kind: 'bpmn', pattern: /\.bpmn(20\.xml)?$/i },
  { kind: 'dmn', pattern: /\.dmn(11\.xml)?$/i },
  { kind: 'form', pattern: /\.form$/i },
];
const MAX_ATTEMPTS = 5;

/** A resource that passed its checks, with what it defines. */
interface CheckedResource {
  readonly resource: DeployedResource & { readonly kind: ResourceKind };
  readonly processes: readonly ExecutableProcess[];
  readonly dmn?: DmnResource;
  readonly form?: FormResource;
}

const sha256Of = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

@CommandHandler(DeployResourcesCommand)
export class DeployResourcesHandler implements ICommandHandler<DeployResourcesCommand> {
  /** Deployments of this process run one after the other; the expected revision guards against other processes. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly registry: DefinitionRegistry,
    // The deployment time is where timer start events count from: the runtime's clock, so tests can move both.
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async execute(command: DeployResourcesCommand): Promise<DeploymentView> {
    const checked = await this.checkAll(command.resources);
    const run = this.queue.then(() => this.deploy(command, checked));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Checks every resource, all of them even after a problem, so that the rejection lists every problem at once. */
  private async checkAll(uploads: readonly ResourceUpload[]): Promise<CheckedResource[]> {
    const errors: ProblemFieldError[] = [];
    const checked: CheckedResource[] = [];
    if (uploads.length === 0) {
      throw new DeploymentRejectedError([{ message: 'A deployment needs at least one resource' }]);
    }
    const seenNames = new Set<string>();
    const owners = { process: new Map<string, string>(), decision: new Map<string, string>(), form: new Map<string, string>() };
    const claim = (what: keyof typeof owners, id: string, resource: string, field: Partial<ProblemFieldError>): void => {
      const owner = owners[what].get(id);
      if (owner !== undefined) {
        errors.push({
          resource,
          ...field,
          code: `DUPLICATE_${what.toUpperCase()}_ID`,
          message: `The ${what} id ${id} is also defined in ${owner}: a deployment defines each ${what} once`,
        });
      }
      owners[what].set(id, resource);
    };
    for (const upload of uploads) {
      if (seenNames.has(upload.name)) {
        errors.push({ resource: upload.name, code: 'DUPLICATE_RESOURCE', message: `The resource name ${upload.name} is used twice in the deployment` });
        continue;
      }
      seenNames.add(upload.name);
      const kind = RESOURCE_KINDS.find((candidate) => candidate.pattern.test(upload.name))?.kind;
      if (kind === undefined) {
        errors.push({
          resource: upload.name,
          code: 'NOT_SUPPORTED',
          message: `not supported yet: ${upload.name} is not a BPMN, DMN or form resource (the name must end with .bpmn, .dmn or .form)`,
        });
        continue;
      }
      const decoded = typeof upload.content === 'string' ? upload.content : upload.content.toString('utf8');
      const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
      const resource = { name: upload.name, xml: text, sha256: sha256Of(text), kind };
      const reject = (problems: readonly Omit<ProblemFieldError, 'resource'>[]): void => {
        for (const problem of problems) errors.push({ resource: upload.name, ...problem });
      };
      switch (kind) {
        case 'bpmn': {
          const result = await compile(text);
          if (!result.ok) {
            reject(
              result.error.map((error) => ({
                code: error.code,
                message: error.message,
                ...(error.elementId !== undefined ? { elementId: error.elementId } : {}),
                ...(error.field !== undefined ? { field: error.field } : {}),
                ...(error.line !== undefined ? { line: error.line } : {}),
                ...(error.column !== undefined ? { column: error.column } : {}),
              })),
            );
            continue;
          }
          for (const process of result.value.processes) claim('process', process.id, upload.name, { elementId: process.id });
          checked.push({ resource, processes: result.value.processes });
          break;
        }
        case 'dmn': {
          const result = await readDmnResource(text);
          if (!result.ok) {
            reject(result.problems);
            continue;
          }
          // What the decision engine will evaluate must compile: every boxed expression, hit policy and FEEL text.
          // Models it imports are looked for among the deployment's other DMN resources.
          const compiled = compileDmn(text, { imports: dmnImportsOf(uploads, upload.name) });
          if (!compiled.ok) {
            reject(compiled.problems.map(dmnCompileProblem));
            continue;
          }
          for (const decision of result.value.decisions) claim('decision', decision.id, upload.name, { elementId: decision.id });
          checked.push({ resource, processes: [], dmn: result.value });
          break;
        }
        case 'form': {
          const result = readFormResource(text);
          if (!result.ok) {
            reject(result.problems);
            continue;
          }
          claim('form', result.value.id, upload.name, { field: '$.id' });
          checked.push({ resource, processes: [], form: result.value });
          break;
        }
      }
    }
    if (errors.length > 0) throw new DeploymentRejectedError(errors);
    return checked;
  }

  private async deploy(command: DeployResourcesCommand, checked: readonly CheckedResource[]): Promise<DeploymentView> {
    for (let attempt = 1; ; attempt++) {
      const data = this.deploymentOf(command, checked);
      const expectedRevision = this.registry.revision ?? 'no_stream';
      try {
        const appended = await this.store.appendToStream(
          DEPLOYMENTS_STREAM,
          [
            {
              id: randomUUID(),
              type: 'DeploymentCreated',
              data: data as unknown as JsonValue,
              metadata: { schemaVersion: DEPLOYMENT_EVENT_SCHEMA_VERSION, deploymentId: data.deploymentId },
            },
          ],
          { expectedRevision },
        );
        this.registry.apply(
          data,
          appended.nextExpectedRevision,
          new Map(checked.filter((entry) => entry.resource.kind === 'bpmn').map((entry) => [entry.resource.name, { processes: entry.processes }])),
        );
        return viewOf(data);
      } catch (error) {
        // Another writer deployed in between: versions must be computed again on top of its deployment.
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= MAX_ATTEMPTS) throw error;
        await this.registry.reload();
      }
    }
  }

  private deploymentOf(command: DeployResourcesCommand, checked: readonly CheckedResource[]): DeploymentCreatedData {
    const deploymentId = randomUUID();
    const processDefinitions: ProcessDefinition[] = [];
    const decisionDefinitions: DecisionDefinition[] = [];
    const formDefinitions: FormDefinition[] = [];
    const { registry } = this;
    for (const { resource, processes, dmn, form } of checked) {
      for (const process of processes) {
        const latest = registry.latest(process.id);
        if (latest && registry.latestSha256(process.id) === resource.sha256) {
          processDefinitions.push(latest);
          continue;
        }
        const version = (latest?.version ?? 0) + 1;
        processDefinitions.push({
          id: `${process.id}:${version}`,
          processId: process.id,
          ...(process.name !== undefined ? { name: process.name } : {}),
          version,
          resourceName: resource.name,
          deploymentId,
        });
      }
      for (const decision of dmn?.decisions ?? []) {
        const latest = registry.latestDecision(decision.id);
        if (latest && registry.latestDecisionSha256(decision.id) === resource.sha256) {
          decisionDefinitions.push(latest);
          continue;
        }
        const version = (latest?.version ?? 0) + 1;
        decisionDefinitions.push({
          id: `${decision.id}:${version}`,
          decisionId: decision.id,
          ...(decision.name !== undefined ? { name: decision.name } : {}),
          version,
          ...(decision.versionTag !== undefined ? { versionTag: decision.versionTag } : {}),
          ...(dmn?.definitionsId !== undefined ? { decisionRequirementsId: dmn.definitionsId } : {}),
          ...(dmn?.definitionsName !== undefined ? { decisionRequirementsName: dmn.definitionsName } : {}),
          resourceName: resource.name,
          deploymentId,
        });
      }
      if (form !== undefined) {
        const latest = registry.latestForm(form.id);
        if (latest && registry.latestFormSha256(form.id) === resource.sha256) {
          formDefinitions.push(latest);
        } else {
          const version = (latest?.version ?? 0) + 1;
          formDefinitions.push({ id: `${form.id}:${version}`, formId: form.id, version, resourceName: resource.name, deploymentId });
        }
      }
    }
    return {
      deploymentId,
      name: command.name?.trim() || checked[0]?.resource.name || deploymentId,
      deployedAt: this.clock.now().toISOString(),
      resources: checked.map((entry) => entry.resource),
      processDefinitions,
      decisionDefinitions,
      formDefinitions,
    };
  }
}

/** The answer to a deployment: decision and form definitions are listed when it holds DMN or form resources. */
function viewOf(data: DeploymentCreatedData): DeploymentView {
  const decisionDefinitions = data.decisionDefinitions ?? [];
  const formDefinitions = data.formDefinitions ?? [];
  return {
    id: data.deploymentId,
    name: data.name,
    deployedAt: data.deployedAt,
    resources: data.resources.map(({ name, sha256 }) => ({ name, sha256 })),
    processDefinitions: data.processDefinitions,
    ...(decisionDefinitions.length > 0 ? { decisionDefinitions } : {}),
    ...(formDefinitions.length > 0 ? { formDefinitions } : {}),
  };
}
