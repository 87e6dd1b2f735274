/**
 * A task-service that dies between the commit of a completion and its publication, for task-outbox.publisher.int.spec.ts:
 * it commits the completion exactly as the API does (task COMPLETING and outbox row in one transaction), says so, and
 * kills itself with SIGKILL where the API would wake the outbox publisher: no shutdown, no publish, connections cut.
 * Run: node --import ./tools/register.mjs libs/tasks/src/outbox-crash.process.ts <schema> <task id> <command id>
 */
import { writeSync } from 'node:fs';
import { createPostgresDataSource } from '@trellis/persistence';

import { TaskRepository } from './task.repository.js';

const [schema, taskId, commandId] = process.argv.slice(2);
if (schema === undefined || taskId === undefined || commandId === undefined) {
  process.stderr.write('usage: outbox-crash.process.ts <schema> <task id> <command id>\n');
  process.exit(2);
}
const url = process.env['TRELLIS_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const dataSource = await createPostgresDataSource({ url, schema, runMigrations: false });
await new TaskRepository(dataSource).requestCompletion({ taskId, commandId, issuedBy: 'task-service', issuedAt: new Date(), variables: { approved: true } });
writeSync(1, 'committed\n');
process.kill(process.pid, 'SIGKILL');
