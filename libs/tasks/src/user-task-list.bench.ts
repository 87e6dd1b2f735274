/**
 * The task list on a big table: `--open` open tasks (default 100,000) and `--closed` completed ones (default 100,000)
 * in Postgres, each with its instance's and its own variables; then each kind of filtered page of `GET /api/tasks`,
 * through `TaskRepository.list` (the count and the page, in one snapshot). Prints, per filter, the median time of
 * `--rounds` runs and the plan of both statements (the scans it uses); asserts nothing.
 *
 *   node --import ./tools/register.mjs libs/tasks/src/user-task-list.bench.ts [--open 100000] [--closed 100000] [--rounds 5]
 *
 * Needs Postgres at TRELLIS_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); works in a schema of its
 * own and drops it.
 */
import { createPostgresDataSource } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import type { DataSource } from 'typeorm';

import { TaskRepository, type SqlQuery, taskListQueries } from './task.repository.js';
import type { TaskFilter } from './task.views.js';
import { TASKS_MIGRATIONS } from './tasks.migrations.js';

function arg(name: string, fallback: string): number {
  const index = process.argv.indexOf(`--${name}`);
  return Number(index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback);
}

const open = arg('open', '100000');
const closed = arg('closed', '100000');
const rounds = arg('rounds', '5');

/** The filtered pages a tasklist asks for, by name. */
const FILTERS: Record<string, TaskFilter> = {
  'open, default sort': { state: 'CREATED' },
  'candidate group': { state: 'CREATED', candidateGroup: 'group-7' },
  "caller's candidacy, unassigned": { state: 'CREATED', unassigned: true, candidateOf: { userId: 'user-5', groups: ['group-1', 'group-2'] } },
  assignee: { state: 'CREATED', assignee: 'user-3' },
  'unassigned by due date': { state: 'CREATED', unassigned: true, sort: 'due' },
  'business key': { businessKey: 'order-4711' },
  'process instance': { processInstanceId: 'pi-4711' },
  'due before, by due date': { state: 'CREATED', dueBefore: '2030-01-08T00:00:00Z', sort: 'due' },
  'follow-up after': { state: 'CREATED', followUpAfter: '2030-12-20T00:00:00Z', sort: 'followUp' },
  'priority range, by priority': { state: 'CREATED', minPriority: 98, sort: 'priority:desc' },
  category: { state: 'CREATED', category: 'category-3' },
  tenant: { state: 'CREATED', tenantId: 'tenant-2', limit: 50 },
  'element id': { state: 'CREATED', elementId: 'approve-3' },
  'process variable': { processVariables: [{ name: 'customer', operator: 'eq', value: 'customer-42' }] },
  'task variable and group': { candidateGroup: 'group-7', taskVariables: [{ name: 'share', operator: 'eq', value: 7 }] },
};

async function fill(dataSource: DataSource): Promise<void> {
  const total = open + closed;
  await dataSource.query(
    `INSERT INTO task_process_instances (id, process_definition_id, process_id, business_key)
     SELECT 'pi-' || i, 'approval:1', 'approval', 'order-' || i FROM generate_series(1, $1::int) i`,
    [open],
  );
  await dataSource.query(
    `INSERT INTO task_variable_scopes (scope_id, process_instance_id, parent_scope_id, variables)
     SELECT 'pi-' || i, 'pi-' || i, NULL, jsonb_build_object('customer', 'customer-' || (i % 5000), 'amount', i % 1000) FROM generate_series(1, $1::int) i
     UNION ALL
     SELECT 'ei-' || i, 'pi-' || i, 'pi-' || i, jsonb_build_object('share', i % 100) FROM generate_series(1, $1::int) i`,
    [open],
  );
  await dataSource.query(
    `INSERT INTO user_tasks (id, process_instance_id, process_definition_id, process_id, element_id, element_instance_id, name,
       assignee, candidate_users, candidate_groups, due_date, due_at, follow_up_date, follow_up_at, priority, category, tenant_id,
       business_key, state, created_at, completed_at)
     SELECT 'task-' || i, 'pi-' || i, 'approval:1', 'approval', 'approve-' || (i % 10), 'ei-' || i, 'Approve order ' || i,
       CASE WHEN i % 3 = 0 THEN 'user-' || (i % 1000) END, ARRAY['user-' || (i % 997)], ARRAY['group-' || (i % 50)],
       to_char(due, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), due, to_char(due, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), due - interval '2 days', i % 101,
       'category-' || (i % 20), 'tenant-' || (i % 5), 'order-' || i,
       CASE WHEN i <= $1 THEN 'CREATED' ELSE 'COMPLETED' END, '2029-01-01'::timestamptz + i * interval '1 second',
       CASE WHEN i <= $1 THEN NULL ELSE '2030-01-01'::timestamptz END
     FROM generate_series(1, $2::int) i, LATERAL (SELECT '2030-01-01'::timestamptz + (i % 365) * interval '1 day' AS due) d`,
    [open, total],
  );
  // As autovacuum leaves a table that has settled: statistics, and the visibility map index-only scans need.
  await dataSource.query('VACUUM ANALYZE user_tasks');
  await dataSource.query('VACUUM ANALYZE task_variable_scopes');
}

/** The scans of a statement's plan: "Index Scan using user_tasks_assignee_state", "Seq Scan on user_tasks"... */
async function scansOf(dataSource: DataSource, query: SqlQuery): Promise<string[]> {
  const [{ 'QUERY PLAN': plan }]: { 'QUERY PLAN': PlanNode[] }[] = await dataSource.query(`EXPLAIN (FORMAT JSON) ${query.sql}`, [...query.parameters]);
  const scans: string[] = [];
  const walk = (node: PlanNode): void => {
    if (node['Node Type'].includes('Scan')) scans.push(`${node['Node Type']} ${node['Index Name'] ?? node['Relation Name'] ?? ''}`.trim());
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan[0].Plan);
  return [...new Set(scans)];
}

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PlanNode[];
  readonly Plan: PlanNode;
}

await requirePostgres();
const schema = uniqueSchema('tasks_list_bench');
const dataSource = await createPostgresDataSource({ url: postgresUrl, schema, migrations: TASKS_MIGRATIONS });
try {
  const started = performance.now();
  await fill(dataSource);
  console.log(`${open} open and ${closed} completed tasks written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const tasks = new TaskRepository(dataSource);
  const results = [];
  for (const [name, filter] of Object.entries(FILTERS)) {
    const times: number[] = [];
    let total = 0;
    for (let round = 0; round < rounds; round++) {
      const start = performance.now();
      total = (await tasks.list(filter)).total;
      times.push(performance.now() - start);
    }
    const { count, page } = taskListQueries(filter);
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
    const scans = { page: await scansOf(dataSource, page), count: await scansOf(dataSource, count) };
    const seqScan = [...scans.page, ...scans.count].some((scan) => scan.startsWith('Seq Scan'));
    results.push({ filter: name, total, medianMs: Number(median.toFixed(1)), seqScan, ...scans });
    console.log(`${name.padEnd(32)} total ${String(total).padStart(6)}  ${median.toFixed(1).padStart(7)} ms  page: ${scans.page.join(', ')}  count: ${scans.count.join(', ')}`);
  }
  console.log(JSON.stringify({ open, closed, rounds, results }));
} finally {
  await dataSource.destroy();
  await dropSchema(schema);
}
