import { createHash, randomUUID } from 'node:crypto';

import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { compile, type ExecutableProcess, type JsonValue } from '@trellis/engine';
import { type EventStore, WrongExpectedRevisionError } from '@trellis/event-store';
import { EVENT_STORE, ProblemError, type ProblemFieldError, ProblemType } from '@trellis/platform';

import { DefinitionRegistry } from '../definition-registry.js';
import {
  DEPLOYMENT_EVENT_SCHEMA_VERSION,
  DEPLOYMENTS_STREAM,
  type DeployedResource,
  type DeploymentCreatedData,
  type ProcessDefinition,
} from '../deployment.events.js';

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
}

/** Deploys BPMN resources all-or-nothing: every resource compiles, or nothing is stored. */
export class DeployResourcesCommand extends Command<DeploymentView> {
  constructor(
    readonly resources: readonly ResourceUpload[],
    readonly name?: string,
  ) {
    super();
  }
}

/** A deployment with BPMN problems: it lists every one of them, per resource. */
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

const BPMN_RESOURCE = /\.bpmn(20\.xml)?$/i;
const MAX_ATTEMPTS = 5;

interface CompiledResource {
  readonly resource: DeployedResource;
  readonly processes: readonly ExecutableProcess[];
}

@CommandHandler(DeployResourcesCommand)
export class DeployResourcesHandler implements ICommandHandler<DeployResourcesCommand> {
  /** Deployments of this process run one after the other; the expected revision guards against other processes. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly registry: DefinitionRegistry,
  ) {}

  async execute(command: DeployResourcesCommand): Promise<DeploymentView> {
    const compiled = await this.compileAll(command.resources);
    const run = this.queue.then(() => this.deploy(command, compiled));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async compileAll(uploads: readonly ResourceUpload[]): Promise<CompiledResource[]> {
    const errors: ProblemFieldError[] = [];
    const compiled: CompiledResource[] = [];
    if (uploads.length === 0) {
      throw new DeploymentRejectedError([{ message: 'A deployment needs at least one resource' }]);
    }
    const seenNames = new Set<string>();
    const processIdOwners = new Map<string, string>();
    for (const upload of uploads) {
      if (seenNames.has(upload.name)) {
        errors.push({ resource: upload.name, code: 'DUPLICATE_RESOURCE', message: `The resource name ${upload.name} is used twice in the deployment` });
        continue;
      }
      seenNames.add(upload.name);
      if (!BPMN_RESOURCE.test(upload.name)) {
        errors.push({
          resource: upload.name,
          code: 'NOT_SUPPORTED',
          message: `not supported yet: ${upload.name} is not a BPMN resource (the name must end with .bpmn)`,
        });
        continue;
      }
      const xml = typeof upload.content === 'string' ? upload.content : upload.content.toString('utf8');
      const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
      const result = await compile(text);
      if (!result.ok) {
        for (const error of result.error) {
          errors.push({
            resource: upload.name,
            code: error.code,
            message: error.message,
            ...(error.elementId !== undefined ? { elementId: error.elementId } : {}),
            ...(error.field !== undefined ? { field: error.field } : {}),
            ...(error.line !== undefined ? { line: error.line } : {}),
            ...(error.column !== undefined ? { column: error.column } : {}),
          });
        }
        continue;
      }
      for (const process of result.value.processes) {
        const owner = processIdOwners.get(process.id);
        if (owner !== undefined) {
          errors.push({
            resource: upload.name,
            elementId: process.id,
            code: 'DUPLICATE_PROCESS_ID',
            message: `The process id ${process.id} is also defined in ${owner}: a deployment defines each process once`,
          });
        }
        processIdOwners.set(process.id, upload.name);
      }
      compiled.push({
        resource: { name: upload.name, xml: text, sha256: createHash('sha256').update(text, 'utf8').digest('hex') },
        processes: result.value.processes,
      });
    }
    if (errors.length > 0) throw new DeploymentRejectedError(errors);
    return compiled;
  }

  private async deploy(command: DeployResourcesCommand, compiled: readonly CompiledResource[]): Promise<DeploymentView> {
    for (let attempt = 1; ; attempt++) {
      const data = this.deploymentOf(command, compiled);
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
          new Map(compiled.map((entry) => [entry.resource.name, { processes: entry.processes }])),
        );
        return {
          id: data.deploymentId,
          name: data.name,
          deployedAt: data.deployedAt,
          resources: data.resources.map(({ name, sha256 }) => ({ name, sha256 })),
          processDefinitions: data.processDefinitions,
        };
      } catch (error) {
        // Another writer deployed in between: versions must be computed again on top of its deployment.
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= MAX_ATTEMPTS) throw error;
        await this.registry.reload();
      }
    }
  }

  private deploymentOf(command: DeployResourcesCommand, compiled: readonly CompiledResource[]): DeploymentCreatedData {
    const deploymentId = randomUUID();
    const processDefinitions: ProcessDefinition[] = [];
    for (const { resource, processes } of compiled) {
      for (const process of processes) {
        const latest = this.registry.latest(process.id);
        if (latest && this.registry.latestSha256(process.id) === resource.sha256) {
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
    }
    return {
      deploymentId,
      name: command.name?.trim() || compiled[0]?.resource.name || deploymentId,
      deployedAt: new Date().toISOString(),
      resources: compiled.map((entry) => entry.resource),
      processDefinitions,
    };
  }
}
