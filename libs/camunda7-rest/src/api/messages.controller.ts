import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import type { JsonObject, JsonValue } from '@trellis/engine';
import { ProblemError } from '@trellis/platform';
import { MessageCorrelator, type OpenMessageSubscription, type ProcessInstanceView, RuntimeProjection, SetVariablesCommand, SignalBroadcaster } from '@trellis/runtime';
import type { Request, Response } from 'express';

import { processInstanceDtoOf, type ProcessInstanceDto } from '../camunda-dtos.js';
import { CamundaRestException, ENGINE_REST_PATH, invalidRequest } from '../camunda-rest.error.js';
import { type TypedValue, typedValuesOf, variablesOfTyped } from '../typed-values.js';
import { bodyObject, engineRestUrlOf } from './engine-rest-request.js';

/** One correlation as Camunda reports it when `resultEnabled`: to a waiting execution, or a started instance. */
export interface MessageCorrelationResultDto {
  readonly resultType: 'Execution' | 'ProcessDefinition';
  readonly execution: { readonly id: string; readonly processInstanceId: string; readonly ended: boolean; readonly tenantId: null } | null;
  readonly processInstance: ProcessInstanceDto | null;
  readonly variables?: Readonly<Record<string, TypedValue>>;
}

/** A subscription that matched, with the element instance (Camunda's execution) that waits. */
interface Match {
  readonly subscription: OpenMessageSubscription;
  readonly elementInstanceId: string;
}

const sameValue = (a: JsonValue | undefined, b: JsonValue): boolean => a !== undefined && JSON.stringify(a) === JSON.stringify(b);
const holdsAll = (variables: JsonObject | undefined, expected: JsonObject): boolean =>
  Object.entries(expected).every(([name, value]) => sameValue(variables?.[name], value));

const optionalText = (body: Record<string, unknown>, field: string): string | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${field} must be a string, not ${JSON.stringify(value)}`);
  return value;
};

/**
 * `POST /engine-rest/message` and `POST /engine-rest/signal`: Camunda 7's message correlation (to waiting message
 * events and receive tasks, or a message start event) and signal broadcast, over the runtime's correlator and
 * broadcaster.
 */
@ApiExcludeController()
@Controller(ENGINE_REST_PATH)
export class CamundaMessagesController {
  constructor(
    private readonly correlator: MessageCorrelator,
    private readonly broadcaster: SignalBroadcaster,
    private readonly projection: RuntimeProjection,
    private readonly commandBus: CommandBus,
  ) {}

  @Post('message')
  async correlate(@Body() rawBody: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    const body = bodyObject(rawBody);
    const messageName = body['messageName'];
    if (typeof messageName !== 'string' || messageName === '') throw invalidRequest('No message name supplied');
    for (const option of ['tenantId', 'processDefinitionId'] as const) {
      if (body[option] !== undefined && body[option] !== null) throw invalidRequest(`Cannot correlate message '${messageName}': ${option} is not supported by Trellis`);
    }
    const criteria = {
      messageName,
      businessKey: optionalText(body, 'businessKey'),
      processInstanceId: optionalText(body, 'processInstanceId'),
      correlationKeys: variablesOfTyped(body['correlationKeys'], 'correlationKeys'),
      localCorrelationKeys: variablesOfTyped(body['localCorrelationKeys'], 'localCorrelationKeys'),
      processVariables: variablesOfTyped(body['processVariables'], 'processVariables'),
      processVariablesLocal: variablesOfTyped(body['processVariablesLocal'], 'processVariablesLocal'),
      all: body['all'] === true,
    };
    const baseUrl = engineRestUrlOf(request);
    const withVariables = body['variablesInResultEnabled'] === true;
    const cannot = (message: string): CamundaRestException => new CamundaRestException(400, { type: 'RestException', message: `Cannot correlate message '${messageName}': ${message}` });

    const matches = this.matches(criteria);
    const results: MessageCorrelationResultDto[] = [];
    if (matches.length === 0) {
      const startable =
        criteria.processInstanceId === undefined && Object.keys(criteria.correlationKeys).length === 0 && Object.keys(criteria.localCorrelationKeys).length === 0;
      const started = startable ? await this.startAtMessageStartEvent(criteria, cannot) : undefined;
      if (started !== undefined) {
        results.push({
          resultType: 'ProcessDefinition',
          execution: null,
          processInstance: processInstanceDtoOf(started, baseUrl, { links: false }),
          ...(withVariables ? { variables: typedValuesOf(started.variables) } : {}),
        });
      } else if (!criteria.all) {
        throw cannot('No process definition or execution matches the parameters');
      }
    } else if (matches.length > 1 && !criteria.all) {
      throw cannot(
        `Cannot correlate a message with name '${messageName}' to a single execution. ${matches.length} executions match the correlation keys: ` +
          JSON.stringify({ businessKey: criteria.businessKey ?? null, processInstanceId: criteria.processInstanceId ?? null, correlationKeys: criteria.correlationKeys }),
      );
    }
    for (const match of matches) {
      const after = await this.correlateTo(match, criteria, cannot);
      results.push({
        resultType: 'Execution',
        execution: { id: match.elementInstanceId, processInstanceId: match.subscription.processInstanceId, ended: false, tenantId: null },
        processInstance: null,
        ...(withVariables ? { variables: typedValuesOf(after.variables) } : {}),
      });
    }
    if (body['resultEnabled'] === true) response.status(200).json(results);
    else response.status(204).end();
  }

  @Post('signal')
  @HttpCode(204)
  async signal(@Body() rawBody: unknown): Promise<void> {
    const body = bodyObject(rawBody);
    const name = body['name'];
    if (typeof name !== 'string' || name === '') throw invalidRequest('No signal name given');
    for (const option of ['executionId', 'tenantId'] as const) {
      if (body[option] !== undefined && body[option] !== null) throw invalidRequest(`Cannot deliver signal '${name}': ${option} is not supported by Trellis (a signal reaches every waiting instance)`);
    }
    const variables = variablesOfTyped(body['variables']);
    await this.broadcaster.broadcast({ signalName: name, ...(Object.keys(variables).length === 0 ? {} : { variables }) });
  }

  /** The open subscriptions of this name that every given criterion holds for. */
  private matches(request: {
    messageName: string;
    businessKey: string | undefined;
    processInstanceId: string | undefined;
    correlationKeys: JsonObject;
    localCorrelationKeys: JsonObject;
  }): Match[] {
    const matches: Match[] = [];
    for (const subscription of this.correlator.openSubscriptions(request.messageName)) {
      if (request.processInstanceId !== undefined && subscription.processInstanceId !== request.processInstanceId) continue;
      const instance = this.projection.processInstance(subscription.processInstanceId);
      const elementInstanceId = instance?.messageSubscriptions.find((candidate) => candidate.id === subscription.subscriptionId)?.elementInstanceId;
      if (instance === undefined || elementInstanceId === undefined) continue;
      if (request.businessKey !== undefined && instance.businessKey !== request.businessKey) continue;
      if (!holdsAll(instance.variables, request.correlationKeys)) continue;
      if (!holdsAll(this.projection.instanceState(instance.id)?.variables[elementInstanceId], request.localCorrelationKeys)) continue;
      matches.push({ subscription, elementInstanceId });
    }
    return matches;
  }

  /**
   * Correlates to one waiting element: its local variables first (set on the element instance that waits, as Camunda
   * sets them on the execution), then the message with the process variables.
   */
  private async correlateTo(
    match: Match,
    request: { messageName: string; processVariables: JsonObject; processVariablesLocal: JsonObject },
    cannot: (message: string) => CamundaRestException,
  ): Promise<ProcessInstanceView> {
    const { subscription } = match;
    try {
      if (Object.keys(request.processVariablesLocal).length > 0) {
        await this.commandBus.execute(new SetVariablesCommand(subscription.processInstanceId, request.processVariablesLocal, true, match.elementInstanceId));
      }
      return await this.correlator.correlateOne({
        messageName: request.messageName,
        processInstanceId: subscription.processInstanceId,
        ...(subscription.correlationKey === undefined ? {} : { correlationKey: subscription.correlationKey }),
        variables: request.processVariables,
      });
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status < 500) throw cannot(error.problem.detail);
      throw error;
    }
  }

  /** Nothing waits: the message start event of that name starts an instance (local variables are its variables too). */
  private async startAtMessageStartEvent(
    request: { messageName: string; businessKey: string | undefined; processVariables: JsonObject; processVariablesLocal: JsonObject; all: boolean },
    cannot: (message: string) => CamundaRestException,
  ): Promise<ProcessInstanceView | undefined> {
    try {
      return await this.correlator.correlateOne({
        messageName: request.messageName,
        ...(request.businessKey === undefined ? {} : { businessKey: request.businessKey }),
        variables: { ...request.processVariables, ...request.processVariablesLocal },
      });
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status === 404) return undefined;
      if (error instanceof ProblemError && error.problem.status < 500) throw cannot(error.problem.detail);
      throw error;
    }
  }
}
