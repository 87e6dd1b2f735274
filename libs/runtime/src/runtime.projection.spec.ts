import { afterEach, describe, expect, it } from '@jest/globals';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { InMemoryEventStore } from '@trellis/event-store';

import { ProcessInstanceRepository } from './process-instance.repository.js';
import { oneTaskBpmn, reviewBpmn } from './process-models.fixture.js';
import { RuntimeProjection } from './runtime.projection.js';

const started: RuntimeProjection[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((projection) => projection.stop()));
});

async function setUp(store = new InMemoryEventStore()) {
  const registry = new DefinitionRegistry(store);
  await registry.reload();
  if (registry.list().length === 0) {
    await new DeployResourcesHandler(store, registry).execute(
      new DeployResourcesCommand([
        { name: 'one-task.bpmn', content: oneTaskBpmn },
        { name: 'review.bpmn', content: reviewBpmn },
      ]),
    );
  }
  const repository = new ProcessInstanceRepository(store, registry);
  const projection = new RuntimeProjection(store);
  await projection.start();
  started.push(projection);
  const run = async (...args: Parameters<ProcessInstanceRepository['execute']>) => {
    const outcome = await repository.execute(...args);
    if (outcome.position !== undefined) await projection.waitForPosition(outcome.position);
    return outcome;
  };
  const start = (id: string, processDefinitionId: string, variables = {}) =>
    run(id, { type: 'CreateProcessInstance', processInstanceId: id, processDefinitionId, version: 1, variables, businessKey: `key-${id}` });
  return { store, projection, run, start };
}

describe('RuntimeProjection', () => {
  it('lists a started instance, its open job with its variables, and forgets the job once completed', async () => {
    const { projection, run, start } = await setUp();
    await start('pi-1', 'one-task:1', { order: 7 });

    expect(projection.processInstance('pi-1')).toEqual(
      expect.objectContaining({ id: 'pi-1', processId: 'one-task', version: 1, businessKey: 'key-pi-1', state: 'ACTIVE' }),
    );
    expect(projection.processInstance('pi-1')?.activeElementInstances).toEqual([
      expect.objectContaining({ elementId: 'work', elementType: 'serviceTask', state: 'ACTIVATED' }),
    ]);
    const [job] = projection.activatableJobs({ type: 'work' });
    expect(job).toEqual(expect.objectContaining({ type: 'work', retries: 3, processInstanceId: 'pi-1', elementId: 'work', variables: { order: 7 } }));

    await run('pi-1', { type: 'CompleteJob', jobId: job!.id, variables: { done: true } });

    expect(projection.activatableJobs({ type: 'work' })).toEqual([]);
    expect(projection.processInstanceOfJob(job!.id)).toBeUndefined();
    expect(projection.processInstance('pi-1')).toEqual(
      expect.objectContaining({ state: 'COMPLETED', activeElementInstances: [], variables: { order: 7, done: true } }),
    );
  });

  it('shows an incident instead of the job when a job fails without retries, and the job again once resolved', async () => {
    const { projection, run, start } = await setUp();
    await start('pi-1', 'one-task:1');
    const jobId = projection.activatableJobs({ processInstanceId: 'pi-1' })[0]!.id;

    await run('pi-1', { type: 'FailJob', jobId, retries: 0, errorMessage: 'no luck' });

    expect(projection.activatableJobs({ type: 'work' })).toEqual([]);
    const [incident] = projection.incidents({ processInstanceId: 'pi-1' });
    expect(incident).toEqual(expect.objectContaining({ type: 'JOB_NO_RETRIES', jobId, elementId: 'work', processInstanceId: 'pi-1' }));
    expect(projection.processInstance('pi-1')?.incidents).toEqual([incident]);

    await run('pi-1', { type: 'ResolveIncident', incidentId: incident!.id, retries: 2 });

    expect(projection.incidents()).toEqual([]);
    expect(projection.activatableJobs({ type: 'work' })).toEqual([expect.objectContaining({ id: jobId, retries: 2 })]);
  });

  it('does not offer a failed job before its back-off has passed', async () => {
    const { projection, run, start } = await setUp();
    await start('pi-1', 'one-task:1');
    const jobId = projection.activatableJobs()[0]!.id;
    await run('pi-1', { type: 'FailJob', jobId, retries: 2, retryBackoffMs: 60_000 });

    expect(projection.activatableJobs()).toEqual([]);
    const inTwoMinutes = new Date(Date.now() + 120_000).toISOString();
    expect(projection.activatableJobs({}, inTwoMinutes)).toEqual([expect.objectContaining({ id: jobId, retries: 2 })]);
  });

  it('filters user tasks by candidate group and state, and cancels open tasks of a cancelled instance', async () => {
    const { projection, run, start } = await setUp();
    await start('pi-1', 'review:1', { doc: 'a' });
    await start('pi-2', 'review:1', { doc: 'b' });

    const open = projection.userTaskList({ candidateGroup: 'reviewers', state: 'CREATED' });
    expect(open.map((task) => [task.processInstanceId, task.variables])).toEqual([
      ['pi-1', { doc: 'a' }],
      ['pi-2', { doc: 'b' }],
    ]);
    expect(projection.userTaskList({ candidateGroup: 'others' })).toEqual([]);

    await run('pi-2', { type: 'CancelProcessInstance' });

    expect(projection.userTaskList({ state: 'CREATED' }).map((task) => task.processInstanceId)).toEqual(['pi-1']);
    expect(projection.userTask(open[1]!.id)?.state).toBe('CANCELED');
    expect(projection.processInstances({ state: 'TERMINATED' })).toEqual({ items: [expect.objectContaining({ id: 'pi-2' })], total: 1 });
  });

  it('pages instance lists and filters them by process id and business key', async () => {
    const { projection, start } = await setUp();
    for (const id of ['pi-1', 'pi-2', 'pi-3']) await start(id, 'review:1');
    await start('pi-4', 'one-task:1');

    const page = projection.processInstances({ processId: 'review', limit: 2, offset: 1 });
    expect(page.total).toBe(3);
    expect(page.items.map((item) => item.id)).toEqual(['pi-2', 'pi-3']);
    expect(projection.processInstances({ businessKey: 'key-pi-4' }).items.map((item) => item.id)).toEqual(['pi-4']);
  });

  it('rebuilds the same views from the store after a restart', async () => {
    const first = await setUp();
    await first.start('pi-1', 'review:1', { doc: 'a' });
    await first.start('pi-2', 'one-task:1');
    await first.projection.stop();

    const restarted = new RuntimeProjection(first.store);
    await restarted.start();
    started.push(restarted);

    expect(restarted.position).toBe(first.projection.position);
    expect(restarted.processInstances()).toEqual(first.projection.processInstances());
    expect(restarted.userTaskList()).toEqual(first.projection.userTaskList());
    expect(restarted.activatableJobs()).toEqual(first.projection.activatableJobs());
  });
});
