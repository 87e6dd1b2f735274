import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExecutableProcess } from '../model/executable-model.js';
import { compile } from './compile.js';

// The models the project runs and shows: the shared bench models (next to the repository), the README example,
// and this folder's fixtures. Each must compile, since a benchmark or a walk-through on a refused model is no use.
const repository = fileURLToPath(new URL('../../../../', import.meta.url));
const folders = [`${repository}../shared/bench/`, `${repository}examples/`, fileURLToPath(new URL('./__fixtures__/', import.meta.url))];
const models = folders.flatMap((folder) =>
  readdirSync(folder)
    .filter((file) => file.endsWith('.bpmn'))
    .map((file) => [file, `${folder}${file}`] as const),
);

async function compileFile(path: string): Promise<ExecutableProcess[]> {
  const result = await compile(readFileSync(path, 'utf8'));
  if (!result.ok) throw new Error(`${path} does not compile:\n${JSON.stringify(result.error, null, 2)}`);
  return [...result.value.processes];
}

describe('example, bench and fixture models', () => {
  it('finds the models', () => {
    expect(models.map(([file]) => file)).toEqual(
      expect.arrayContaining([
        'straight-through.bpmn',
        'one-task.bpmn',
        'user-task.bpmn',
        'order-process.bpmn',
        'camunda7-invoice.bpmn',
        'camunda8-orders.bpmn',
      ]),
    );
  });

  it.each(models)('compiles %s', async (_, path) => {
    const processes = await compileFile(path);
    expect(processes.length).toBeGreaterThan(0);
    // Something starts each process: a none start event, or a signal, timer or conditional start event.
    for (const process of processes) expect(process.startEventIds.length + (process.signalStartEventIds?.length ?? 0) + (process.timerStartEventIds?.length ?? 0) + (process.conditionalStartEventIds?.length ?? 0)).toBeGreaterThan(0);
  });

  it('reads the Camunda 7 fixture: external tasks, assignment, mappings, multi-instance, sub-process, inclusive join', async () => {
    const [invoice] = await compileFile(models.find(([file]) => file === 'camunda7-invoice.bpmn')?.[1] ?? '');
    expect(invoice.elements.archive).toMatchObject({
      kind: 'serviceTask',
      parentId: 'book',
      asyncBefore: true,
      job: { type: { source: 'archive-invoice' }, retryTimeCycle: 'R3/PT5M', dialect: 'camunda' },
    });
    expect(invoice.elements['assign-approver']).toMatchObject({
      assignment: { assignee: { source: 'demo' }, candidateGroups: { source: 'accounting, management' }, priority: { source: '60' } },
      inputMappings: [{ target: 'reviewers', source: { language: 'feel', source: '["mary", "peter"]' } }],
      outputMappings: [{ target: 'approver', source: { language: 'juel', source: '${chosenApprover}' } }],
    });
    expect(invoice.elements.review.multiInstance).toMatchObject({ inputCollection: { source: '${reviewers}' }, inputElement: 'reviewer' });
    expect(invoice.elements.book).toMatchObject({ startEventId: 'book-start', childIds: ['book-start', 'split', 'archive', 'notify', 'join', 'book-end'] });
    expect(invoice.inclusiveJoinUpstream).toEqual({
      join: { archived: ['book-start', 'split', 'archive'], notified: ['book-start', 'split', 'notify'] },
    });
  });

  it('reads the Camunda 8 fixture: only the executable pool, jobs, user task, script, loops', async () => {
    const processes = await compileFile(models.find(([file]) => file === 'camunda8-orders.bpmn')?.[1] ?? '');
    expect(processes.map((process) => process.id)).toEqual(['orders']);
    const [orders] = processes;
    expect(orders.elements.reserve).toMatchObject({
      job: { type: { source: 'reserve-item' }, retries: { source: '5' }, customHeaders: { warehouse: 'north' }, dialect: 'zeebe' },
      multiInstance: { isSequential: false, inputCollection: { language: 'feel', source: 'items' }, outputCollection: 'reservations' },
    });
    expect(orders.elements.approve).toMatchObject({ formId: 'approve-order', assignment: { priority: { source: '75' } } });
    expect(orders.elements.ship.standardLoop).toEqual({ testBefore: false, loopMaximum: 3, loopCondition: { language: 'feel', source: 'shipped = false' } });
    expect(orders.elements.cancelled).toMatchObject({ kind: 'endEvent', eventDefinition: 'terminate' });
  });
});
