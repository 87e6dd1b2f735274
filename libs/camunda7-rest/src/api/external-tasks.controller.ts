import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { JsonValue } from '@trellis/engine';
import { ProblemError } from '@trellis/platform';
import { type ExternalTaskFilter, ExternalTaskService, type ExternalTaskView, type FetchTopic, MAX_ASYNC_RESPONSE_TIMEOUT_MS } from '@trellis/runtime';
import type { Response } from 'express';

import { CamundaRestException, ENGINE_REST_PATH, invalidRequest } from '../camunda-rest.error.js';
import { type ExternalTaskDto, externalTaskDtoOf, type LockedExternalTaskDto, lockedExternalTaskDtoOf } from '../external-task-dtos.js';
import { booleanParam, listParam, paged, type QueryParameters, sortedBy, textParam } from '../list-query.js';
import { variablesOfTyped } from '../typed-values.js';
import { bodyObject } from './engine-rest-request.js';

/** `RestException`: what Camunda's external-task resource answers for an engine error of a task (400) or a missing task (404). */
const restException = (status: number, message: string): CamundaRestException => new CamundaRestException(status, { type: 'RestException', message });

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The engine's message for a missing mandatory field (`EnsureUtil.ensureNotNull`). */
const isNull = (field: string): CamundaRestException => invalidRequest(`${field} is null`);

function optionalString(body: Readonly<Record<string, unknown>>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${field} must be a string, not ${JSON.stringify(value)}`);
  return value;
}

function requiredString(body: Readonly<Record<string, unknown>>, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined) throw isNull(field);
  return value;
}

function optionalBoolean(body: Readonly<Record<string, unknown>>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`${field} must be true or false, not ${JSON.stringify(value)}`);
  return value;
}

/** A whole number (Camunda's `int`/`long` fields); absent or null: undefined (Camunda's primitives then read 0). */
function optionalInteger(body: Readonly<Record<string, unknown>>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalidRequest(`${field} must be a whole number, not ${JSON.stringify(value)}`);
  return value;
}

function optionalStrings(body: Readonly<Record<string, unknown>>, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw invalidRequest(`${field} must be a list of strings, not ${JSON.stringify(value)}`);
  }
  return value;
}

/** A whole number query parameter that may be negative (priorities). */
function signedIntegerParam(query: QueryParameters, name: string): number | undefined {
  const value = textParam(query, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalidRequest(`Cannot set query parameter '${name}' to value '${value}'`);
  return Number(value);
}

/**
 * A JSON query body as the query string it stands for (`"locked": true` → `locked=true`, lists comma-separated), so that
 * both forms are read by the same filters; `sorting: [{ sortBy, sortOrder }]` becomes `sortBy` and `sortOrder`.
 */
function queryOfBody(rawBody: unknown): QueryParameters {
  const body = bodyObject(rawBody);
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (value === null || value === undefined || name === 'sorting') continue;
    if (Array.isArray(value)) query[name] = value.map(String).join(',');
    else if (typeof value === 'object') throw invalidRequest(`${name} must be a value or a list, not ${JSON.stringify(value)}`);
    else query[name] = String(value);
  }
  const sorting = body['sorting'];
  if (sorting !== undefined && sorting !== null) {
    if (!Array.isArray(sorting) || !sorting.every(isObject)) throw invalidRequest(`sorting must be a list of { sortBy, sortOrder }, not ${JSON.stringify(sorting)}`);
    if (sorting.length > 1) throw invalidRequest('Trellis sorts by one criterion: give sorting a single { sortBy, sortOrder }');
    const [first] = sorting;
    if (first !== undefined) {
      if (typeof first['sortBy'] === 'string') query['sortBy'] = first['sortBy'];
      if (typeof first['sortOrder'] === 'string') query['sortOrder'] = first['sortOrder'];
    }
  }
  return query;
}

/** What a topic of a Camunda fetch-and-lock request asks, as the runtime's `FetchTopic`; undefined when it can match no task. */
function fetchTopicOf(raw: unknown, index: number): { topic: FetchTopic | undefined; includeExtensionProperties: boolean } {
  if (!isObject(raw)) throw invalidRequest(`topics[${index}] must be an object, not ${JSON.stringify(raw)}`);
  const topicName = requiredString(raw, 'topicName');
  const lockDuration = optionalInteger(raw, 'lockDuration') ?? 0;
  if (lockDuration <= 0) throw invalidRequest('lockDuration is not greater than 0');
  const processVariables = raw['processVariables'];
  if (processVariables !== undefined && processVariables !== null && !isObject(processVariables)) {
    throw invalidRequest(`processVariables of topic '${topicName}' must be an object of variable values, not ${JSON.stringify(processVariables)}`);
  }
  // Accepted as Camunda's clients send them: values are JSON either way (deserializeValues), and sorting by creation
  // time is what the runtime does anyway (oldest first).
  optionalBoolean(raw, 'deserializeValues');
  const includeExtensionProperties = optionalBoolean(raw, 'includeExtensionProperties') ?? false;
  // No definition has a version tag: a topic asking for one matches no task.
  if (optionalString(raw, 'processDefinitionVersionTag') !== undefined) return { topic: undefined, includeExtensionProperties };
  const fields = {
    variables: optionalStrings(raw, 'variables'),
    localVariables: optionalBoolean(raw, 'localVariables'),
    businessKey: optionalString(raw, 'businessKey'),
    processDefinitionId: optionalString(raw, 'processDefinitionId'),
    processDefinitionIdIn: optionalStrings(raw, 'processDefinitionIdIn'),
    processDefinitionKey: optionalString(raw, 'processDefinitionKey'),
    processDefinitionKeyIn: optionalStrings(raw, 'processDefinitionKeyIn'),
    tenantIdIn: optionalStrings(raw, 'tenantIdIn'),
    withoutTenantId: optionalBoolean(raw, 'withoutTenantId'),
    processVariables: processVariables === null ? undefined : (processVariables as Readonly<Record<string, JsonValue>> | undefined),
  };
  const topic: FetchTopic = { topicName, lockDuration, ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) };
  return { topic, includeExtensionProperties };
}

/**
 * Camunda 7's external-task API at `/engine-rest/external-task`, as Camunda's external task clients call it (the e2e
 * specs run `camunda-external-task-client-js`): fetch and lock (long polling), complete, failure, BPMN error, locks,
 * retries and the list. Only a translation: the runtime's `ExternalTaskService` (the one behind `/api/external-tasks`)
 * does all of it.
 */
@ApiExcludeController()
@Controller(`${ENGINE_REST_PATH}/external-task`)
export class CamundaExternalTasksController {
  constructor(private readonly externalTasks: ExternalTaskService) {}

  @Post('fetchAndLock')
  @HttpCode(200)
  async fetchAndLock(@Body() rawBody: unknown, @Res({ passthrough: true }) response: Response): Promise<LockedExternalTaskDto[]> {
    const body = bodyObject(rawBody);
    const workerId = requiredString(body, 'workerId');
    const maxTasks = optionalInteger(body, 'maxTasks') ?? 0;
    if (maxTasks < 0) throw invalidRequest('maxResults is not greater than or equal to 0');
    const asyncResponseTimeout = optionalInteger(body, 'asyncResponseTimeout');
    if (asyncResponseTimeout !== undefined && asyncResponseTimeout > MAX_ASYNC_RESPONSE_TIMEOUT_MS) {
      throw invalidRequest(`The asynchronous response timeout cannot be set to a value greater than ${MAX_ASYNC_RESPONSE_TIMEOUT_MS} milliseconds`);
    }
    const rawTopics = body['topics'] ?? [];
    if (!Array.isArray(rawTopics)) throw invalidRequest(`topics must be a list, not ${JSON.stringify(rawTopics)}`);
    const parsed = rawTopics.map((raw, index) => fetchTopicOf(raw, index));
    const extensionPropertiesOf = new Set(parsed.filter((entry) => entry.includeExtensionProperties && entry.topic !== undefined).map((entry) => entry.topic?.topicName));
    const topics = parsed.flatMap((entry) => (entry.topic === undefined ? [] : [entry.topic]));
    const usePriority = optionalBoolean(body, 'usePriority');

    // A client that goes away stops waiting: no task is locked for a response nobody reads.
    const gone = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) gone.abort();
    });
    const tasks = await this.externalTasks.fetchAndLock(
      {
        workerId,
        maxTasks,
        topics,
        ...(usePriority === undefined ? {} : { usePriority }),
        ...(asyncResponseTimeout === undefined ? {} : { asyncResponseTimeout }),
      },
      gone.signal,
    );
    const locked: LockedExternalTaskDto[] = [];
    for (const task of tasks) {
      // Error details are kept only for a task that failed (which left its error message).
      const errorDetails = task.errorMessage === undefined ? undefined : await this.externalTasks.errorDetails(task.id).catch(() => undefined);
      locked.push(lockedExternalTaskDtoOf(task, errorDetails, extensionPropertiesOf.has(task.topicName)));
    }
    return locked;
  }

  @Get()
  async list(@Query() query: QueryParameters): Promise<ExternalTaskDto[]> {
    return paged(await this.matching(query), query);
  }

  @Get('count')
  async count(@Query() query: QueryParameters): Promise<{ count: number }> {
    return { count: (await this.matching(query)).length };
  }

  /** The query as a JSON body (Camunda's `POST /external-task`): the same filters, `sorting`, paging in the query string. */
  @Post()
  @HttpCode(200)
  async query(@Body() rawBody: unknown, @Query() query: QueryParameters): Promise<ExternalTaskDto[]> {
    return paged(await this.matching(queryOfBody(rawBody)), query);
  }

  @Post('count')
  @HttpCode(200)
  async queryCount(@Body() rawBody: unknown): Promise<{ count: number }> {
    return { count: (await this.matching(queryOfBody(rawBody))).length };
  }

  /** The distinct topics of the open tasks (Camunda's `getTopicNames`), sorted. */
  @Get('topic-names')
  async topicNames(@Query() query: QueryParameters): Promise<string[]> {
    const withLockedTasks = booleanParam(query, 'withLockedTasks') === true;
    const withUnlockedTasks = booleanParam(query, 'withUnlockedTasks') === true;
    const withRetriesLeft = booleanParam(query, 'withRetriesLeft') === true;
    const tasks = await this.externalTasks.list({ limit: Number.MAX_SAFE_INTEGER, ...(withRetriesLeft ? { withRetriesLeft } : {}) });
    const names = tasks
      .filter((task) => (!withLockedTasks || task.workerId !== undefined) && (!withUnlockedTasks || task.workerId === undefined))
      .map((task) => task.topicName);
    return [...new Set(names)].sort();
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<ExternalTaskDto> {
    return externalTaskDtoOf(await this.rest(id, () => this.externalTasks.task(id)));
  }

  /** The details of the last failure as plain text (Camunda's `String` answer); none: 204. */
  @Get(':id/errorDetails')
  async errorDetails(@Param('id') id: string, @Res() response: Response): Promise<void> {
    const details = await this.rest(id, () => this.externalTasks.errorDetails(id));
    if (details === undefined) response.status(204).end();
    else response.status(200).type('text/plain').send(details);
  }

  @Post(':id/complete')
  @HttpCode(204)
  async complete(@Param('id') id: string, @Body() rawBody: unknown): Promise<void> {
    const body = bodyObject(rawBody);
    const workerId = requiredString(body, 'workerId');
    const variables = variablesOfTyped(body['variables']);
    const localVariables = variablesOfTyped(body['localVariables'], 'localVariables');
    await this.requireHeldBy(id, workerId, `External Task ${id} cannot be completed by worker '${workerId}`);
    await this.rest(id, () => this.externalTasks.complete(id, workerId, variables, localVariables));
  }

  /**
   * As Camunda reads the body: `retries` and `retryTimeout` are Java primitives there, so absent means 0 (an absent
   * `retries` raises the incident; an absent `retryTimeout` offers the task again at once).
   */
  @Post(':id/failure')
  @HttpCode(204)
  async failure(@Param('id') id: string, @Body() rawBody: unknown): Promise<void> {
    const body = bodyObject(rawBody);
    const workerId = requiredString(body, 'workerId');
    const retries = optionalInteger(body, 'retries') ?? 0;
    if (retries < 0) throw restException(400, 'retries is not greater than or equal to 0');
    const retryTimeout = optionalInteger(body, 'retryTimeout') ?? 0;
    if (retryTimeout < 0) throw restException(400, 'retryDuration is not greater than or equal to 0');
    for (const field of ['variables', 'localVariables']) {
      if (isObject(body[field]) && Object.keys(body[field]).length > 0) {
        throw invalidRequest(`${field} of a failure are not supported by Trellis: set them when the task is completed`);
      }
    }
    const errorMessage = optionalString(body, 'errorMessage');
    const errorDetails = optionalString(body, 'errorDetails');
    await this.requireHeldBy(id, workerId, `Failure of External Task ${id} cannot be reported by worker '${workerId}`);
    await this.rest(id, () =>
      this.externalTasks.handleFailure(id, {
        workerId,
        retries,
        retryTimeout,
        ...(errorMessage === undefined ? {} : { errorMessage }),
        ...(errorDetails === undefined ? {} : { errorDetails }),
      }),
    );
  }

  @Post(':id/bpmnError')
  @HttpCode(204)
  async bpmnError(@Param('id') id: string, @Body() rawBody: unknown): Promise<void> {
    const body = bodyObject(rawBody);
    const workerId = requiredString(body, 'workerId');
    const errorCode = requiredString(body, 'errorCode');
    const errorMessage = optionalString(body, 'errorMessage');
    const variables = variablesOfTyped(body['variables']);
    await this.requireHeldBy(id, workerId, `Bpmn error of External Task ${id} cannot be reported by worker '${workerId}`);
    await this.rest(id, () => this.externalTasks.handleBpmnError(id, { workerId, errorCode, variables, ...(errorMessage === undefined ? {} : { errorMessage }) }));
  }

  @Post(':id/extendLock')
  @HttpCode(204)
  async extendLock(@Param('id') id: string, @Body() rawBody: unknown): Promise<void> {
    const body = bodyObject(rawBody);
    const workerId = requiredString(body, 'workerId');
    const newDuration = optionalInteger(body, 'newDuration') ?? 0;
    if (newDuration <= 0) throw restException(400, 'lockTime is not greater than 0');
    const task = await this.rest(id, () => this.externalTasks.task(id));
    if (task.workerId === undefined) throw restException(400, 'Cannot extend a lock that expired');
    await this.requireHeldBy(id, workerId, `The lock of the External Task ${id} cannot be extended by worker '${workerId}`);
    await this.rest(id, () => this.externalTasks.extendLock(id, workerId, newDuration));
  }

  @Post(':id/lock')
  @HttpCode(204)
  async lock(@Param('id') id: string, @Body() rawBody: unknown): Promise<void> {
    const body = bodyObject(rawBody);
    const workerId = requiredString(body, 'workerId');
    const lockDuration = optionalInteger(body, 'lockDuration') ?? 0;
    if (lockDuration <= 0) throw restException(400, 'lockDuration is not greater than 0');
    const task = await this.rest(id, () => this.externalTasks.task(id));
    if (task.workerId !== undefined && task.workerId !== workerId) {
      throw restException(400, `External Task ${id} cannot be locked by worker '${workerId}'. It is locked by worker '${task.workerId}'.`);
    }
    await this.rest(id, () => this.externalTasks.lock(id, workerId, lockDuration));
  }

  @Post(':id/unlock')
  @HttpCode(204)
  async unlock(@Param('id') id: string): Promise<void> {
    await this.rest(id, () => this.externalTasks.unlock(id));
  }

  @Put(':id/retries')
  @HttpCode(204)
  async setRetries(@Param('id') id: string, @Body() rawBody: unknown): Promise<void> {
    const retries = optionalInteger(bodyObject(rawBody), 'retries');
    if (retries === undefined) throw restException(400, 'The number of retries cannot be null.');
    if (retries < 0) throw restException(400, 'retries is not greater than or equal to 0');
    await this.rest(id, () => this.externalTasks.setRetries(id, retries));
  }

  /**
   * Camunda refuses a worker's report on a task another worker holds with the engine's message ("… It is locked by
   * worker 'other'."); the runtime checks again (and refuses an expired lock too), this only gives Camunda's words.
   */
  private async requireHeldBy(id: string, workerId: string, refusal: string): Promise<void> {
    const task = await this.rest(id, () => this.externalTasks.task(id));
    if (task.workerId !== undefined && task.workerId !== workerId) throw restException(400, `${refusal}'. It is locked by worker '${task.workerId}'.`);
  }

  /** Runs a call of the runtime, its refusals as Camunda's resource answers them: 404 for a missing task, else 400. */
  private async rest<T>(id: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ProblemError) || error instanceof CamundaRestException) throw error;
      if (error.problem.status === 404) throw restException(404, `External task with id ${id} does not exist`);
      if (error.problem.status >= 400 && error.problem.status < 500) throw restException(400, error.problem.detail);
      throw error;
    }
  }

  private async matching(query: QueryParameters): Promise<ExternalTaskDto[]> {
    const filter: ExternalTaskFilter = {
      topicName: textParam(query, 'topicName'),
      workerId: textParam(query, 'workerId'),
      locked: booleanParam(query, 'locked'),
      notLocked: booleanParam(query, 'notLocked'),
      withRetriesLeft: booleanParam(query, 'withRetriesLeft'),
      noRetriesLeft: booleanParam(query, 'noRetriesLeft'),
      processInstanceId: textParam(query, 'processInstanceId'),
      priorityHigherThanOrEquals: signedIntegerParam(query, 'priorityHigherThanOrEquals'),
      priorityLowerThanOrEquals: signedIntegerParam(query, 'priorityLowerThanOrEquals'),
      limit: Number.MAX_SAFE_INTEGER,
    };
    const more = {
      id: textParam(query, 'externalTaskId'),
      ids: listParam(query, 'externalTaskIdIn'),
      activityId: textParam(query, 'activityId'),
      activityIds: listParam(query, 'activityIdIn'),
      executionId: textParam(query, 'executionId'),
      processInstanceIds: listParam(query, 'processInstanceIdIn'),
      processDefinitionId: textParam(query, 'processDefinitionId'),
      tenantIds: listParam(query, 'tenantIdIn'),
      // No task is ever suspended.
      suspended: booleanParam(query, 'suspended'),
    };
    const defined = Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined)) as ExternalTaskFilter;
    const views: ExternalTaskView[] = await this.externalTasks.list(defined);
    const matching = views
      .filter(
        (task) =>
          (more.id === undefined || task.id === more.id) &&
          (more.ids === undefined || more.ids.includes(task.id)) &&
          (more.activityId === undefined || task.elementId === more.activityId) &&
          (more.activityIds === undefined || more.activityIds.includes(task.elementId)) &&
          (more.executionId === undefined || task.elementInstanceId === more.executionId) &&
          (more.processInstanceIds === undefined || more.processInstanceIds.includes(task.processInstanceId)) &&
          (more.processDefinitionId === undefined || task.processDefinitionId === more.processDefinitionId) &&
          (more.tenantIds === undefined || more.tenantIds.length === 0) &&
          more.suspended !== true,
      )
      .map(externalTaskDtoOf);
    return sortedBy(matching, query, {
      id: (task) => task.id,
      lockExpirationTime: (task) => task.lockExpirationTime,
      processInstanceId: (task) => task.processInstanceId,
      processDefinitionId: (task) => task.processDefinitionId,
      processDefinitionKey: (task) => task.processDefinitionKey,
      taskPriority: (task) => task.priority,
      createTime: (task) => task.createTime,
      tenantId: () => null,
    });
  }
}
