import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CamundaRestException, ENGINE_REST_PATH, invalidRequest, notFoundRequest, type TypedValue, typedValuesOf, variablesOfTyped } from '@trellis/camunda7-rest';
import type { JsonObject, JsonValue } from '@trellis/contracts';
import { ProblemError, ProblemType } from '@trellis/platform';

import type { DecisionDefinitionView } from '../decision-catalog.js';
import { DecisionEvaluationFailedError, type DecisionEvaluationView } from '../decision-evaluation.js';
import { DecisionEvaluator } from '../decision-evaluator.js';

/** Where Camunda 8's REST API (the orchestration cluster's `/v2`) is served. */
export const CAMUNDA8_REST_PATH = 'v2';

/** Camunda 7 answers a decision that cannot be evaluated with a `RestException`; here with 422, as the request's fault. */
function camunda7EvaluationFailure(error: DecisionEvaluationFailedError): CamundaRestException {
  return new CamundaRestException(422, { type: 'RestException', message: `Cannot evaluate decision ${error.decisionDefinitionId}: ${error.reason}` });
}

/**
 * Camunda 7's `POST /engine-rest/decision-definition/key/{key}/evaluate` (the latest version) and
 * `/decision-definition/{id}/evaluate`: typed variables in, the result as Camunda 7 gives it out, a list with one map
 * per matched rule of output name to typed value (`{ type, value, valueInfo }`).
 */
@ApiExcludeController()
@Controller(`${ENGINE_REST_PATH}/decision-definition`)
export class Camunda7DecisionDefinitionsController {
  constructor(private readonly evaluator: DecisionEvaluator) {}

  @Post('key/:key/evaluate')
  @HttpCode(200)
  async evaluateByKey(@Param('key') key: string, @Body() body: unknown): Promise<Record<string, TypedValue>[]> {
    const definition = await this.evaluator.definitionOf({ decisionId: key });
    if (definition === undefined) throw notFoundRequest(`No matching decision definition with key: ${key} and no tenant-id`);
    return this.evaluate(definition, body);
  }

  @Post(':id/evaluate')
  @HttpCode(200)
  async evaluateById(@Param('id') id: string, @Body() body: unknown): Promise<Record<string, TypedValue>[]> {
    const definition = await this.evaluator.definition(id);
    if (definition === undefined) throw notFoundRequest(`No matching decision definition with id: ${id}`);
    return this.evaluate(definition, body);
  }

  private async evaluate(definition: DecisionDefinitionView, body: unknown): Promise<Record<string, TypedValue>[]> {
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) throw invalidRequest('The request body must be a JSON object');
    const variables = variablesOfTyped((body as { variables?: unknown } | undefined)?.variables);
    try {
      const evaluation = await this.evaluator.evaluate(definition, variables);
      return evaluation.ruleResults.map((result) => typedValuesOf(result as JsonObject));
    } catch (error) {
      if (error instanceof DecisionEvaluationFailedError) throw camunda7EvaluationFailure(error);
      throw error;
    }
  }
}

/** A decision's type as Camunda 8 names it (it knows decision tables and literal expressions only). */
function camunda8DecisionType(decisionType: string | undefined): string {
  return decisionType === 'decisionTable' ? 'DECISION_TABLE' : decisionType === 'literalExpression' ? 'LITERAL_EXPRESSION' : 'UNSPECIFIED';
}

/** The body of Camunda 8's evaluation answer (`EvaluateDecisionResult`); outputs are JSON documents in text. */
export function camunda8EvaluationOf(definition: DecisionDefinitionView, evaluation: DecisionEvaluationView, evaluationKey: string): Record<string, JsonValue> {
  const decisionRequirementsKey = `${definition.deploymentId}:${definition.resourceName}`;
  return {
    decisionDefinitionId: definition.decisionId,
    decisionDefinitionKey: definition.id,
    decisionDefinitionName: definition.name ?? definition.decisionId,
    decisionDefinitionVersion: definition.version,
    decisionRequirementsId: definition.decisionRequirementsId ?? '',
    decisionRequirementsKey,
    output: JSON.stringify(evaluation.output),
    failedDecisionDefinitionId: null,
    failureMessage: null,
    tenantId: '<default>',
    decisionEvaluationKey: evaluationKey,
    decisionInstanceKey: evaluationKey,
    evaluatedDecisions: evaluation.evaluatedDecisions.map((decision, index) => ({
      decisionDefinitionId: decision.decisionId,
      // A required decision is versioned with the one asked for: same deployment, its own id.
      decisionDefinitionKey: decision.decisionId === definition.decisionId ? definition.id : `${decision.decisionId}:${definition.deploymentId}`,
      decisionDefinitionName: decision.decisionName ?? decision.decisionId,
      decisionDefinitionType: camunda8DecisionType(decision.decisionType),
      decisionDefinitionVersion: definition.version,
      decisionEvaluationInstanceKey: `${evaluationKey}-${index + 1}`,
      evaluatedInputs: (decision.evaluatedInputs ?? []).map((input) => ({ inputId: input.inputId, inputName: input.inputName, inputValue: JSON.stringify(input.value) })),
      matchedRules: decision.matchedRules.map((rule) => ({
        ruleId: rule.ruleId ?? `rule-${rule.ruleIndex}`,
        ruleIndex: rule.ruleIndex,
        evaluatedOutputs: Object.entries(rule.outputs).map(([name, value]) => ({ outputId: name, outputName: name, outputValue: JSON.stringify(value) })),
      })),
      output: JSON.stringify(decision.output),
      tenantId: '<default>',
    })),
  };
}

/** Camunda 8's request refused with its problem+json, naming the field. */
const badRequest = (detail: string, field: string): ProblemError =>
  new ProblemError({ type: ProblemType.invalidArgument, title: 'INVALID_ARGUMENT', status: 400, detail, details: { field } });

/**
 * Camunda 8's `POST /v2/decision-definitions/evaluation`: `decisionDefinitionId` (latest version) or
 * `decisionDefinitionKey` (a definition: Trellis keys are the `<decisionId>:<version>` ids), and `variables`.
 */
@ApiExcludeController()
@Controller(`${CAMUNDA8_REST_PATH}/decision-definitions`)
export class Camunda8DecisionDefinitionsController {
  private evaluations = 0;

  constructor(private readonly evaluator: DecisionEvaluator) {}

  @Post('evaluation')
  @HttpCode(200)
  async evaluate(@Body() body: unknown): Promise<Record<string, JsonValue>> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object', 'body');
    const request = body as { decisionDefinitionId?: unknown; decisionDefinitionKey?: unknown; variables?: unknown; tenantId?: unknown };
    const { decisionDefinitionId: id, decisionDefinitionKey: key } = request;
    if ((id === undefined) === (key === undefined)) throw badRequest('Give exactly one of decisionDefinitionId and decisionDefinitionKey', 'decisionDefinitionId');
    if (id !== undefined && (typeof id !== 'string' || id === '')) throw badRequest('decisionDefinitionId must be a non-empty string', 'decisionDefinitionId');
    if (key !== undefined && (typeof key !== 'string' || key === '')) throw badRequest('decisionDefinitionKey must be a non-empty string', 'decisionDefinitionKey');
    if (request.variables !== undefined && (request.variables === null || typeof request.variables !== 'object' || Array.isArray(request.variables))) {
      throw badRequest('variables must be a JSON object', 'variables');
    }
    if (request.tenantId !== undefined && request.tenantId !== '<default>') throw badRequest(`Tenant ${JSON.stringify(request.tenantId)} is not known: Trellis has the default tenant only`, 'tenantId');
    const definition = typeof key === 'string' ? await this.evaluator.definition(key) : await this.evaluator.definitionOf({ decisionId: id as string });
    if (definition === undefined) {
      throw new ProblemError({
        type: ProblemType.notFound,
        title: 'NOT_FOUND',
        status: 404,
        detail: typeof key === 'string' ? `No decision definition with key '${key}'` : `No decision definition with id '${String(id)}'`,
        details: typeof key === 'string' ? { decisionDefinitionKey: key } : { decisionDefinitionId: String(id) },
      });
    }
    const evaluation = await this.evaluator.evaluate(definition, (request.variables ?? {}) as JsonObject);
    this.evaluations += 1;
    return camunda8EvaluationOf(definition, evaluation, `${definition.id}:${evaluation.evaluatedAt}:${this.evaluations}`);
  }
}
