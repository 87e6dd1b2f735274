import { STATUS_CODES } from 'node:http';

import { Body, Controller, Delete, Get, Headers, HttpCode, Module, Param, Patch, Post } from '@nestjs/common';
import { CommandBus, CqrsModule, QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import type { JsonObject } from '@trellis/contracts';
import { type ProblemDetails, ProblemError, type ProblemRenderer, ProblemType } from '@trellis/platform';
import type { Response } from 'express';

import { CompleteTaskCommand } from '../commands/complete-task.command.js';
import { AssignTaskCommand, ChangeTaskCandidatesCommand, UpdateTaskCommand } from '../commands/task-operations.command.js';
import { GetTaskQuery, ListTasksQuery } from '../queries/task.queries.js';
import { TASK_STATES, type TaskFilter, type TaskPage, type TaskSort, type TaskSortField, type TaskState, type TaskUpdate, type TaskView } from '../task.views.js';
import { CALLER_HEADERS } from './task-caller.js';

/** Camunda 8's REST API path (the Orchestration Cluster API, `/v2`), served outside the global prefix. */
export const CAMUNDA8_REST_PATH = 'v2';

/** A user task as Camunda 8's `/v2/user-tasks` answers it. Keys are Trellis ids (UUIDs, strings as Camunda's keys are). */
export interface Camunda8UserTaskDto {
  readonly userTaskKey: string;
  readonly name: string | null;
  readonly state: TaskState;
  readonly assignee: string | null;
  readonly elementId: string;
  readonly elementInstanceKey: string;
  readonly candidateGroups: readonly string[];
  readonly candidateUsers: readonly string[];
  /** The BPMN process id (Camunda 8's `processDefinitionId`). */
  readonly processDefinitionId: string;
  /** The deployed definition (Trellis' `processDefinitionId`, `approval:1`). */
  readonly processDefinitionKey: string;
  readonly processInstanceKey: string;
  readonly formKey: string | null;
  readonly creationDate: string;
  readonly completionDate: string | null;
  readonly followUpDate: string | null;
  readonly dueDate: string | null;
  readonly tenantId: string;
  readonly externalFormReference: null;
  readonly customHeaders: Record<string, string>;
  readonly priority: number;
}

/** Camunda 8's default priority and tenant, for a task the model gave none. */
const DEFAULT_PRIORITY = 50;
const DEFAULT_TENANT = '<default>';

export function camunda8UserTaskOf(task: TaskView): Camunda8UserTaskDto {
  return {
    userTaskKey: task.id,
    name: task.name ?? null,
    state: task.state,
    assignee: task.assignee ?? null,
    elementId: task.elementId,
    elementInstanceKey: task.elementInstanceId,
    candidateGroups: task.candidateGroups,
    candidateUsers: task.candidateUsers,
    processDefinitionId: task.processId,
    processDefinitionKey: task.processDefinitionId,
    processInstanceKey: task.processInstanceId,
    formKey: task.formKey ?? null,
    creationDate: task.createdAt,
    completionDate: task.state === 'COMPLETED' ? (task.completedAt ?? null) : null,
    followUpDate: task.followUpDate ?? null,
    dueDate: task.dueDate ?? null,
    tenantId: task.tenantId ?? DEFAULT_TENANT,
    externalFormReference: null,
    customHeaders: {},
    priority: task.priority ?? DEFAULT_PRIORITY,
  };
}

/** Camunda 8's sort fields the task list can order by (`completionDate` it cannot). */
const SORT_FIELDS: Readonly<Record<string, TaskSortField>> = { creationDate: 'created', dueDate: 'due', followUpDate: 'followUp', priority: 'priority', name: 'name' };

/** Camunda 8's largest page (`page.limit`), and its default. */
const LARGEST_PAGE = 1000;
const DEFAULT_PAGE = 100;

/** Camunda 8's 400: `INVALID_ARGUMENT`, naming the field. */
export function invalidArgument(field: string, message: string): ProblemError {
  return new ProblemError({ type: ProblemType.invalidArgument, title: 'INVALID_ARGUMENT', status: 400, detail: message, errors: [{ field, message }] });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object member of the request, or nothing: anything else is a 400 naming it. */
function objectAt(source: Readonly<Record<string, unknown>>, name: string, path: string): Record<string, unknown> | undefined {
  const value = source[name];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidArgument(path, `${path} must be an object`);
  return value;
}

/** A string filter property: a plain value or `{ "$eq": value }` (Trellis supports no other operator). */
function textFilter(filter: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = filter[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (isObject(value)) {
    const operators = Object.keys(value);
    if (operators.length === 1 && operators[0] === '$eq' && (typeof value.$eq === 'string' || typeof value.$eq === 'number')) return String(value.$eq);
    throw invalidArgument(`filter.${name}`, `filter.${name}: only a value or { "$eq": value } is supported by Trellis`);
  }
  throw invalidArgument(`filter.${name}`, `filter.${name} must be a string`);
}

function integerAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidArgument(path, `${path} must be an integer`);
  return value;
}

/** An integer filter property: a value, or `$eq`, `$gt`, `$gte`, `$lt`, `$lte` (inclusive bounds of the native filter). */
function priorityFilter(filter: Readonly<Record<string, unknown>>): { minPriority?: number; maxPriority?: number } {
  const value = filter.priority;
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    const priority = integerAt(value, 'filter.priority');
    return { minPriority: priority, maxPriority: priority };
  }
  const bounds: { minPriority?: number; maxPriority?: number } = {};
  const raise = (min: number) => (bounds.minPriority = Math.max(bounds.minPriority ?? min, min));
  const lower = (max: number) => (bounds.maxPriority = Math.min(bounds.maxPriority ?? max, max));
  for (const [operator, operand] of Object.entries(value)) {
    const path = `filter.priority.${operator}`;
    if (operator === '$eq') {
      raise(integerAt(operand, path));
      lower(integerAt(operand, path));
    } else if (operator === '$gte') raise(integerAt(operand, path));
    else if (operator === '$gt') raise(integerAt(operand, path) + 1);
    else if (operator === '$lte') lower(integerAt(operand, path));
    else if (operator === '$lt') lower(integerAt(operand, path) - 1);
    else throw invalidArgument(path, `filter.priority: the operator ${operator} is not supported by Trellis ($eq, $gt, $gte, $lt, $lte are)`);
  }
  return bounds;
}

const FILTER_FIELDS = [
  'state',
  'assignee',
  'candidateGroup',
  'candidateUser',
  'processDefinitionKey',
  'processInstanceKey',
  'elementId',
  'elementInstanceKey',
  'processDefinitionId',
  'bpmnProcessId',
  'tenantId',
  'priority',
  'userTaskKey',
];

/**
 * Reads Camunda 8's user task search (`{ filter, sort, page }`) as the native filter and paging. The response of a
 * search it cannot answer exactly (an unknown field, another operator) is a 400 rather than a wider list.
 */
export function camunda8SearchOf(body: unknown): { filter: TaskFilter; userTaskKey?: string; elementInstanceKey?: string } {
  if (body !== undefined && body !== null && !isObject(body)) throw invalidArgument('body', 'The request body must be a JSON object');
  const request = body ?? {};
  const filter = objectAt(request, 'filter', 'filter') ?? {};
  for (const name of Object.keys(filter)) {
    if (!FILTER_FIELDS.includes(name)) throw invalidArgument(`filter.${name}`, `The user task filter ${name} is not supported by Trellis`);
  }
  const state = textFilter(filter, 'state');
  if (state !== undefined && !(TASK_STATES as readonly string[]).includes(state)) {
    throw invalidArgument('filter.state', `filter.state must be one of ${TASK_STATES.join(', ')} (Trellis' states of a user task)`);
  }
  const page = objectAt(request, 'page', 'page') ?? {};
  for (const name of Object.keys(page)) if (name !== 'from' && name !== 'limit') throw invalidArgument(`page.${name}`, `Paging by ${name} is not supported by Trellis: use from and limit`);
  const from = page.from === undefined ? 0 : integerAt(page.from, 'page.from');
  const limit = page.limit === undefined ? DEFAULT_PAGE : integerAt(page.limit, 'page.limit');
  if (from < 0) throw invalidArgument('page.from', 'page.from must not be negative');
  if (limit < 1 || limit > LARGEST_PAGE) throw invalidArgument('page.limit', `page.limit must be between 1 and ${LARGEST_PAGE}`);
  const sort = sortOf(request.sort);
  const fields: { [K in keyof TaskFilter]: TaskFilter[K] | undefined } = {
    state: state as TaskState | undefined,
    assignee: textFilter(filter, 'assignee'),
    candidateGroup: textFilter(filter, 'candidateGroup'),
    candidateUser: textFilter(filter, 'candidateUser'),
    processDefinitionId: textFilter(filter, 'processDefinitionKey'),
    processInstanceId: textFilter(filter, 'processInstanceKey'),
    elementId: textFilter(filter, 'elementId'),
    processId: textFilter(filter, 'processDefinitionId') ?? textFilter(filter, 'bpmnProcessId'),
    // Camunda's `<default>` tenant is a task without one: not a filter the native list has, so every tenant is listed.
    tenantId: tenantOf(textFilter(filter, 'tenantId')),
    ...priorityFilter(filter),
    sort,
    limit,
    offset: from,
  };
  const native = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as TaskFilter;
  const userTaskKey = textFilter(filter, 'userTaskKey');
  const elementInstanceKey = textFilter(filter, 'elementInstanceKey');
  return { filter: native, ...(userTaskKey === undefined ? {} : { userTaskKey }), ...(elementInstanceKey === undefined ? {} : { elementInstanceKey }) };
}

function tenantOf(tenantId: string | undefined): string | undefined {
  return tenantId === DEFAULT_TENANT ? undefined : tenantId;
}

function sortOf(sort: unknown): TaskSort | undefined {
  if (sort === undefined || sort === null) return undefined;
  if (!Array.isArray(sort)) throw invalidArgument('sort', 'sort must be a list of { field, order }');
  if (sort.length === 0) return undefined;
  if (sort.length > 1) throw invalidArgument('sort', 'Sorting by more than one field is not supported by Trellis');
  const [first] = sort as unknown[];
  if (!isObject(first)) throw invalidArgument('sort[0]', 'sort[0] must be { field, order }');
  const field = typeof first.field === 'string' && Object.hasOwn(SORT_FIELDS, first.field) ? SORT_FIELDS[first.field] : undefined;
  if (field === undefined) throw invalidArgument('sort[0].field', `sort[0].field must be one of ${Object.keys(SORT_FIELDS).join(', ')}`);
  const order = first.order === undefined || first.order === null ? 'asc' : typeof first.order === 'string' ? first.order.toLowerCase() : undefined;
  if (order !== 'asc' && order !== 'desc') throw invalidArgument('sort[0].order', 'sort[0].order must be ASC or DESC');
  return `${field}:${order}`;
}

/** `action` is Camunda's label for the events of a request: Trellis' history records its own operation, so it is only checked. */
function checkAction(body: Readonly<Record<string, unknown>>): void {
  if (body.action !== undefined && body.action !== null && typeof body.action !== 'string') throw invalidArgument('action', 'action must be a string');
}

function bodyOf(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (!isObject(body)) throw invalidArgument('body', 'The request body must be a JSON object');
  return body;
}

/** A date of the changeset: an ISO 8601 date-time, or `null`/`""` to clear it. */
function dateAt(changeset: Readonly<Record<string, unknown>>, name: 'dueDate' | 'followUpDate'): string | null | undefined {
  const value = changeset[name];
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw invalidArgument(`changeset.${name}`, `changeset.${name} must be an ISO 8601 date-time`);
  return value;
}

function namesAt(changeset: Readonly<Record<string, unknown>>, name: 'candidateUsers' | 'candidateGroups'): string[] | undefined {
  const value = changeset[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.length > 0)) {
    throw invalidArgument(`changeset.${name}`, `changeset.${name} must be a list of non-empty strings`);
  }
  return [...new Set(value as string[])];
}

/** The changes of Camunda 8's `PATCH /user-tasks/{key}`: dates and priority (native update), and the candidate lists. */
export function camunda8ChangesetOf(body: unknown): { update: TaskUpdate; candidateUsers?: string[]; candidateGroups?: string[] } {
  const request = bodyOf(body);
  checkAction(request);
  const changeset = objectAt(request, 'changeset', 'changeset') ?? {};
  for (const name of Object.keys(changeset)) {
    if (!['dueDate', 'followUpDate', 'candidateUsers', 'candidateGroups', 'priority'].includes(name)) throw invalidArgument(`changeset.${name}`, `changeset.${name} cannot be changed`);
  }
  let priority: number | undefined;
  if (changeset.priority !== undefined && changeset.priority !== null) {
    priority = integerAt(changeset.priority, 'changeset.priority');
    if (priority < 0 || priority > 100) throw invalidArgument('changeset.priority', 'changeset.priority must be between 0 and 100');
  }
  const dueDate = dateAt(changeset, 'dueDate');
  const followUpDate = dateAt(changeset, 'followUpDate');
  const update: TaskUpdate = {
    ...(dueDate === undefined ? {} : { dueDate }),
    ...(followUpDate === undefined ? {} : { followUpDate }),
    ...(priority === undefined ? {} : { priority }),
  };
  const candidateUsers = namesAt(changeset, 'candidateUsers');
  const candidateGroups = namesAt(changeset, 'candidateGroups');
  return { update, ...(candidateUsers === undefined ? {} : { candidateUsers }), ...(candidateGroups === undefined ? {} : { candidateGroups }) };
}

/** Camunda 8's problem titles by status (`INVALID_STATE` for a 409 on a task that is not open). */
const TITLES: Readonly<Record<number, string>> = { 400: 'INVALID_ARGUMENT', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'INVALID_STATE', 415: 'UNSUPPORTED_MEDIA_TYPE', 500: 'INTERNAL_ERROR' };

/** Camunda 8's problem detail of an error: `{ type, title, status, detail, instance }`, as `application/problem+json`. */
export function camunda8ProblemOf(problem: ProblemDetails): { type: string; title: string; status: number; detail: string; instance?: string } {
  return {
    type: 'about:blank',
    title: TITLES[problem.status] ?? STATUS_CODES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    ...(problem.instance === undefined ? {} : { instance: problem.instance }),
  };
}

/** Renders every error under `/v2` as Camunda 8 does. */
export const camunda8ProblemRenderer: ProblemRenderer = {
  pathPrefix: `/${CAMUNDA8_REST_PATH}`,
  render(response: Response, problem: ProblemDetails): void {
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(camunda8ProblemOf(problem)));
  },
};

/**
 * Camunda 8's `/v2/user-tasks` over the task-service: search, get, assign, unassign, complete and change, with the
 * native rules (a closed task refuses changes: 409). A completion is sent to the runtime and answered 204 at once, as
 * Camunda answers; the task shows COMPLETED once the runtime has completed it.
 */
@ApiExcludeController()
@Controller(`${CAMUNDA8_REST_PATH}/user-tasks`)
export class Camunda8UserTasksController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Post('search')
  @HttpCode(200)
  async search(@Body() body: unknown): Promise<{ items: Camunda8UserTaskDto[]; page: { totalItems: number } }> {
    const { filter, userTaskKey, elementInstanceKey } = camunda8SearchOf(body);
    if (userTaskKey === undefined && elementInstanceKey === undefined) {
      const page: TaskPage = await this.queryBus.execute(new ListTasksQuery(filter));
      return { items: page.items.map(camunda8UserTaskOf), page: { totalItems: page.total } };
    }
    if (userTaskKey === undefined) throw invalidArgument('filter.elementInstanceKey', 'filter.elementInstanceKey is supported by Trellis only with filter.userTaskKey');
    // A search by key is a get, filtered like the rest (the native list has no filter by id).
    const task: TaskView | undefined = await this.queryBus.execute(new GetTaskQuery(userTaskKey)).catch((error: unknown) => notFoundAsNothing(error));
    const candidates = task === undefined ? [] : [task];
    const matching = candidates.filter((item) => matches(item, filter) && (elementInstanceKey === undefined || item.elementInstanceId === elementInstanceKey));
    return { items: matching.slice(filter.offset ?? 0).map(camunda8UserTaskOf), page: { totalItems: matching.length } };
  }

  @Get(':userTaskKey')
  async get(@Param('userTaskKey') key: string): Promise<Camunda8UserTaskDto> {
    const task: TaskView = await this.run(key, () => this.queryBus.execute(new GetTaskQuery(key)));
    return camunda8UserTaskOf(task);
  }

  @Post(':userTaskKey/assignment')
  @HttpCode(204)
  async assign(@Param('userTaskKey') key: string, @Body() body: unknown, @Headers(CALLER_HEADERS.user) user?: string): Promise<void> {
    const request = bodyOf(body);
    checkAction(request);
    if (typeof request.assignee !== 'string' || request.assignee.length === 0) throw invalidArgument('assignee', 'assignee must not be empty or null');
    if (request.allowOverride !== undefined && request.allowOverride !== null && typeof request.allowOverride !== 'boolean') {
      throw invalidArgument('allowOverride', 'allowOverride must be a boolean');
    }
    if (request.allowOverride === false) {
      const task: TaskView = await this.run(key, () => this.queryBus.execute(new GetTaskQuery(key)));
      if (task.assignee !== undefined) {
        throw new ProblemError({
          type: ProblemType.invalidState,
          title: 'Invalid state',
          status: 409,
          detail: `User task ${key} is already assigned to ${task.assignee} and allowOverride is false: unassign it first`,
          details: { taskId: key, assignee: task.assignee },
        });
      }
    }
    const assignee = request.assignee;
    await this.run(key, () => this.commandBus.execute(new AssignTaskCommand(key, assignee, user)));
  }

  @Delete(':userTaskKey/assignee')
  @HttpCode(204)
  async unassign(@Param('userTaskKey') key: string, @Headers(CALLER_HEADERS.user) user?: string): Promise<void> {
    await this.run(key, () => this.commandBus.execute(new AssignTaskCommand(key, null, user)));
  }

  @Post(':userTaskKey/completion')
  @HttpCode(204)
  async complete(
    @Param('userTaskKey') key: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey?: string,
    @Headers(CALLER_HEADERS.user) user?: string,
  ): Promise<void> {
    const request = bodyOf(body);
    checkAction(request);
    if (request.variables !== undefined && request.variables !== null && !isObject(request.variables)) throw invalidArgument('variables', 'variables must be an object');
    const variables = (request.variables ?? undefined) as JsonObject | undefined;
    await this.run(key, () => this.commandBus.execute(new CompleteTaskCommand(key, variables, idempotencyKey, user)));
  }

  /** Dates and priority in one native update; the candidate lists replaced by adding and removing the difference. */
  @Patch(':userTaskKey')
  @HttpCode(204)
  async update(@Param('userTaskKey') key: string, @Body() body: unknown, @Headers(CALLER_HEADERS.user) user?: string): Promise<void> {
    const { update, candidateUsers, candidateGroups } = camunda8ChangesetOf(body);
    let task: TaskView = await this.run(key, () => this.queryBus.execute(new GetTaskQuery(key)));
    if (Object.keys(update).length > 0 || (candidateUsers === undefined && candidateGroups === undefined)) {
      task = await this.run(key, () => this.commandBus.execute(new UpdateTaskCommand(key, update, user)));
    }
    const changes: ChangeTaskCandidatesCommand[] = [
      ...candidateChanges(key, 'user', task.candidateUsers, candidateUsers, user),
      ...candidateChanges(key, 'group', task.candidateGroups, candidateGroups, user),
    ];
    for (const change of changes) await this.run(key, () => this.commandBus.execute(change));
  }

  /** Camunda 8's words for a task that does not exist. */
  private async run<T>(key: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status === 404) {
        throw new ProblemError({ type: ProblemType.notFound, title: 'NOT_FOUND', status: 404, detail: `User task with key ${key} not found`, details: { userTaskKey: key } });
      }
      throw error;
    }
  }
}

function notFoundAsNothing(error: unknown): undefined {
  if (error instanceof ProblemError && error.problem.status === 404) return undefined;
  throw error;
}

function candidateChanges(key: string, kind: 'user' | 'group', current: readonly string[], wanted: readonly string[] | undefined, actor: string | undefined): ChangeTaskCandidatesCommand[] {
  if (wanted === undefined) return [];
  return [
    ...current.filter((id) => !wanted.includes(id)).map((id) => new ChangeTaskCandidatesCommand(key, 'remove', kind, id, actor)),
    ...wanted.filter((id) => !current.includes(id)).map((id) => new ChangeTaskCandidatesCommand(key, 'add', kind, id, actor)),
  ];
}

/** Whether one task passes the filter a search by key adds (the fields `camunda8SearchOf` sets). */
function matches(task: TaskView, filter: TaskFilter): boolean {
  const checks: boolean[] = [
    filter.state === undefined || task.state === filter.state,
    filter.assignee === undefined || task.assignee === filter.assignee,
    filter.candidateGroup === undefined || task.candidateGroups.includes(filter.candidateGroup),
    filter.candidateUser === undefined || task.candidateUsers.includes(filter.candidateUser),
    filter.processDefinitionId === undefined || task.processDefinitionId === filter.processDefinitionId,
    filter.processInstanceId === undefined || task.processInstanceId === filter.processInstanceId,
    filter.elementId === undefined || task.elementId === filter.elementId,
    filter.processId === undefined || task.processId === filter.processId,
    filter.tenantId === undefined || task.tenantId === filter.tenantId,
    filter.minPriority === undefined || (task.priority ?? DEFAULT_PRIORITY) >= filter.minPriority,
    filter.maxPriority === undefined || (task.priority ?? DEFAULT_PRIORITY) <= filter.maxPriority,
  ];
  return checks.every(Boolean);
}

/**
 * Camunda 8's `/v2/user-tasks` (create the application with `routesOutsidePrefix: [CAMUNDA8_REST_PATH]` and
 * `camunda8ProblemRenderer`).
 */
@Module({ imports: [CqrsModule], controllers: [Camunda8UserTasksController] })
export class Camunda8UserTasksRestModule {}
