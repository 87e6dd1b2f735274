import type { JsonValue } from '@trellis/contracts';
import type { EntityManager } from 'typeorm';

/**
 * A time as text: as the engine wrote it, or as Postgres rendered it (ISO 8601 with the microseconds it holds). Kept as
 * text so that a row read and written back keeps its exact value: a `Date` would drop the microseconds.
 */
type Time = string;

// One interface per history table, its properties named as its columns (what `json_agg` and `jsonb_to_recordset`
// read and write). `duration_ms` is left out: the writes compute it from the start and end times, as the per-event
// statements did, so it cannot disagree with them.

export interface ProcessInstanceRow {
  id: string;
  process_definition_id: string;
  process_id: string;
  version: number;
  business_key: string | null;
  parent_process_instance_id: string | null;
  parent_element_instance_id: string | null;
  state: string;
  open_incidents: number;
  start_time: Time;
  end_time: Time | null;
}

export interface ElementInstanceRow {
  id: string;
  process_instance_id: string;
  process_definition_id: string | null;
  element_id: string;
  element_type: string;
  flow_scope_instance_id: string;
  loop_counter: number | null;
  state: string;
  start_time: Time;
  end_time: Time | null;
  stream_revision: number;
}

export interface VariableRow {
  scope_instance_id: string;
  name: string;
  process_instance_id: string;
  value: JsonValue;
  revision: number;
  create_time: Time;
  update_time: Time;
}

export interface VariableUpdateRow {
  scope_instance_id: string;
  name: string;
  revision: number;
  process_instance_id: string;
  value: JsonValue;
  time: Time;
  stream_revision: number;
}

export interface JobRow {
  id: string;
  type: string;
  state: string;
  retries: number;
  failures: number;
  error_message: string | null;
  process_instance_id: string;
  process_definition_id: string | null;
  process_id: string | null;
  element_id: string;
  element_instance_id: string;
  custom_headers: JsonValue;
  create_time: Time;
  end_time: Time | null;
  last_failure_time: Time | null;
  retry_at: Time | null;
}

export interface IncidentRow {
  id: string;
  type: string;
  state: string;
  message: string;
  process_instance_id: string;
  process_definition_id: string | null;
  process_id: string | null;
  element_id: string;
  element_instance_id: string;
  job_id: string | null;
  create_time: Time;
  resolve_time: Time | null;
}

export interface UserTaskRow {
  id: string;
  name: string | null;
  state: string;
  process_instance_id: string;
  process_definition_id: string | null;
  process_id: string | null;
  element_id: string;
  element_instance_id: string;
  assignee: string | null;
  candidate_groups: string[];
  candidate_users: string[];
  due_date: string | null;
  due_time: Time | null;
  follow_up_date: string | null;
  follow_up_time: Time | null;
  priority: number | null;
  form_key: string | null;
  form_id: string | null;
  create_time: Time;
  end_time: Time | null;
}

export interface ProcessDefinitionRow {
  id: string;
  process_id: string;
  name: string | null;
  version: number;
  deployment_id: string;
  resource_name: string;
  deployed_at: Time;
}

export interface ElementDefinitionRow {
  process_definition_id: string;
  element_id: string;
  element_type: string;
  name: string | null;
}

/** Fields a row takes from its process instance (so jobs, incidents and user tasks filter without a join). */
type OfInstance = 'process_definition_id' | 'process_id';

/**
 * What one event does to the history tables. Read from the event's data by the projection (which skips an event whose
 * data lacks a field before it becomes a change); applied by `HistoryBatch.apply`, the one place that decides how a
 * change alters the rows.
 */
export type HistoryChange =
  | { readonly kind: 'instanceCreated'; readonly row: Omit<ProcessInstanceRow, 'state' | 'open_incidents' | 'end_time'> }
  | { readonly kind: 'instanceEnded'; readonly id: string; readonly state: 'COMPLETED' | 'TERMINATED'; readonly endTime: Time }
  | { readonly kind: 'elementActivating'; readonly row: Omit<ElementInstanceRow, 'process_definition_id' | 'state' | 'end_time'> }
  | { readonly kind: 'elementState'; readonly id: string; readonly state: string }
  | { readonly kind: 'elementEnded'; readonly id: string; readonly state: string; readonly endTime: Time }
  | {
      readonly kind: 'variablesSet';
      readonly scopeInstanceId: string;
      readonly processInstanceId: string;
      readonly variables: Readonly<Record<string, JsonValue>>;
      readonly time: Time;
      readonly streamRevision: number;
    }
  | { readonly kind: 'jobCreated'; readonly row: Omit<JobRow, OfInstance | 'state' | 'failures' | 'error_message' | 'end_time' | 'last_failure_time' | 'retry_at'> }
  | { readonly kind: 'jobFailed'; readonly id: string; readonly retries: number; readonly errorMessage: string | null; readonly time: Time; readonly retryAt: Time | null }
  | { readonly kind: 'jobRetriesUpdated'; readonly id: string; readonly retries: number }
  | { readonly kind: 'jobErrorThrown'; readonly id: string; readonly errorMessage: string; readonly time: Time }
  | { readonly kind: 'jobEnded'; readonly id: string; readonly state: 'COMPLETED' | 'CANCELED'; readonly endTime: Time }
  | { readonly kind: 'userTaskCreated'; readonly row: Omit<UserTaskRow, OfInstance | 'state' | 'end_time'> }
  | { readonly kind: 'userTaskEnded'; readonly id: string; readonly state: 'COMPLETED' | 'CANCELED'; readonly endTime: Time }
  | { readonly kind: 'incidentCreated'; readonly row: Omit<IncidentRow, OfInstance | 'state' | 'resolve_time'> }
  | { readonly kind: 'incidentResolved'; readonly id: string; readonly time: Time }
  | { readonly kind: 'deployed'; readonly definitions: readonly ProcessDefinitionRow[]; readonly elements: readonly ElementDefinitionRow[] };

/** Rows keyed by primary key, and which of them the batch changed. */
class Table<Row> {
  readonly rows = new Map<string, Row>();
  readonly changed = new Set<string>();

  get(key: string): Row | undefined {
    return this.rows.get(key);
  }

  set(key: string, row: Row): void {
    this.rows.set(key, row);
    this.changed.add(key);
  }

  /** Marks a row loaded or created earlier as changed (its object was modified in place). */
  touch(key: string): void {
    this.changed.add(key);
  }

  changedRows(): Row[] {
    // Sorted by key: two transactions that upsert overlapping rows take their locks in the same order.
    return [...this.changed].sort().map((key) => this.rows.get(key) as Row);
  }
}

const variableKey = (scopeInstanceId: string, name: string): string => JSON.stringify([scopeInstanceId, name]);

/**
 * The rows one transaction's events touch, applied in memory: `want` each change (collects the keys), `load` (one
 * statement reads every row the changes touch), `apply` each change in event order, then `write` (one statement
 * upserts every changed row). The rows end as the per-event statements (one or two per event) left them.
 */
export class HistoryBatch {
  private readonly processInstances = new Table<ProcessInstanceRow>();
  private readonly elementInstances = new Table<ElementInstanceRow>();
  private readonly variables = new Table<VariableRow>();
  private readonly jobs = new Table<JobRow>();
  private readonly incidents = new Table<IncidentRow>();
  private readonly userTasks = new Table<UserTaskRow>();
  private readonly variableUpdates: VariableUpdateRow[] = [];
  private readonly processDefinitions = new Map<string, ProcessDefinitionRow>();
  private readonly elementDefinitions = new Map<string, ElementDefinitionRow>();

  private readonly wanted = {
    processInstances: new Set<string>(),
    elementInstances: new Set<string>(),
    variables: new Map<string, readonly [string, string]>(),
    jobs: new Set<string>(),
    incidents: new Set<string>(),
    userTasks: new Set<string>(),
  };

  /** Notes the rows a change reads or writes, to be loaded before any change is applied. */
  want(change: HistoryChange): void {
    const wanted = this.wanted;
    switch (change.kind) {
      case 'instanceCreated':
        wanted.processInstances.add(change.row.id);
        return;
      case 'instanceEnded':
        wanted.processInstances.add(change.id);
        return;
      case 'elementActivating':
        wanted.elementInstances.add(change.row.id);
        wanted.processInstances.add(change.row.process_instance_id);
        return;
      case 'elementState':
      case 'elementEnded':
        wanted.elementInstances.add(change.id);
        return;
      case 'variablesSet':
        for (const name of Object.keys(change.variables)) wanted.variables.set(variableKey(change.scopeInstanceId, name), [change.scopeInstanceId, name]);
        return;
      case 'jobCreated':
        wanted.jobs.add(change.row.id);
        wanted.processInstances.add(change.row.process_instance_id);
        return;
      case 'jobFailed':
      case 'jobErrorThrown':
      case 'jobRetriesUpdated':
      case 'jobEnded':
        wanted.jobs.add(change.id);
        return;
      case 'userTaskCreated':
        wanted.userTasks.add(change.row.id);
        wanted.processInstances.add(change.row.process_instance_id);
        return;
      case 'userTaskEnded':
        wanted.userTasks.add(change.id);
        return;
      case 'incidentCreated':
        wanted.incidents.add(change.row.id);
        wanted.processInstances.add(change.row.process_instance_id);
        return;
      case 'incidentResolved':
        // The load adds the instance the incident belongs to.
        wanted.incidents.add(change.id);
        return;
      case 'deployed':
        // Definitions are only inserted (first one wins): nothing to read.
        return;
    }
  }

  /** Reads every wanted row in one statement (one sub-select per table, rendered as JSON so times keep their precision). */
  async load(manager: EntityManager): Promise<void> {
    const wanted = this.wanted;
    const variableKeys = [...wanted.variables.values()];
    const parameters: unknown[] = [];
    const parameter = (value: unknown, type: string): string => {
      parameters.push(value);
      return `$${parameters.length}::${type}`;
    };
    const selects: string[] = [];
    const select = (alias: string, table: string, where: string): void => {
      selects.push(`(SELECT coalesce(json_agg(loaded), '[]') FROM ${table} AS loaded WHERE ${where}) AS ${alias}`);
    };
    if (wanted.processInstances.size > 0 || wanted.incidents.size > 0) {
      // One array (not `id = ANY(...) OR id IN (...)`, which Postgres answers with a scan of the whole table).
      const incidentInstances =
        wanted.incidents.size > 0 ? ` || ARRAY(SELECT process_instance_id FROM incidents WHERE id = ANY(${parameter([...wanted.incidents], 'text[]')}))` : '';
      select('process_instances', 'process_instances', `loaded.id = ANY(${parameter([...wanted.processInstances], 'text[]')}${incidentInstances})`);
    }
    if (wanted.elementInstances.size > 0) select('element_instances', 'element_instances', `loaded.id = ANY(${parameter([...wanted.elementInstances], 'text[]')})`);
    if (variableKeys.length > 0) {
      const scopes = parameter(
        variableKeys.map(([scope]) => scope),
        'text[]',
      );
      const names = parameter(
        variableKeys.map(([, name]) => name),
        'text[]',
      );
      select('variables', 'variables', `(loaded.scope_instance_id, loaded.name) IN (SELECT * FROM unnest(${scopes}, ${names}))`);
    }
    if (wanted.jobs.size > 0) select('jobs', 'jobs', `loaded.id = ANY(${parameter([...wanted.jobs], 'text[]')})`);
    if (wanted.incidents.size > 0) select('incidents', 'incidents', `loaded.id = ANY(${parameter([...wanted.incidents], 'text[]')})`);
    if (wanted.userTasks.size > 0) select('user_tasks', 'user_tasks', `loaded.id = ANY(${parameter([...wanted.userTasks], 'text[]')})`);
    if (selects.length === 0) return;

    const [loaded]: {
      process_instances?: ProcessInstanceRow[];
      element_instances?: ElementInstanceRow[];
      variables?: VariableRow[];
      jobs?: JobRow[];
      incidents?: IncidentRow[];
      user_tasks?: UserTaskRow[];
    }[] = await manager.query(`SELECT ${selects.join(', ')}`, parameters);
    for (const row of loaded.process_instances ?? []) this.processInstances.rows.set(row.id, row);
    for (const row of loaded.element_instances ?? []) this.elementInstances.rows.set(row.id, row);
    for (const row of loaded.variables ?? []) this.variables.rows.set(variableKey(row.scope_instance_id, row.name), row);
    for (const row of loaded.jobs ?? []) this.jobs.rows.set(row.id, row);
    for (const row of loaded.incidents ?? []) this.incidents.rows.set(row.id, row);
    for (const row of loaded.user_tasks ?? []) this.userTasks.rows.set(row.id, row);
  }

  /**
   * Applies one change to the rows in memory, exactly as its per-event statement did to the table: a created row that
   * exists already is left alone (`ON CONFLICT DO NOTHING`), a change of a row that does not exist changes nothing.
   */
  apply(change: HistoryChange): void {
    switch (change.kind) {
      case 'instanceCreated': {
        if (this.processInstances.get(change.row.id)) return;
        this.processInstances.set(change.row.id, { ...change.row, state: 'ACTIVE', open_incidents: 0, end_time: null });
        return;
      }
      case 'instanceEnded': {
        const row = this.processInstances.get(change.id);
        if (!row) return;
        row.state = change.state;
        row.end_time = change.endTime;
        this.processInstances.touch(change.id);
        return;
      }
      case 'elementActivating': {
        if (this.elementInstances.get(change.row.id)) return;
        const instance = this.processInstances.get(change.row.process_instance_id);
        this.elementInstances.set(change.row.id, {
          ...change.row,
          process_definition_id: instance?.process_definition_id ?? null,
          state: 'ACTIVATING',
          end_time: null,
        });
        return;
      }
      case 'elementState': {
        const row = this.elementInstances.get(change.id);
        if (!row) return;
        row.state = change.state;
        this.elementInstances.touch(change.id);
        return;
      }
      case 'elementEnded': {
        const row = this.elementInstances.get(change.id);
        if (!row) return;
        row.state = change.state;
        row.end_time = change.endTime;
        this.elementInstances.touch(change.id);
        return;
      }
      case 'variablesSet': {
        for (const [name, value] of Object.entries(change.variables)) {
          const key = variableKey(change.scopeInstanceId, name);
          let row = this.variables.get(key);
          if (row) {
            // The row keeps the instance it was created for, as the upsert's DO UPDATE left it.
            row.value = value;
            row.revision += 1;
            row.update_time = change.time;
            this.variables.touch(key);
          } else {
            row = {
              scope_instance_id: change.scopeInstanceId,
              name,
              process_instance_id: change.processInstanceId,
              value,
              revision: 1,
              create_time: change.time,
              update_time: change.time,
            };
            this.variables.set(key, row);
          }
          this.variableUpdates.push({
            scope_instance_id: row.scope_instance_id,
            name,
            revision: row.revision,
            process_instance_id: row.process_instance_id,
            value,
            time: row.update_time,
            stream_revision: change.streamRevision,
          });
        }
        return;
      }
      case 'jobCreated': {
        if (this.jobs.get(change.row.id)) return;
        this.jobs.set(change.row.id, {
          ...change.row,
          ...this.ofInstance(change.row.process_instance_id),
          state: 'CREATED',
          failures: 0,
          error_message: null,
          end_time: null,
          last_failure_time: null,
          retry_at: null,
        });
        return;
      }
      case 'jobFailed': {
        // With retries left the job is offered again (FAILED); without, it waits for an incident to be resolved (INCIDENT).
        const row = this.jobs.get(change.id);
        if (!row) return;
        row.state = change.retries > 0 ? 'FAILED' : 'INCIDENT';
        row.retries = change.retries;
        row.error_message = change.errorMessage;
        row.failures += 1;
        row.last_failure_time = change.time;
        row.retry_at = change.retryAt;
        this.jobs.touch(change.id);
        return;
      }
      case 'jobErrorThrown': {
        // The worker ended its attempt with a BPMN error: the job is done with, whether something caught it or not.
        const row = this.jobs.get(change.id);
        if (!row) return;
        row.state = 'ERROR_THROWN';
        row.error_message = change.errorMessage;
        row.last_failure_time = change.time;
        this.jobs.touch(change.id);
        return;
      }
      case 'jobRetriesUpdated': {
        const row = this.jobs.get(change.id);
        if (!row) return;
        if (change.retries > 0) row.state = 'FAILED';
        row.retries = change.retries;
        row.retry_at = null;
        this.jobs.touch(change.id);
        return;
      }
      case 'jobEnded': {
        const row = this.jobs.get(change.id);
        if (!row) return;
        // Canceled because the error its worker threw was caught: it stays ERROR_THROWN, now ended.
        if (!(row.state === 'ERROR_THROWN' && change.state === 'CANCELED')) row.state = change.state;
        row.end_time = change.endTime;
        row.retry_at = null;
        this.jobs.touch(change.id);
        return;
      }
      case 'userTaskCreated': {
        if (this.userTasks.get(change.row.id)) return;
        this.userTasks.set(change.row.id, { ...change.row, ...this.ofInstance(change.row.process_instance_id), state: 'CREATED', end_time: null });
        return;
      }
      case 'userTaskEnded': {
        const row = this.userTasks.get(change.id);
        if (!row) return;
        row.state = change.state;
        row.end_time = change.endTime;
        this.userTasks.touch(change.id);
        return;
      }
      case 'incidentCreated': {
        // The instance counts its open incidents: it shows as INCIDENT while any is open.
        if (this.incidents.get(change.row.id)) return;
        this.incidents.set(change.row.id, { ...change.row, ...this.ofInstance(change.row.process_instance_id), state: 'ACTIVE', resolve_time: null });
        this.countIncident(change.row.process_instance_id, +1);
        return;
      }
      case 'incidentResolved': {
        const row = this.incidents.get(change.id);
        if (!row || row.state !== 'ACTIVE') return;
        row.state = 'RESOLVED';
        row.resolve_time = change.time;
        this.incidents.touch(change.id);
        this.countIncident(row.process_instance_id, -1);
        return;
      }
      case 'deployed': {
        for (const definition of change.definitions) if (!this.processDefinitions.has(definition.id)) this.processDefinitions.set(definition.id, definition);
        for (const element of change.elements) {
          const key = JSON.stringify([element.process_definition_id, element.element_id]);
          if (!this.elementDefinitions.has(key)) this.elementDefinitions.set(key, element);
        }
        return;
      }
    }
  }

  /** Upserts every changed row, and inserts the variable updates and definitions, in one statement. */
  async write(manager: EntityManager): Promise<void> {
    const parameters: string[] = [];
    const statements: string[] = [];
    const add = (rows: readonly object[], statement: (parameter: string) => string): void => {
      if (rows.length === 0) return;
      parameters.push(JSON.stringify(rows));
      statements.push(statement(`$${parameters.length}::jsonb`));
    };

    add(
      this.processInstances.changedRows(),
      (rows) => `INSERT INTO process_instances (id, process_definition_id, process_id, version, business_key, parent_process_instance_id, parent_element_instance_id,
         state, open_incidents, start_time, end_time, duration_ms)
       SELECT r.*, ${duration('r.end_time', 'r.start_time')} FROM jsonb_to_recordset(${rows}) AS r (id text, process_definition_id text, process_id text,
         version integer, business_key text, parent_process_instance_id text, parent_element_instance_id text, state text, open_incidents integer,
         start_time timestamptz, end_time timestamptz)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, open_incidents = EXCLUDED.open_incidents, end_time = EXCLUDED.end_time,
         duration_ms = ${duration('EXCLUDED.end_time', 'process_instances.start_time')}`,
    );
    add(
      this.elementInstances.changedRows(),
      (rows) => `INSERT INTO element_instances (id, process_instance_id, process_definition_id, element_id, element_type, flow_scope_instance_id, loop_counter,
         state, start_time, end_time, stream_revision, duration_ms)
       SELECT r.*, ${duration('r.end_time', 'r.start_time')} FROM jsonb_to_recordset(${rows}) AS r (id text, process_instance_id text, process_definition_id text,
         element_id text, element_type text, flow_scope_instance_id text, loop_counter integer, state text, start_time timestamptz, end_time timestamptz,
         stream_revision bigint)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, end_time = EXCLUDED.end_time,
         duration_ms = ${duration('EXCLUDED.end_time', 'element_instances.start_time')}`,
    );
    add(
      this.variables.changedRows(),
      (rows) => `INSERT INTO variables (scope_instance_id, name, process_instance_id, value, revision, create_time, update_time)
       SELECT r.scope_instance_id, r.name, r.process_instance_id, ${jsonValue('r.value')}, r.revision, r.create_time, r.update_time FROM jsonb_to_recordset(${rows}) AS r (scope_instance_id text, name text, process_instance_id text, value jsonb, revision integer,
         create_time timestamptz, update_time timestamptz)
       ON CONFLICT (scope_instance_id, name) DO UPDATE SET value = EXCLUDED.value, revision = EXCLUDED.revision, update_time = EXCLUDED.update_time`,
    );
    add(
      this.variableUpdates,
      (rows) => `INSERT INTO variable_updates (scope_instance_id, name, revision, process_instance_id, value, time, stream_revision)
       SELECT r.scope_instance_id, r.name, r.revision, r.process_instance_id, ${jsonValue('r.value')}, r.time, r.stream_revision FROM jsonb_to_recordset(${rows}) AS r (scope_instance_id text, name text, revision integer, process_instance_id text, value jsonb,
         time timestamptz, stream_revision bigint)
       ON CONFLICT DO NOTHING`,
    );
    add(
      this.jobs.changedRows(),
      (rows) => `INSERT INTO jobs (id, type, state, retries, failures, error_message, process_instance_id, process_definition_id, process_id, element_id,
         element_instance_id, custom_headers, create_time, end_time, last_failure_time, retry_at)
       SELECT * FROM jsonb_to_recordset(${rows}) AS r (id text, type text, state text, retries integer, failures integer, error_message text,
         process_instance_id text, process_definition_id text, process_id text, element_id text, element_instance_id text, custom_headers jsonb,
         create_time timestamptz, end_time timestamptz, last_failure_time timestamptz, retry_at timestamptz)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, retries = EXCLUDED.retries, failures = EXCLUDED.failures,
         error_message = EXCLUDED.error_message, end_time = EXCLUDED.end_time, last_failure_time = EXCLUDED.last_failure_time, retry_at = EXCLUDED.retry_at`,
    );
    add(
      this.incidents.changedRows(),
      (rows) => `INSERT INTO incidents (id, type, state, message, process_instance_id, process_definition_id, process_id, element_id, element_instance_id,
         job_id, create_time, resolve_time)
       SELECT * FROM jsonb_to_recordset(${rows}) AS r (id text, type text, state text, message text, process_instance_id text, process_definition_id text,
         process_id text, element_id text, element_instance_id text, job_id text, create_time timestamptz, resolve_time timestamptz)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, resolve_time = EXCLUDED.resolve_time`,
    );
    add(
      this.userTasks.changedRows(),
      (rows) => `INSERT INTO user_tasks (id, name, state, process_instance_id, process_definition_id, process_id, element_id, element_instance_id, assignee,
         candidate_groups, candidate_users, due_date, due_time, follow_up_date, follow_up_time, priority, form_key, form_id, create_time, end_time)
       SELECT * FROM jsonb_to_recordset(${rows}) AS r (id text, name text, state text, process_instance_id text, process_definition_id text,
         process_id text, element_id text, element_instance_id text, assignee text, candidate_groups text[], candidate_users text[], due_date text,
         due_time timestamptz, follow_up_date text, follow_up_time timestamptz, priority integer, form_key text, form_id text, create_time timestamptz,
         end_time timestamptz)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, end_time = EXCLUDED.end_time`,
    );
    add(
      [...this.processDefinitions.values()],
      (rows) => `INSERT INTO process_definitions (id, process_id, name, version, deployment_id, resource_name, deployed_at)
       SELECT * FROM jsonb_to_recordset(${rows}) AS r (id text, process_id text, name text, version integer, deployment_id text, resource_name text,
         deployed_at timestamptz)
       ON CONFLICT (id) DO NOTHING`,
    );
    add(
      [...this.elementDefinitions.values()],
      (rows) => `INSERT INTO element_definitions (process_definition_id, element_id, element_type, name)
       SELECT * FROM jsonb_to_recordset(${rows}) AS r (process_definition_id text, element_id text, element_type text, name text)
       ON CONFLICT DO NOTHING`,
    );

    if (statements.length === 0) return;
    // Each table's upsert is a data-modifying WITH query: all run, once each, in the one statement.
    const sql =
      statements.length === 1 ? statements[0] : `WITH ${statements.map((statement, index) => `w${index} AS (${statement})`).join(',\n')}\nSELECT 1`;
    await manager.query(sql, parameters);
  }

  /** The definition and process id of the instance, copied onto jobs, incidents and user tasks (null when it is unknown). */
  private ofInstance(processInstanceId: string): Pick<JobRow, OfInstance> {
    const instance = this.processInstances.get(processInstanceId);
    return { process_definition_id: instance?.process_definition_id ?? null, process_id: instance?.process_id ?? null };
  }

  private countIncident(processInstanceId: string, delta: number): void {
    const instance = this.processInstances.get(processInstanceId);
    if (!instance) return;
    instance.open_incidents += delta;
    this.processInstances.touch(processInstanceId);
  }
}

/** Whole milliseconds from `start` to `end` (null while `end` is): the expression the per-event statements used. */
const duration = (end: string, start: string): string => `(EXTRACT(EPOCH FROM (${end} - ${start})) * 1000)::bigint`;

/**
 * A variable's value from a recordset: `jsonb_to_recordset` reads a JSON `null` as SQL NULL, but a variable set to
 * null holds the JSON value `null` (the column is NOT NULL).
 */
const jsonValue = (column: string): string => `coalesce(${column}, 'null'::jsonb)`;
