import type { JsonValue } from '@trellis/contracts';
import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

import {
  ElementDefinitionEntity,
  ElementInstanceEntity,
  IncidentEntity,
  JobEntity,
  ProcessDefinitionEntity,
  ProcessInstanceEntity,
  UserTaskEntity,
  VariableEntity,
  VariableUpdateEntity,
} from './history.entities.js';
import type {
  HistoricElementInstance,
  HistoricElementInstanceState,
  HistoricIncident,
  HistoricIncidentState,
  HistoricJob,
  HistoricJobState,
  HistoricProcessInstance,
  HistoricProcessInstanceDetail,
  HistoricProcessInstanceState,
  HistoricUserTask,
  HistoricUserTaskState,
  HistoricVariable,
  HistoricVariableUpdate,
  HistoryPage,
} from './history.views.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export type SortDirection = 'asc' | 'desc';

/** The sort keys of each list, to the entity property they order by. */
export const SORTS = {
  processInstances: { startTime: 'startTime', endTime: 'endTime', processId: 'processId' },
  elementInstances: { startTime: 'startTime', endTime: 'endTime' },
  variables: { name: 'name', createTime: 'createTime', updateTime: 'updateTime' },
  variableUpdates: { time: 'time' },
  jobs: { createTime: 'createTime', endTime: 'endTime', type: 'type' },
  incidents: { createTime: 'createTime', resolveTime: 'resolveTime' },
  userTasks: { createTime: 'createTime', endTime: 'endTime', dueDate: 'dueTime', priority: 'priority' },
} as const satisfies Record<string, Record<string, string>>;

/** Every value `sort` accepts for a list: `key`, `key:asc`, `key:desc`. */
export function sortValues(list: keyof typeof SORTS): string[] {
  return Object.keys(SORTS[list]).flatMap((key) => [key, `${key}:asc`, `${key}:desc`]);
}

export interface Paging {
  /** 1 to 1000 (default 100). */
  readonly limit?: number;
  readonly offset?: number;
  /** `key[:asc|:desc]`, one of `sortValues(list)`. */
  readonly sort?: string;
}

/** A time range: `after` is included, `before` is not, so consecutive windows never overlap. */
export interface ProcessInstanceFilter extends Paging {
  readonly processId?: string;
  readonly processDefinitionId?: string;
  readonly state?: HistoricProcessInstanceState;
  readonly businessKey?: string;
  /** The children of one instance: those its call activities started. */
  readonly parentProcessInstanceId?: string;
  readonly startedAfter?: string;
  readonly startedBefore?: string;
  readonly endedAfter?: string;
  readonly endedBefore?: string;
}

export interface ElementInstanceFilter extends Paging {
  readonly processInstanceId?: string;
  readonly elementId?: string;
  readonly elementType?: string;
  readonly state?: HistoricElementInstanceState;
  readonly flowScopeInstanceId?: string;
  readonly startedAfter?: string;
  readonly startedBefore?: string;
}

export interface VariableFilter extends Paging {
  readonly processInstanceId?: string;
  readonly scopeInstanceId?: string;
  readonly name?: string;
}

export interface JobFilter extends Paging {
  readonly processInstanceId?: string;
  readonly processId?: string;
  readonly type?: string;
  readonly state?: HistoricJobState;
  readonly elementId?: string;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
}

export interface IncidentFilter extends Paging {
  readonly processInstanceId?: string;
  readonly processId?: string;
  readonly type?: string;
  readonly state?: HistoricIncidentState;
  readonly elementId?: string;
  readonly jobId?: string;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
}

export interface UserTaskFilter extends Paging {
  readonly processInstanceId?: string;
  readonly processId?: string;
  readonly state?: HistoricUserTaskState;
  readonly elementId?: string;
  readonly assignee?: string;
  readonly candidateGroup?: string;
  readonly candidateUser?: string;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  readonly dueAfter?: string;
  readonly dueBefore?: string;
}

/** Reads the history tables: every list is filtered, sorted (with the id as tie-breaker, so pages are stable) and paged. */
export class HistoryQueries {
  constructor(private readonly dataSource: DataSource) {}

  async processInstances(filter: ProcessInstanceFilter = {}): Promise<HistoryPage<HistoricProcessInstance>> {
    const query = this.processInstanceQuery();
    equal(query, 'pi', {
      processId: filter.processId,
      processDefinitionId: filter.processDefinitionId,
      businessKey: filter.businessKey,
      parentProcessInstanceId: filter.parentProcessInstanceId,
    });
    if (filter.state === 'INCIDENT') query.andWhere("pi.state = 'ACTIVE' AND pi.openIncidents > 0");
    else if (filter.state === 'ACTIVE') query.andWhere("pi.state = 'ACTIVE' AND pi.openIncidents = 0");
    else if (filter.state !== undefined) query.andWhere('pi.state = :state', { state: filter.state });
    range(query, 'pi.startTime', filter.startedAfter, filter.startedBefore);
    range(query, 'pi.endTime', filter.endedAfter, filter.endedBefore);
    return page(query, 'pi', filter, SORTS.processInstances, 'startTime:desc', processInstanceView);
  }

  async processInstance(id: string): Promise<HistoricProcessInstanceDetail | undefined> {
    const instance = await this.processInstanceQuery().where('pi.id = :id', { id }).getOne();
    if (!instance) return undefined;
    const elements = await this.elementInstanceQuery().where('ei.processInstanceId = :id', { id }).orderBy('ei.streamRevision', 'ASC').getMany();
    return { ...processInstanceView(instance), elementInstances: elements.map(elementInstanceView) };
  }

  async elementInstances(filter: ElementInstanceFilter = {}): Promise<HistoryPage<HistoricElementInstance>> {
    const query = this.elementInstanceQuery();
    equal(query, 'ei', {
      processInstanceId: filter.processInstanceId,
      elementId: filter.elementId,
      elementType: filter.elementType,
      state: filter.state,
      flowScopeInstanceId: filter.flowScopeInstanceId,
    });
    range(query, 'ei.startTime', filter.startedAfter, filter.startedBefore);
    // Within an instance, the engine's order; the element instance id only breaks ties across instances.
    return page(query, 'ei', filter, SORTS.elementInstances, 'startTime:asc', elementInstanceView, ['ei.processInstanceId', 'ei.streamRevision']);
  }

  async variables(filter: VariableFilter = {}): Promise<HistoryPage<HistoricVariable>> {
    const query = this.dataSource.getRepository(VariableEntity).createQueryBuilder('v');
    equal(query, 'v', { processInstanceId: filter.processInstanceId, scopeInstanceId: filter.scopeInstanceId, name: filter.name });
    return page(query, 'v', filter, SORTS.variables, 'name:asc', variableView, ['v.scopeInstanceId', 'v.name']);
  }

  async variableUpdates(filter: VariableFilter = {}): Promise<HistoryPage<HistoricVariableUpdate>> {
    const query = this.dataSource.getRepository(VariableUpdateEntity).createQueryBuilder('u');
    equal(query, 'u', { processInstanceId: filter.processInstanceId, scopeInstanceId: filter.scopeInstanceId, name: filter.name });
    return page(query, 'u', filter, SORTS.variableUpdates, 'time:asc', variableUpdateView, ['u.processInstanceId', 'u.streamRevision', 'u.name']);
  }

  async jobs(filter: JobFilter = {}): Promise<HistoryPage<HistoricJob>> {
    const query = this.dataSource.getRepository(JobEntity).createQueryBuilder('j');
    equal(query, 'j', {
      processInstanceId: filter.processInstanceId,
      processId: filter.processId,
      type: filter.type,
      state: filter.state,
      elementId: filter.elementId,
    });
    range(query, 'j.createTime', filter.createdAfter, filter.createdBefore);
    return page(query, 'j', filter, SORTS.jobs, 'createTime:asc', jobView, ['j.id']);
  }

  async job(id: string): Promise<HistoricJob | undefined> {
    const job = await this.dataSource.getRepository(JobEntity).findOneBy({ id });
    return job ? jobView(job) : undefined;
  }

  async incidents(filter: IncidentFilter = {}): Promise<HistoryPage<HistoricIncident>> {
    const query = this.dataSource.getRepository(IncidentEntity).createQueryBuilder('i');
    equal(query, 'i', {
      processInstanceId: filter.processInstanceId,
      processId: filter.processId,
      type: filter.type,
      state: filter.state,
      elementId: filter.elementId,
      jobId: filter.jobId,
    });
    range(query, 'i.createTime', filter.createdAfter, filter.createdBefore);
    return page(query, 'i', filter, SORTS.incidents, 'createTime:asc', incidentView, ['i.id']);
  }

  async incident(id: string): Promise<HistoricIncident | undefined> {
    const incident = await this.dataSource.getRepository(IncidentEntity).findOneBy({ id });
    return incident ? incidentView(incident) : undefined;
  }

  async userTasks(filter: UserTaskFilter = {}): Promise<HistoryPage<HistoricUserTask>> {
    const query = this.dataSource.getRepository(UserTaskEntity).createQueryBuilder('t');
    equal(query, 't', {
      processInstanceId: filter.processInstanceId,
      processId: filter.processId,
      state: filter.state,
      elementId: filter.elementId,
      assignee: filter.assignee,
    });
    if (filter.candidateGroup !== undefined) query.andWhere('t.candidateGroups @> ARRAY[:candidateGroup]::text[]', { candidateGroup: filter.candidateGroup });
    if (filter.candidateUser !== undefined) query.andWhere('t.candidateUsers @> ARRAY[:candidateUser]::text[]', { candidateUser: filter.candidateUser });
    range(query, 't.createTime', filter.createdAfter, filter.createdBefore);
    range(query, 't.dueTime', filter.dueAfter, filter.dueBefore);
    return page(query, 't', filter, SORTS.userTasks, 'createTime:asc', userTaskView, ['t.id']);
  }

  async userTask(id: string): Promise<HistoricUserTask | undefined> {
    const task = await this.dataSource.getRepository(UserTaskEntity).findOneBy({ id });
    return task ? userTaskView(task) : undefined;
  }

  private processInstanceQuery(): SelectQueryBuilder<ProcessInstanceEntity> {
    return this.dataSource
      .getRepository(ProcessInstanceEntity)
      .createQueryBuilder('pi')
      .leftJoinAndMapOne('pi.definition', ProcessDefinitionEntity, 'pd', 'pd.id = pi.processDefinitionId');
  }

  private elementInstanceQuery(): SelectQueryBuilder<ElementInstanceEntity> {
    return this.dataSource
      .getRepository(ElementInstanceEntity)
      .createQueryBuilder('ei')
      .leftJoinAndMapOne('ei.definition', ElementDefinitionEntity, 'ed', 'ed.processDefinitionId = ei.processDefinitionId AND ed.elementId = ei.elementId');
  }
}

/** `alias.property = :property` for each filter given. */
function equal<E extends ObjectLiteral>(query: SelectQueryBuilder<E>, alias: string, filters: Readonly<Record<string, string | undefined>>): void {
  for (const [property, value] of Object.entries(filters)) {
    if (value !== undefined) query.andWhere(`${alias}.${property} = :${property}`, { [property]: value });
  }
}

let parameters = 0;
function range<E extends ObjectLiteral>(query: SelectQueryBuilder<E>, column: string, from: string | undefined, to: string | undefined): void {
  if (from !== undefined) {
    const name = `from${++parameters}`;
    query.andWhere(`${column} >= :${name}`, { [name]: from });
  }
  if (to !== undefined) {
    const name = `to${++parameters}`;
    query.andWhere(`${column} < :${name}`, { [name]: to });
  }
}

async function page<E extends ObjectLiteral, V, K extends string>(
  query: SelectQueryBuilder<E>,
  alias: string,
  paging: Paging,
  sorts: Readonly<Record<K, string>>,
  defaultSort: `${K}:${SortDirection}`,
  view: (entity: E) => V,
  tieBreakers: readonly string[] = [`${alias}.id`],
): Promise<HistoryPage<V>> {
  const limit = paging.limit ?? DEFAULT_PAGE_SIZE;
  const offset = paging.offset ?? 0;
  const [key, direction = 'asc'] = (paging.sort ?? defaultSort).split(':') as [string, SortDirection | undefined];
  const property = (sorts as Readonly<Record<string, string>>)[key];
  if (property === undefined) throw new RangeError(`Unknown sort key ${key}`);
  // Rows without the time (still running) come last either way.
  query.orderBy(`${alias}.${property}`, direction === 'desc' ? 'DESC' : 'ASC', 'NULLS LAST');
  for (const tieBreaker of tieBreakers) query.addOrderBy(tieBreaker, 'ASC');
  const [entities, total] = await query.offset(offset).limit(limit).getManyAndCount();
  return { items: entities.map(view), total, limit, offset };
}

const iso = (date: Date): string => date.toISOString();

/** Adds `key: value` when the value is known. */
function present<K extends string, T>(key: K, value: T | null | undefined): { [P in K]?: T } {
  return (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

function processInstanceView(entity: ProcessInstanceEntity): HistoricProcessInstance {
  const state = entity.state === 'ACTIVE' && entity.openIncidents > 0 ? 'INCIDENT' : (entity.state as HistoricProcessInstanceState);
  return {
    id: entity.id,
    processDefinitionId: entity.processDefinitionId,
    processId: entity.processId,
    ...present('processName', entity.definition?.name),
    version: entity.version,
    ...present('businessKey', entity.businessKey),
    ...present('parentProcessInstanceId', entity.parentProcessInstanceId),
    ...present('parentElementInstanceId', entity.parentElementInstanceId),
    state,
    openIncidents: entity.openIncidents,
    startTime: iso(entity.startTime),
    ...present('endTime', entity.endTime && iso(entity.endTime)),
    ...present('durationMs', entity.durationMs === null ? null : Number(entity.durationMs)),
  };
}

function elementInstanceView(entity: ElementInstanceEntity): HistoricElementInstance {
  return {
    id: entity.id,
    processInstanceId: entity.processInstanceId,
    elementId: entity.elementId,
    ...present('elementName', entity.definition?.name),
    elementType: entity.elementType,
    flowScopeInstanceId: entity.flowScopeInstanceId,
    ...present('loopCounter', entity.loopCounter),
    state: entity.state as HistoricElementInstanceState,
    startTime: iso(entity.startTime),
    ...present('endTime', entity.endTime && iso(entity.endTime)),
    ...present('durationMs', entity.durationMs === null ? null : Number(entity.durationMs)),
  };
}

function variableView(entity: VariableEntity): HistoricVariable {
  return {
    processInstanceId: entity.processInstanceId,
    scopeInstanceId: entity.scopeInstanceId,
    name: entity.name,
    value: entity.value as JsonValue,
    revision: entity.revision,
    createTime: iso(entity.createTime),
    updateTime: iso(entity.updateTime),
  };
}

function variableUpdateView(entity: VariableUpdateEntity): HistoricVariableUpdate {
  return {
    processInstanceId: entity.processInstanceId,
    scopeInstanceId: entity.scopeInstanceId,
    name: entity.name,
    value: entity.value as JsonValue,
    revision: entity.revision,
    time: iso(entity.time),
  };
}

function jobView(entity: JobEntity): HistoricJob {
  return {
    id: entity.id,
    type: entity.type,
    state: entity.state as HistoricJobState,
    retries: entity.retries,
    failures: entity.failures,
    ...present('errorMessage', entity.errorMessage),
    processInstanceId: entity.processInstanceId,
    ...present('processDefinitionId', entity.processDefinitionId),
    ...present('processId', entity.processId),
    elementId: entity.elementId,
    elementInstanceId: entity.elementInstanceId,
    customHeaders: entity.customHeaders,
    createTime: iso(entity.createTime),
    ...present('endTime', entity.endTime && iso(entity.endTime)),
    ...present('lastFailureTime', entity.lastFailureTime && iso(entity.lastFailureTime)),
    ...present('retryAt', entity.retryAt && iso(entity.retryAt)),
  };
}

function incidentView(entity: IncidentEntity): HistoricIncident {
  return {
    id: entity.id,
    type: entity.type,
    state: entity.state as HistoricIncidentState,
    message: entity.message,
    processInstanceId: entity.processInstanceId,
    ...present('processDefinitionId', entity.processDefinitionId),
    ...present('processId', entity.processId),
    elementId: entity.elementId,
    elementInstanceId: entity.elementInstanceId,
    ...present('jobId', entity.jobId),
    createTime: iso(entity.createTime),
    ...present('resolveTime', entity.resolveTime && iso(entity.resolveTime)),
  };
}

function userTaskView(entity: UserTaskEntity): HistoricUserTask {
  return {
    id: entity.id,
    ...present('name', entity.name),
    state: entity.state as HistoricUserTaskState,
    processInstanceId: entity.processInstanceId,
    ...present('processDefinitionId', entity.processDefinitionId),
    ...present('processId', entity.processId),
    elementId: entity.elementId,
    elementInstanceId: entity.elementInstanceId,
    ...present('assignee', entity.assignee),
    candidateGroups: entity.candidateGroups,
    candidateUsers: entity.candidateUsers,
    ...present('dueDate', entity.dueDate),
    ...present('followUpDate', entity.followUpDate),
    ...present('priority', entity.priority),
    ...present('formKey', entity.formKey),
    ...present('formId', entity.formId),
    createTime: iso(entity.createTime),
    ...present('endTime', entity.endTime && iso(entity.endTime)),
    ...present('durationMs', entity.endTime ? entity.endTime.getTime() - entity.createTime.getTime() : null),
  };
}
