import { Body, Controller, Get, Headers, HttpCode, Module, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, CqrsModule, QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  ENGINE_REST_PATH,
  type TypedValue,
  camundaDate,
  invalidRequest,
  notFoundRequest,
  parseCamundaDate,
  typedValuesOf,
  variablesOfTyped,
} from '@trellis/camunda7-rest';
import type { JsonObject, JsonValue } from '@trellis/contracts';
import { ProblemError } from '@trellis/platform';
import type { Response } from 'express';

import { ClaimTaskCommand } from '../commands/claim-task.command.js';
import { CompleteTaskCommand } from '../commands/complete-task.command.js';
import { AssignTaskCommand, DelegateTaskCommand, ResolveTaskCommand } from '../commands/task-operations.command.js';
import { UnclaimTaskCommand } from '../commands/unclaim-task.command.js';
import { GetTaskQuery, ListTasksQuery } from '../queries/task.queries.js';
import type { TaskFilter, TaskPage, TaskSort, TaskSortField, TaskView, VariableCondition, VariableOperator } from '../task.views.js';
import { CALLER_HEADERS, callerOf } from './task-caller.js';

/** A task as Camunda 7's `/task` answers it. */
export interface CamundaTaskDto {
  readonly id: string;
  readonly name: string | null;
  readonly assignee: string | null;
  readonly owner: string | null;
  readonly created: string;
  readonly lastUpdated: null;
  readonly due: string | null;
  readonly followUp: string | null;
  readonly delegationState: string | null;
  readonly description: null;
  readonly executionId: string;
  readonly parentTaskId: null;
  readonly priority: number;
  readonly processDefinitionId: string;
  readonly processInstanceId: string;
  readonly taskDefinitionKey: string;
  readonly caseExecutionId: null;
  readonly caseInstanceId: null;
  readonly caseDefinitionId: null;
  readonly suspended: false;
  readonly formKey: string | null;
  readonly camundaFormRef: null;
  readonly tenantId: string | null;
}

/** Camunda's default priority, for a task the model gave none. */
const DEFAULT_PRIORITY = 50;

export function camundaTaskOf(task: TaskView): CamundaTaskDto {
  return {
    id: task.id,
    name: task.name ?? null,
    assignee: task.assignee ?? null,
    owner: task.owner ?? null,
    created: camundaDate(task.createdAt),
    lastUpdated: null,
    due: camundaDate(task.dueDate),
    followUp: camundaDate(task.followUpDate),
    delegationState: task.delegationState ?? null,
    description: null,
    executionId: task.elementInstanceId,
    parentTaskId: null,
    priority: task.priority ?? DEFAULT_PRIORITY,
    processDefinitionId: task.processDefinitionId,
    processInstanceId: task.processInstanceId,
    taskDefinitionKey: task.elementId,
    caseExecutionId: null,
    caseInstanceId: null,
    caseDefinitionId: null,
    suspended: false,
    formKey: task.formKey ?? null,
    camundaFormRef: null,
    tenantId: task.tenantId ?? null,
  };
}

/** Camunda's `sortBy` values the task list can order by. */
const SORT_FIELDS: Readonly<Record<string, TaskSortField>> = {
  created: 'created',
  dueDate: 'due',
  followUpDate: 'followUp',
  priority: 'priority',
  name: 'name',
  assignee: 'assignee',
  instanceId: 'processInstanceId',
  processInstanceId: 'processInstanceId',
  processDefinitionId: 'processDefinitionId',
  taskDefinitionKey: 'elementId',
  tenantId: 'tenantId',
};

const OPERATORS: Readonly<Record<string, VariableOperator>> = { eq: 'eq', neq: 'neq', gt: 'gt', gteq: 'gte', lt: 'lt', lteq: 'lte', like: 'like' };

/** A page of Camunda's list: everything when `maxResults` is absent (read in pages of the native list's largest). */
const LARGEST_PAGE = 1000;

/** Reads Camunda's task query, from a query string (texts) or a JSON body (typed values). */
export class CamundaTaskQuery {
  constructor(private readonly source: Readonly<Record<string, unknown>>) {}

  text(name: string): string | undefined {
    const value = this.source[name];
    const first = Array.isArray(value) ? (value[0] as unknown) : value;
    if (first === undefined || first === null) return undefined;
    if (typeof first === 'string') return first;
    if (typeof first === 'number' || typeof first === 'boolean') return String(first);
    throw invalidRequest(`Cannot set query parameter '${name}' to value '${JSON.stringify(first)}'`);
  }

  boolean(name: string): boolean | undefined {
    const value = this.text(name);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') throw invalidRequest(`Cannot set query parameter '${name}' to value '${value}'`);
    return value === 'true';
  }

  number(name: string): number | undefined {
    const value = this.text(name);
    if (value === undefined) return undefined;
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) throw invalidRequest(`Cannot set query parameter '${name}' to value '${value}'`);
    return number;
  }

  date(name: string): string | undefined {
    const value = this.text(name);
    if (value === undefined) return undefined;
    const date = parseCamundaDate(value);
    if (date === undefined) throw invalidRequest(`Cannot set query parameter '${name}' to value '${value}'`);
    return date;
  }

  list(name: string): string[] | undefined {
    const value = this.source[name];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.flatMap((item: string) => item.split(',')).filter((item) => item !== '');
    return this.text(name)
      ?.split(',')
      .filter((item) => item !== '');
  }

  /** `name_op_value` items, comma-separated (query string), or `[{ name, operator, value }]` (JSON body). */
  variables(name: string): VariableCondition[] | undefined {
    const value = this.source[name];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null)) {
      return value.map((item: Record<string, unknown>) => {
        const operator = typeof item.operator === 'string' ? OPERATORS[item.operator] : undefined;
        if (typeof item.name !== 'string' || operator === undefined || item.value === undefined) {
          throw invalidRequest(`Invalid ${name} item ${JSON.stringify(item)}: name, operator (eq, neq, gt, gteq, lt, lteq, like) and value are required`);
        }
        return { name: item.name, operator, value: item.value as JsonValue };
      });
    }
    return (this.list(name) ?? []).map((text) => {
      const match = /^(.+?)_(eq|neq|gteq|gt|lteq|lt|like)_(.*)$/s.exec(text);
      if (match === null) throw invalidRequest(`Invalid ${name} comparator specified: ${text}`);
      return { name: match[1], operator: OPERATORS[match[2]], value: numberOrText(match[3]) };
    });
  }

  /** The native filter and paging (`firstResult`, `maxResults`) this query asks for: open tasks only, as Camunda's `/task`. */
  filter(caller: { readonly user?: string; readonly groups?: string }): { filter: TaskFilter; first: number; max: number | undefined } {
    const unsupported = ['processInstanceBusinessKeyLike', 'nameLike', 'descriptionLike', 'assigneeLike', 'candidateGroupLike', 'withCandidateGroups', 'withoutCandidateGroups'];
    for (const name of unsupported) if (this.source[name] !== undefined) throw invalidRequest(`The task query parameter '${name}' is not supported by Trellis`);
    const tenants = this.list('tenantIdIn');
    if (tenants !== undefined && tenants.length > 1) throw invalidRequest("Only one tenant in 'tenantIdIn' is supported by Trellis");
    const assigned = this.boolean('assigned');
    const unassigned = this.boolean('unassigned') ?? (assigned === undefined ? undefined : !assigned);
    const candidateGroups = this.list('candidateGroups');
    const sort = this.sort();
    const includeAssigned = this.boolean('includeAssignedTasks') === true;
    const candidateUser = this.text('candidateUser');
    const candidateGroup = this.text('candidateGroup');
    const priority = this.number('priority');
    const fields: { [K in keyof TaskFilter]: TaskFilter[K] | undefined } = {
      state: 'CREATED',
      assignee: this.text('assignee'),
      // Camunda lists candidate tasks only while nobody holds them, unless includeAssignedTasks.
      unassigned: (candidateUser !== undefined || candidateGroup !== undefined || candidateGroups !== undefined) && !includeAssigned ? true : unassigned,
      candidateUser,
      candidateGroup,
      candidateGroups,
      processInstanceId: this.text('processInstanceId'),
      processDefinitionId: this.text('processDefinitionId'),
      processId: this.text('processDefinitionKey'),
      businessKey: this.text('processInstanceBusinessKey'),
      elementId: this.text('taskDefinitionKey'),
      tenantId: tenants?.[0],
      dueBefore: this.date('dueBefore'),
      dueAfter: this.date('dueAfter'),
      followUpBefore: this.date('followUpBefore'),
      followUpAfter: this.date('followUpAfter'),
      minPriority: this.number('minPriority') ?? priority,
      maxPriority: this.number('maxPriority') ?? priority,
      taskVariables: this.variables('taskVariables'),
      processVariables: this.variables('processVariables'),
      sort,
    };
    if (this.boolean('withCandidateUsersOfCaller') === true) {
      Object.assign(fields, { candidateOf: callerOf(caller) });
    }
    const filter = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as TaskFilter;
    return { filter, first: this.number('firstResult') ?? 0, max: this.number('maxResults') };
  }

  private sort(): TaskSort | undefined {
    const sorting = this.source.sorting;
    let sortBy = this.text('sortBy');
    let sortOrder = this.text('sortOrder');
    if (Array.isArray(sorting) && sorting.length > 0) {
      if (sorting.length > 1) throw invalidRequest('Sorting by more than one property is not supported by Trellis');
      const [first] = sorting as { sortBy?: unknown; sortOrder?: unknown }[];
      sortBy = typeof first.sortBy === 'string' ? first.sortBy : undefined;
      sortOrder = typeof first.sortOrder === 'string' ? first.sortOrder : undefined;
    }
    if (sortBy === undefined && sortOrder === undefined) return undefined;
    if (sortBy === undefined || sortOrder === undefined) throw invalidRequest('Only a single sorting parameter specified. sortBy and sortOrder required');
    const field = Object.hasOwn(SORT_FIELDS, sortBy) ? SORT_FIELDS[sortBy] : undefined;
    if (field === undefined) throw invalidRequest(`Cannot set query parameter 'sortBy' to value '${sortBy}'`);
    if (sortOrder !== 'asc' && sortOrder !== 'desc') throw invalidRequest(`Cannot set query parameter 'sortOrder' to value '${sortOrder}'`);
    return `${field}:${sortOrder}`;
  }
}

function numberOrText(text: string): JsonValue {
  if (text === 'true' || text === 'false') return text === 'true';
  const number = Number(text);
  return text.trim() !== '' && Number.isFinite(number) ? number : text;
}

/**
 * Camunda 7's `/engine-rest/task` over the task-service: list and count (query string or JSON body), get, claim,
 * unclaim, assignee, delegate, resolve and complete, with the native API's rules (a claim needs a candidate; a closed
 * task refuses changes). Errors are Camunda's `{ type, message }` (the application's `camunda7ProblemRenderer`).
 */
@ApiExcludeController()
@Controller(`${ENGINE_REST_PATH}/task`)
export class CamundaTasksController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Get()
  list(@Query() query: Record<string, unknown>, @Headers(CALLER_HEADERS.user) user?: string, @Headers(CALLER_HEADERS.groups) groups?: string): Promise<CamundaTaskDto[]> {
    return this.page(new CamundaTaskQuery(query), caller(user, groups));
  }

  @Post()
  @HttpCode(200)
  listByBody(
    @Body() body: Record<string, unknown>,
    @Query() query: Record<string, unknown>,
    @Headers(CALLER_HEADERS.user) user?: string,
    @Headers(CALLER_HEADERS.groups) groups?: string,
  ): Promise<CamundaTaskDto[]> {
    // Paging stays in the query string, as Camunda has it.
    return this.page(new CamundaTaskQuery({ ...bodyOf(body), firstResult: query.firstResult, maxResults: query.maxResults }), caller(user, groups));
  }

  @Get('count')
  count(@Query() query: Record<string, unknown>, @Headers(CALLER_HEADERS.user) user?: string, @Headers(CALLER_HEADERS.groups) groups?: string): Promise<{ count: number }> {
    return this.total(new CamundaTaskQuery(query), caller(user, groups));
  }

  @Post('count')
  @HttpCode(200)
  countByBody(@Body() body: Record<string, unknown>, @Headers(CALLER_HEADERS.user) user?: string, @Headers(CALLER_HEADERS.groups) groups?: string): Promise<{ count: number }> {
    return this.total(new CamundaTaskQuery(bodyOf(body)), caller(user, groups));
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<CamundaTaskDto> {
    return camundaTaskOf(await this.task(id));
  }

  @Post(':id/claim')
  @HttpCode(204)
  async claim(@Param('id') id: string, @Body() body: Record<string, unknown>, @Headers(CALLER_HEADERS.groups) groups?: string): Promise<void> {
    const userId = userIdOf(body);
    await this.run(id, new ClaimTaskCommand(id, { ...callerOf(caller(undefined, groups)), userId }));
  }

  @Post(':id/unclaim')
  @HttpCode(204)
  async unclaim(@Param('id') id: string, @Headers(CALLER_HEADERS.user) user?: string): Promise<void> {
    await this.run(id, new UnclaimTaskCommand(id, user));
  }

  @Post(':id/assignee')
  @HttpCode(204)
  async assignee(@Param('id') id: string, @Body() body: Record<string, unknown>, @Headers(CALLER_HEADERS.user) user?: string): Promise<void> {
    const assignee = bodyOf(body).userId;
    if (assignee !== null && (typeof assignee !== 'string' || assignee.length === 0)) throw invalidRequest('userId must be a user id or null');
    await this.run(id, new AssignTaskCommand(id, assignee, user));
  }

  @Post(':id/delegate')
  @HttpCode(204)
  async delegate(@Param('id') id: string, @Body() body: Record<string, unknown>, @Headers(CALLER_HEADERS.user) user?: string): Promise<void> {
    await this.run(id, new DelegateTaskCommand(id, userIdOf(body), user));
  }

  @Post(':id/resolve')
  @HttpCode(204)
  async resolve(@Param('id') id: string, @Body() body: Record<string, unknown>, @Headers(CALLER_HEADERS.user) user?: string): Promise<void> {
    if (Object.keys(variablesOfTyped(bodyOf(body).variables)).length > 0) throw invalidRequest('Variables on resolve are not supported by Trellis: complete the task with them');
    await this.run(id, new ResolveTaskCommand(id, user));
  }

  /**
   * `204`, or `200` with the variables the task sees and the submitted ones over them when `withVariablesInReturn`
   * (the completion reaches the runtime after the answer: what the process does next is not in it).
   */
  @Post(':id/complete')
  async complete(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
    @Headers(CALLER_HEADERS.user) user?: string,
  ): Promise<Record<string, TypedValue> | undefined> {
    const request = bodyOf(body);
    const variables = variablesOfTyped(request.variables);
    const task = await this.run(id, new CompleteTaskCommand(id, variables, idempotencyKey, user));
    if (request.withVariablesInReturn !== true) {
      response.status(204);
      return undefined;
    }
    response.status(200);
    return typedValuesOf({ ...(task.variables ?? {}), ...variables } as JsonObject);
  }

  private async page(query: CamundaTaskQuery, callerHeaders: { user?: string; groups?: string }): Promise<CamundaTaskDto[]> {
    const { filter, first, max } = query.filter(callerHeaders);
    const tasks: TaskView[] = [];
    for (let offset = first; max === undefined || tasks.length < max; ) {
      const limit = Math.min(LARGEST_PAGE, max === undefined ? LARGEST_PAGE : max - tasks.length);
      if (limit === 0) break;
      const page: TaskPage = await this.queryBus.execute(new ListTasksQuery({ ...filter, limit, offset }));
      tasks.push(...page.items);
      offset += page.items.length;
      if (page.items.length < limit) break;
    }
    return tasks.map(camundaTaskOf);
  }

  private async total(query: CamundaTaskQuery, callerHeaders: { user?: string; groups?: string }): Promise<{ count: number }> {
    const { filter } = query.filter(callerHeaders);
    const page: TaskPage = await this.queryBus.execute(new ListTasksQuery({ ...filter, limit: 1, offset: 0 }));
    return { count: page.total };
  }

  private async task(id: string): Promise<TaskView> {
    return this.notFoundAsCamunda(id, () => this.queryBus.execute(new GetTaskQuery(id)));
  }

  private async run(id: string, command: ClaimTaskCommand | UnclaimTaskCommand | AssignTaskCommand | DelegateTaskCommand | ResolveTaskCommand | CompleteTaskCommand): Promise<TaskView> {
    return this.notFoundAsCamunda(id, () => this.commandBus.execute(command));
  }

  /** Camunda's words for a task that does not exist. */
  private async notFoundAsCamunda<T>(id: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status === 404) throw notFoundRequest(`No matching task with id ${id}`);
      throw error;
    }
  }
}

function caller(user: string | undefined, groups: string | undefined): { user?: string; groups?: string } {
  return { ...(user === undefined ? {} : { user }), ...(groups === undefined ? {} : { groups }) };
}

function bodyOf(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object');
  return body as Record<string, unknown>;
}

function userIdOf(body: unknown): string {
  const userId = bodyOf(body).userId;
  if (typeof userId !== 'string' || userId.length === 0) throw invalidRequest('userId is required');
  return userId;
}

/** Camunda 7's `/engine-rest/task` (create the application with `routesOutsidePrefix: [ENGINE_REST_PATH]` and `camunda7ProblemRenderer`). */
@Module({ imports: [CqrsModule], controllers: [CamundaTasksController] })
export class Camunda7TasksRestModule {}
