import { randomUUID } from 'node:crypto';

import type { JsonObject } from '@trellis/contracts';
import { type Clock, systemClock } from '@trellis/platform';

import { type DecisionCatalog, type DecisionDefinitionView, MAX_PAGE_SIZE } from './decision-catalog.js';
import { DecisionEvaluationFailedError, type DecisionEvaluationView } from './decision-evaluation.js';
import type { DecisionEvaluatedRecord, DecisionEvaluationLog, DecisionEvaluationOrigin } from './decision-evaluation-log.js';
import { type DecisionJob, type DecisionJobAnswer, decisionJobResult, decisionJobSelector, decisionNotDeployedMessage, type DecisionJobSelector } from './decision-jobs.js';
import { type CompiledDmn, compileDmnResource, evaluateCompiledDecision } from './dmn-engine.js';

/** Compiled DMN resources kept at most (each deployed resource is compiled once; the oldest goes first beyond this). */
const COMPILED_RESOURCES_KEPT = 500;

/**
 * Evaluates deployed decisions: finds the definition (by id, or by decision id and latest version, a version or a
 * version tag), compiles the DMN resource it came from once (deployed resources never change, so the cache never goes
 * stale), and evaluates it with the variables at the clock's time (FEEL's `now()` and `today()`).
 */
export class DecisionEvaluator {
  private readonly compiled = new Map<string, Promise<CompiledDmn>>();

  constructor(
    private readonly catalog: DecisionCatalog,
    private readonly clock: Clock = systemClock,
    /** Where each evaluation is recorded (`DecisionEvaluated`, for audit); none records nothing. */
    private readonly log?: DecisionEvaluationLog,
  ) {}

  /**
   * The definition a decision id selects: its latest version, or the given version, or the latest with the tag, or
   * the one deployed with the process definition (binding `deployment`).
   */
  async definitionOf(selector: DecisionJobSelector): Promise<DecisionDefinitionView | undefined> {
    if (selector.decisionId === '') return undefined;
    if (selector.version !== undefined) return (await this.catalog.list({ decisionId: selector.decisionId, version: selector.version })).items[0];
    if (selector.versionTag !== undefined) {
      const all = await this.catalog.list({ decisionId: selector.decisionId, limit: MAX_PAGE_SIZE });
      return all.items.filter((definition) => definition.versionTag === selector.versionTag).at(-1);
    }
    if (selector.processDefinitionId !== undefined) return this.deployedWith(selector.decisionId, selector.processDefinitionId);
    return (await this.catalog.list({ decisionId: selector.decisionId, latest: true })).items[0];
  }

  /**
   * The version of the decision deployed with the process definition: the one its deployment introduced, else (the
   * deployment held the DMN resource unchanged, so the decision kept an earlier version) the latest version whose
   * resource is, as deployed, one of that deployment's DMN resources. Undefined when the deployment held none.
   */
  private async deployedWith(decisionId: string, processDefinitionId: string): Promise<DecisionDefinitionView | undefined> {
    const deploymentId = await this.catalog.processDeploymentId(processDefinitionId);
    if (deploymentId === undefined) return undefined;
    const versions = (await this.catalog.list({ decisionId, limit: MAX_PAGE_SIZE })).items;
    const introduced = versions.filter((definition) => definition.deploymentId === deploymentId).at(-1);
    if (introduced !== undefined) return introduced;
    const resources = new Set((await this.catalog.dmnResources(deploymentId)).map((resource) => resource.xml));
    if (resources.size === 0) return undefined;
    for (const definition of [...versions].reverse()) {
      const xml = await this.catalog.xml(definition.id);
      if (xml !== undefined && resources.has(xml)) return definition;
    }
    return undefined;
  }

  definition(id: string): Promise<DecisionDefinitionView | undefined> {
    return this.catalog.get(id);
  }

  /**
   * Evaluates a deployed definition; a decision that cannot be evaluated is a `DecisionEvaluationFailedError`. Either
   * way the evaluation is recorded in the log, with the decision job it answers (`origin`) when a task asked for it.
   */
  async evaluate(definition: DecisionDefinitionView, variables: JsonObject, origin?: DecisionEvaluationOrigin): Promise<DecisionEvaluationView> {
    const evaluatedAt = this.clock.now();
    let view: DecisionEvaluationView;
    try {
      view = await this.evaluated(definition, variables, evaluatedAt);
    } catch (error) {
      if (error instanceof DecisionEvaluationFailedError) {
        await this.log?.record({
          ...recordBase(definition, variables, origin, evaluatedAt),
          output: null,
          matchedRules: [],
          evaluatedDecisions: [],
          failed: true,
          failureReason: error.problem.detail ?? error.reason,
        });
      }
      throw error;
    }
    await this.log?.record({
      ...recordBase(definition, variables, origin, evaluatedAt),
      output: view.output,
      matchedRules: view.evaluatedDecisions
        .filter((decision) => decision.decisionType === 'decisionTable' || decision.matchedRules.length > 0)
        .map((decision) => ({ decisionId: decision.decisionId, matchedRules: decision.matchedRules })),
      evaluatedDecisions: view.evaluatedDecisions.map((decision) => decision.decisionId),
      failed: false,
    });
    return view;
  }

  private async evaluated(definition: DecisionDefinitionView, variables: JsonObject, evaluatedAt: Date): Promise<DecisionEvaluationView> {
    const model = await this.compiledOf(definition);
    const evaluation = evaluateCompiledDecision(model, definition.decisionId, variables, evaluatedAt);
    if (!evaluation.ok) throw new DecisionEvaluationFailedError(definition.id, evaluation.failedDecisionId ?? definition.decisionId, evaluation.reason);
    return {
      decisionDefinitionId: definition.id,
      decisionId: definition.decisionId,
      ...(definition.name === undefined ? {} : { decisionName: definition.name }),
      version: definition.version,
      ...evaluation.value,
      evaluatedAt: evaluatedAt.toISOString(),
    };
  }

  /**
   * The answer to a decision job: completed with its result variable, or failed (no retries: an incident on the task)
   * saying why: the decision is not deployed, cannot be evaluated, or its result does not fit `mapDecisionResult`.
   * `evaluationId` is the id of the evaluation's record (a new UUID where none is given).
   */
  async answer(job: DecisionJob, evaluationId?: string): Promise<DecisionJobAnswer> {
    const selector = decisionJobSelector(job);
    const definition = await this.definitionOf(selector);
    if (definition === undefined) return { kind: 'fail', errorMessage: decisionNotDeployedMessage(selector) };
    try {
      return decisionJobResult(job, await this.evaluate(definition, job.variables, originOf(job, evaluationId)));
    } catch (error) {
      if (error instanceof DecisionEvaluationFailedError) return { kind: 'fail', errorMessage: error.problem.detail ?? error.message };
      throw error;
    }
  }

  private compiledOf(definition: DecisionDefinitionView): Promise<CompiledDmn> {
    const key = `${definition.deploymentId}\u0000${definition.resourceName}`;
    let compiled = this.compiled.get(key);
    if (compiled === undefined) {
      compiled = this.compile(definition);
      this.compiled.set(key, compiled);
      // A failure is not kept: the store may have been catching up.
      compiled.catch(() => this.compiled.delete(key));
      if (this.compiled.size > COMPILED_RESOURCES_KEPT) this.compiled.delete(this.compiled.keys().next().value as string);
    }
    return compiled;
  }

  private async compile(definition: DecisionDefinitionView): Promise<CompiledDmn> {
    const xml = await this.catalog.xml(definition.id);
    if (xml === undefined) throw new DecisionEvaluationFailedError(definition.id, definition.decisionId, `the DMN resource '${definition.resourceName}' is not stored`);
    // The models it may import: the deployment's other DMN resources.
    const imports = (await this.catalog.dmnResources(definition.deploymentId)).filter((resource) => resource.name !== definition.resourceName).map((resource) => resource.xml);
    const compiled = compileDmnResource(xml, imports);
    if (!compiled.ok) throw new DecisionEvaluationFailedError(definition.id, definition.decisionId, `the DMN resource '${definition.resourceName}' does not compile: ${compiled.problems.join('; ')}`);
    return compiled.model;
  }
}

/** The fields of a record every outcome shares. */
function recordBase(
  definition: DecisionDefinitionView,
  inputs: JsonObject,
  origin: DecisionEvaluationOrigin | undefined,
  evaluatedAt: Date,
): Pick<DecisionEvaluatedRecord, 'id' | 'decisionId' | 'decisionDefinitionId' | 'version' | 'processInstanceId' | 'elementInstanceId' | 'jobId' | 'inputs' | 'evaluatedAt'> {
  return {
    id: origin?.evaluationId ?? randomUUID(),
    decisionId: definition.decisionId,
    decisionDefinitionId: definition.id,
    version: definition.version,
    ...(origin === undefined ? {} : { processInstanceId: origin.processInstanceId, jobId: origin.jobId }),
    ...(origin?.elementInstanceId === undefined ? {} : { elementInstanceId: origin.elementInstanceId }),
    inputs,
    evaluatedAt: evaluatedAt.toISOString(),
  };
}

function originOf(job: DecisionJob, evaluationId: string | undefined): DecisionEvaluationOrigin {
  return {
    processInstanceId: job.processInstanceId,
    jobId: job.jobId,
    ...(job.elementInstanceId === undefined ? {} : { elementInstanceId: job.elementInstanceId }),
    ...(evaluationId === undefined ? {} : { evaluationId }),
  };
}
