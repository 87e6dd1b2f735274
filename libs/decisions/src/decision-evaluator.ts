import type { JsonObject } from '@trellis/contracts';
import { type Clock, systemClock } from '@trellis/platform';

import { type DecisionCatalog, type DecisionDefinitionView, MAX_PAGE_SIZE } from './decision-catalog.js';
import { DecisionEvaluationFailedError, type DecisionEvaluationView } from './decision-evaluation.js';
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
  ) {}

  /** The definition a decision id selects: its latest version, or the given version, or the latest with the tag. */
  async definitionOf(selector: DecisionJobSelector): Promise<DecisionDefinitionView | undefined> {
    if (selector.decisionId === '') return undefined;
    if (selector.version !== undefined) return (await this.catalog.list({ decisionId: selector.decisionId, version: selector.version })).items[0];
    if (selector.versionTag !== undefined) {
      const all = await this.catalog.list({ decisionId: selector.decisionId, limit: MAX_PAGE_SIZE });
      return all.items.filter((definition) => definition.versionTag === selector.versionTag).at(-1);
    }
    return (await this.catalog.list({ decisionId: selector.decisionId, latest: true })).items[0];
  }

  definition(id: string): Promise<DecisionDefinitionView | undefined> {
    return this.catalog.get(id);
  }

  /** Evaluates a deployed definition; a decision that cannot be evaluated is a `DecisionEvaluationFailedError`. */
  async evaluate(definition: DecisionDefinitionView, variables: JsonObject): Promise<DecisionEvaluationView> {
    const model = await this.compiledOf(definition);
    const evaluatedAt = this.clock.now();
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
   */
  async answer(job: DecisionJob): Promise<DecisionJobAnswer> {
    const selector = decisionJobSelector(job);
    const definition = await this.definitionOf(selector);
    if (definition === undefined) return { kind: 'fail', errorMessage: decisionNotDeployedMessage(selector) };
    try {
      return decisionJobResult(job, await this.evaluate(definition, job.variables));
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
