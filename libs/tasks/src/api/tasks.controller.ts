import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, ProblemError, ProblemType } from '@trellis/platform';

import { ClaimTaskCommand } from '../commands/claim-task.command.js';
import { CompleteTaskCommand } from '../commands/complete-task.command.js';
import {
  AddTaskCommentCommand,
  AssignTaskCommand,
  ChangeTaskCandidatesCommand,
  DelegateTaskCommand,
  ResolveTaskCommand,
  UpdateTaskCommand,
} from '../commands/task-operations.command.js';
import { UnclaimTaskCommand } from '../commands/unclaim-task.command.js';
import { GetTaskHistoryQuery, GetTaskQuery, ListTaskCommentsQuery, ListTasksQuery } from '../queries/task.queries.js';
import { callerRequired } from '../task-problems.js';
import type { TaskCaller, TaskCommentView, TaskEventView, TaskFilter, TaskPage, TaskUpdate, TaskView } from '../task.views.js';
import { CALLER_HEADERS, callerOf, parseVariableConditions } from './task-caller.js';
import {
  AddCommentDto,
  AssignTaskDto,
  CandidateGroupDto,
  CandidateUserDto,
  ClaimTaskDto,
  CompleteTaskDto,
  DelegateTaskDto,
  ListTasksQueryDto,
  TaskOperationDto,
  UpdateTaskDto,
} from './task-requests.dto.js';
import { TaskCommentDto, TaskDto, TaskEventDto, TaskPageDto } from './task-views.dto.js';

const CALLER_DESCRIPTION = 'Who calls (the task-service does no authentication: a gateway or a tasklist says it); else the body field `userId`';

@ApiTags('Tasks')
@ApiHeader({ name: 'X-Trellis-User', required: false, description: CALLER_DESCRIPTION })
@ApiHeader({ name: 'X-Trellis-User-Groups', required: false, description: "The caller's groups, a comma list; else the body field `groups`" })
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List user tasks', description: 'Filtered, sorted (default: creation order) and paged. Without `state`, tasks of every state.' })
  @ApiOkResponse({ type: TaskPageDto })
  @ApiProblemResponses(400)
  list(
    @Query() query: ListTasksQueryDto,
    @Headers(CALLER_HEADERS.user) user?: string,
    @Headers(CALLER_HEADERS.groups) groups?: string,
  ): Promise<TaskPage> {
    const { candidateOfCaller, taskVariables, processVariables, ...rest } = query;
    const taskConditions = parseVariableConditions('taskVariables', taskVariables);
    const processConditions = parseVariableConditions('processVariables', processVariables);
    const filter: TaskFilter = {
      ...rest,
      ...(candidateOfCaller === true ? { candidateOf: knownCaller(callerOf(optional({ user, groups }))) } : {}),
      ...(taskConditions === undefined ? {} : { taskVariables: taskConditions }),
      ...(processConditions === undefined ? {} : { processVariables: processConditions }),
    };
    return this.queryBus.execute(new ListTasksQuery(filter));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user task', description: 'An open task carries the variables its element sees.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(404)
  get(@Param('id') id: string): Promise<TaskView> {
    return this.queryBus.execute(new GetTaskQuery(id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a user task', description: 'Name, due date, follow-up date, priority, category; `null` clears one. 409 unless CREATED.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(400, 404, 409)
  update(
    @Param('id') id: string,
    @Body() body: UpdateTaskDto,
    @Headers(CALLER_HEADERS.user) user?: string,
    @Headers(CALLER_HEADERS.groups) groups?: string,
  ): Promise<TaskView> {
    const { userId, groups: bodyGroups, ...fields } = body;
    const update: TaskUpdate = fields;
    return this.commandBus.execute(new UpdateTaskCommand(id, update, actorOf({ user, groups }, { userId, groups: bodyGroups })));
  }

  @Post(':id/claim')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Claim a user task',
    description:
      'Makes the caller the assignee of an open task. A task with candidates only for a candidate user or a member of a candidate group (403 ' +
      'otherwise); 409 when someone else holds it.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(400, 403, 404, 409)
  claim(
    @Param('id') id: string,
    @Body() body: ClaimTaskDto,
    @Headers(CALLER_HEADERS.user) user?: string,
    @Headers(CALLER_HEADERS.groups) groups?: string,
  ): Promise<TaskView> {
    const caller = callerOf(optional({ user, groups }), { ...optional({ groups: body.groups }), ...optional({ userId: body.userId ?? body.assignee }) });
    const userId = caller.userId;
    if (userId === undefined) throw callerRequired('claims the task');
    return this.commandBus.execute(new ClaimTaskCommand(id, { ...caller, userId }));
  }

  @Post(':id/unclaim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unclaim a user task', description: 'Removes the assignee of an open task.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(404, 409)
  unclaim(
    @Param('id') id: string,
    @Body() body: TaskOperationDto,
    @Headers(CALLER_HEADERS.user) user?: string,
    @Headers(CALLER_HEADERS.groups) groups?: string,
  ): Promise<TaskView> {
    return this.commandBus.execute(new UnclaimTaskCommand(id, actorOf({ user, groups }, body)));
  }

  @Post(':id/assign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign a user task', description: 'Sets (or, with null, removes) the assignee of an open task, whoever holds it.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(400, 404, 409)
  assign(
    @Param('id') id: string,
    @Body() body: AssignTaskDto,
    @Headers(CALLER_HEADERS.user) user?: string,
    @Headers(CALLER_HEADERS.groups) groups?: string,
  ): Promise<TaskView> {
    return this.commandBus.execute(new AssignTaskCommand(id, body.assignee, actorOf({ user, groups }, body)));
  }

  @Post(':id/delegate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Delegate a user task',
    description: 'The assignee becomes the owner (unless there is one), the delegate the assignee, the delegation PENDING until resolved.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(400, 404, 409)
  delegate(
    @Param('id') id: string,
    @Body() body: DelegateTaskDto,
    @Headers(CALLER_HEADERS.user) user?: string,
    @Headers(CALLER_HEADERS.groups) groups?: string,
  ): Promise<TaskView> {
    return this.commandBus.execute(new DelegateTaskCommand(id, body.delegate, actorOf({ user, groups }, body)));
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve a delegated user task', description: 'The owner is the assignee again; the delegation RESOLVED. 409 if not delegated.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(404, 409)
  resolve(
    @Param('id') id: string,
    @Body() body: TaskOperationDto,
    @Headers(CALLER_HEADERS.user) user?: string,
    @Headers(CALLER_HEADERS.groups) groups?: string,
  ): Promise<TaskView> {
    return this.commandBus.execute(new ResolveTaskCommand(id, actorOf({ user, groups }, body)));
  }

  @Post(':id/candidate-users')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a candidate user', description: 'Adding one the task has changes nothing.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(400, 404, 409)
  addCandidateUser(@Param('id') id: string, @Body() body: CandidateUserDto, @Headers(CALLER_HEADERS.user) user?: string): Promise<TaskView> {
    return this.commandBus.execute(new ChangeTaskCandidatesCommand(id, 'add', 'user', body.userId, actorOf({ user })));
  }

  @Delete(':id/candidate-users/:userId')
  @ApiOperation({ summary: 'Remove a candidate user', description: 'Removing one the task has not changes nothing.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(404, 409)
  removeCandidateUser(@Param('id') id: string, @Param('userId') userId: string, @Headers(CALLER_HEADERS.user) user?: string): Promise<TaskView> {
    return this.commandBus.execute(new ChangeTaskCandidatesCommand(id, 'remove', 'user', userId, actorOf({ user })));
  }

  @Post(':id/candidate-groups')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a candidate group', description: 'Adding one the task has changes nothing.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(400, 404, 409)
  addCandidateGroup(@Param('id') id: string, @Body() body: CandidateGroupDto, @Headers(CALLER_HEADERS.user) user?: string): Promise<TaskView> {
    return this.commandBus.execute(new ChangeTaskCandidatesCommand(id, 'add', 'group', body.groupId, actorOf({ user })));
  }

  @Delete(':id/candidate-groups/:groupId')
  @ApiOperation({ summary: 'Remove a candidate group', description: 'Removing one the task has not changes nothing.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(404, 409)
  removeCandidateGroup(@Param('id') id: string, @Param('groupId') groupId: string, @Headers(CALLER_HEADERS.user) user?: string): Promise<TaskView> {
    return this.commandBus.execute(new ChangeTaskCandidatesCommand(id, 'remove', 'group', groupId, actorOf({ user })));
  }

  @Post(':id/comments')
  @ApiOperation({ summary: 'Comment on a user task', description: 'In any state: the comment log of a closed task stays open.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiCreatedResponse({ type: TaskCommentDto })
  @ApiProblemResponses(400, 404)
  addComment(
    @Param('id') id: string,
    @Body() body: AddCommentDto,
    @Headers(CALLER_HEADERS.user) user?: string,
    @Headers(CALLER_HEADERS.groups) groups?: string,
  ): Promise<TaskCommentView> {
    return this.commandBus.execute(new AddTaskCommentCommand(id, body.message, actorOf({ user, groups }, body)));
  }

  @Get(':id/comments')
  @ApiOperation({ summary: 'The comments of a user task', description: 'Oldest first.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: [TaskCommentDto] })
  @ApiProblemResponses(404)
  comments(@Param('id') id: string): Promise<TaskCommentView[]> {
    return this.queryBus.execute(new ListTaskCommentsQuery(id));
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'The history of a user task', description: 'Every change, who made it and when, oldest first.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: [TaskEventDto] })
  @ApiProblemResponses(404)
  history(@Param('id') id: string): Promise<TaskEventView[]> {
    return this.queryBus.execute(new GetTaskHistoryQuery(id));
  }

  @Post(':id/complete')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Complete a user task',
    description:
      'Sends the completion to the runtime and answers at once with the task COMPLETING. It becomes COMPLETED when the ' +
      'runtime has completed it, or CREATED again with `lastError` if the runtime refuses. With an `Idempotency-Key` ' +
      '(or `requestId`), a repeat answers what the first answered.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'The id of this request; wins over the body field `requestId`' })
  @ApiAcceptedResponse({ type: TaskDto, description: 'The task, COMPLETING' })
  @ApiProblemResponses(400, 404, 409)
  complete(
    @Param('id') id: string,
    @Body() body: CompleteTaskDto,
    @Headers('idempotency-key') idempotencyKey?: string,
    @Headers(CALLER_HEADERS.user) user?: string,
    @Headers(CALLER_HEADERS.groups) groups?: string,
  ): Promise<TaskView> {
    const requestId = idempotencyKey !== undefined && idempotencyKey.length > 0 ? idempotencyKey : body.requestId;
    return this.commandBus.execute(new CompleteTaskCommand(id, body.variables, requestId, actorOf({ user, groups }, body)));
  }
}

/** The caller of `candidateOfCaller`, who must say who they are (400 otherwise). */
function knownCaller(caller: TaskCaller): TaskCaller {
  if (caller.userId === undefined && caller.groups.length === 0) {
    throw new ProblemError({
      type: ProblemType.validation,
      title: 'Invalid request',
      status: 400,
      detail: 'candidateOfCaller needs to know who calls: the X-Trellis-User header, or X-Trellis-User-Groups',
      errors: [{ field: 'X-Trellis-User', message: 'candidateOfCaller needs the X-Trellis-User (or X-Trellis-User-Groups) header' }],
    });
  }
  return caller;
}

/** Who acts, for the task's history (undefined: the caller did not say). */
function actorOf(headers: { readonly user?: string; readonly groups?: string }, body: { readonly userId?: string; readonly groups?: string[] } = {}): string | undefined {
  const caller: TaskCaller = callerOf(optional(headers), optional(body));
  return caller.userId;
}

/** The object without its undefined properties (exactOptionalPropertyTypes). */
function optional<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
