// The distributed mode end to end: the five services as separate processes (tools/distributed/testing), on the real
// Postgres (schemas of the run's own) and the real Kafka broker (topics and consumer groups of the run's own), with the
// gateway in front. A process with a service task and a user task is deployed through the API, instances are started
// over REST, their jobs done by a worker over /api/jobs and their user tasks completed through the task-service; then
// the streams in the event store, the events topic and the read models of the task-service and the history-service
// are held against each other. The fault tests kill services with SIGKILL in the middle of the load.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dropSchema, postgresUrl, requirePostgres } from '@trellis/persistence/testing';

import { DistributedCluster } from './testing/distributed-cluster.js';
import { checkHistory, checkStreams, checkTasks, type InstanceStream, readInstanceStreams, readTopicEventIds } from './testing/stream-checks.js';
import { call, deploy, eachLimited, jobWorker, startInstance, taskWorker, totalOf, waitUntil } from './testing/workload.js';

const kafkaBrokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const MAIN_INSTANCES = 1000;
const FAULT_INSTANCES = 200;
/** The element instances every instance completes, once each: its four flow nodes. */
const ELEMENTS = ['start', 'work', 'approve', 'end'];

function approvalBpmn(processId: string, jobType: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="${processId}-definitions" targetNamespace="http://example.org/e2e">
  <bpmn:process id="${processId}" name="Work, then approve" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-work" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work" name="Do the work">
      <bpmn:extensionElements><zeebe:taskDefinition type="${jobType}" retries="3" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="to-approve" sourceRef="work" targetRef="approve" />
    <bpmn:userTask id="approve" name="Approve the work" />
    <bpmn:sequenceFlow id="to-end" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
}

interface LoadOutcome {
  readonly processId: string;
  /** The instances the REST API answered 201 for. */
  readonly started: readonly string[];
  /** Every instance of the process in the event store (a start retried after a lost answer makes one more). */
  readonly instanceIds: readonly string[];
  readonly streams: Map<string, InstanceStream>;
}

interface LoadOptions {
  readonly instances: number;
  /** Called once, when half the instances have been started; the load goes on meanwhile. */
  readonly midway?: () => Promise<void>;
  /** Base URLs of the runtime for the job worker (default: the gateway). */
  readonly runtimeUrls?: readonly string[];
  /** Where instances are started (default: the gateway); several are taken in turn. */
  readonly startUrls?: readonly string[];
}

let runs = 0;
/** How long each phase took, printed after the file (for the budget of this suite, not asserted). */
const phases: string[] = [];
const since = (startedAt: number): string => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;

/** Commands a runtime-service replica has taken from Kafka, from its /metrics. */
async function commandsHandled(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('trellis_runtime_commands_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/**
 * Deploys a process of its own, starts the instances over REST (16 at a time) while a job worker and a task worker
 * complete what opens, and waits until the runtime has no active instance of the process left and the task-service and
 * the history-service show every completed instance.
 */
async function runLoad(cluster: DistributedCluster, options: LoadOptions): Promise<LoadOutcome> {
  const processId = `e2e-${cluster.run}-${++runs}`;
  const jobType = `${processId}-work`;
  const gateway = cluster.gatewayUrl;
  const deployment = await deploy(gateway, `${processId}.bpmn`, approvalBpmn(processId, jobType));
  const definitionId = deployment.processDefinitions[0].id;

  const jobs = jobWorker(options.runtimeUrls ?? [gateway], jobType, 8);
  const tasks = taskWorker(gateway, definitionId, 8);
  const started: string[] = [];
  let midway: Promise<void> | undefined;
  const startUrls = options.startUrls ?? [gateway];
  const loadStarted = Date.now();
  try {
    await eachLimited(
      Array.from({ length: options.instances }, (_, index) => index),
      16,
      async (index) => {
        if (index === Math.floor(options.instances / 2) && options.midway !== undefined) midway = options.midway();
        const instance = await startInstance(startUrls[index % startUrls.length], processId, { index });
        started.push(instance.id);
      },
    );
    await midway;
    const runtime = options.runtimeUrls?.[0] ?? gateway;
    const active = (): Promise<number> => totalOf(`${runtime}/api/process-instances?processId=${processId}&state=ACTIVE&limit=1`);
    const completed = (): Promise<number> => totalOf(`${runtime}/api/process-instances?processId=${processId}&state=COMPLETED&limit=1`);
    await waitUntil(
      `every instance of ${processId} to end`,
      async () => (await active()) === 0 && (await completed()) >= options.instances,
      300_000,
      async () => `${await active()} active, ${await completed()} completed; jobs ${JSON.stringify(jobs.counts)}, tasks ${JSON.stringify(tasks.counts)}`,
    );
    phases.push(`${processId}: ${options.instances} instances started and ended in ${since(loadStarted)}`);
  } finally {
    await jobs.stop();
    await tasks.stop();
  }
  const readModelsStarted = Date.now();
  const ended = await totalOf(`${gateway}/api/process-instances?processId=${processId}&state=COMPLETED&limit=1`);
  await waitUntil(
    'the task-service and the history-service to show every instance completed',
    async () =>
      (await totalOf(`${gateway}/api/tasks?processDefinitionId=${definitionId}&state=COMPLETED&limit=1`)) === ended &&
      (await totalOf(`${gateway}/api/history/process-instances?processId=${processId}&state=COMPLETED&limit=1`)) === ended,
    120_000,
    async () =>
      `${ended} ended; task-service ${await totalOf(`${gateway}/api/tasks?processDefinitionId=${definitionId}&state=COMPLETED&limit=1`)} completed, ` +
      `history ${await totalOf(`${gateway}/api/history/process-instances?processId=${processId}&state=COMPLETED&limit=1`)} completed`,
  );

  phases.push(`${processId}: read models caught up ${since(readModelsStarted)} later`);
  const streams = await readInstanceStreams(postgresUrl, cluster.schemas.events);
  const instanceIds = [...streams.values()]
    .filter((stream) => (stream.events[0]?.data as { processId?: string } | null)?.processId === processId)
    .map((stream) => stream.processInstanceId);
  return { processId, started, instanceIds, streams };
}

/** Every check of the distributed mode on one load: streams, topic, task-service and history-service. */
async function checkEverything(cluster: DistributedCluster, outcome: LoadOutcome): Promise<void> {
  const { started, instanceIds, streams } = outcome;
  expect(new Set(started).size).toBe(started.length);
  expect(instanceIds).toEqual(expect.arrayContaining([...started]));
  // A start whose answer was lost to a kill and that the client sent again is a second instance, not a duplicate:
  // there can be a few more instances than answers, never fewer.
  expect(instanceIds.length - started.length).toBeLessThanOrEqual(16);

  const checksStarted = Date.now();
  expect(checkStreams(streams, instanceIds, ELEMENTS)).toEqual([]);

  const storedIds = new Set(instanceIds.flatMap((id) => streams.get(id)?.events.map((event) => event.id) ?? []));
  const topic = await readTopicEventIds(kafkaBrokers, cluster.topics.processInstanceEvents, storedIds, 60_000);
  const lost = [...storedIds].filter((id) => !topic.seen.has(id));
  expect({ lostOnTheEventsTopic: lost.length }).toEqual({ lostOnTheEventsTopic: 0 });

  expect(await checkTasks(cluster.url('task-service'), streams, instanceIds)).toEqual([]);
  expect(await checkHistory(cluster.url('history-service'), streams, instanceIds)).toEqual([]);
  phases.push(`checks took ${since(checksStarted)}`);
}

async function cleanUp(cluster: DistributedCluster | undefined): Promise<void> {
  if (cluster === undefined) return;
  await cluster.stop();
  await cluster.deleteTopics();
  for (const schema of Object.values(cluster.schemas)) await dropSchema(schema);
}

afterAll(() => {
  if (phases.length > 0) console.log(`distributed e2e phases:\n  ${phases.join('\n  ')}`);
});

describe('distributed mode: five services as processes on Postgres and Kafka', () => {
  let cluster: DistributedCluster | undefined;

  beforeAll(async () => {
    await requirePostgres();
    const startedAt = Date.now();
    cluster = await DistributedCluster.start({ postgresUrl, kafkaBrokers });
    phases.push(`five services ready in ${since(startedAt)}`);
  }, 240_000);

  afterAll(() => cleanUp(cluster), 120_000);

  it(`runs ${MAIN_INSTANCES} instances to their end through the APIs, each element completed once, history and tasks matching the streams`, async () => {
    const outcome = await runLoad(cluster!, { instances: MAIN_INSTANCES });
    expect(outcome.started).toHaveLength(MAIN_INSTANCES);
    expect(outcome.instanceIds).toHaveLength(MAIN_INSTANCES);
    await checkEverything(cluster!, outcome);
    // Every instance's history in one answer, as a user would open it.
    const one = await call<{ state: string; elementInstances: { elementId: string; state: string }[] }>(
      'GET',
      `${cluster!.gatewayUrl}/api/history/process-instances/${outcome.started[0]}`,
    );
    expect(one.status).toBe(200);
    expect(one.body.state).toBe('COMPLETED');
    expect(one.body.elementInstances.map((element) => element.elementId).sort()).toEqual([...ELEMENTS].sort());
  }, 600_000);

  it('loses and doubles nothing when the runtime-service is killed with SIGKILL under load and started again', async () => {
    const outcome = await runLoad(cluster!, {
      instances: FAULT_INSTANCES,
      midway: async () => {
        await cluster!.kill('runtime-service');
        await cluster!.restart('runtime-service');
      },
    });
    await checkEverything(cluster!, outcome);
  }, 420_000);

  it('catches up exactly when the task-service and the history-service are killed with SIGKILL under load and started again', async () => {
    const outcome = await runLoad(cluster!, {
      instances: FAULT_INSTANCES,
      midway: async () => {
        await Promise.all([cluster!.kill('task-service'), cluster!.kill('history-service')]);
        await Promise.all([cluster!.restart('task-service'), cluster!.restart('history-service')]);
      },
    });
    await checkEverything(cluster!, outcome);
  }, 420_000);

  it('shares the work between two runtime-service replicas, and corrupts no instance when one is killed and its partitions move', async () => {
    const second = await cluster!.addRuntimeReplica();
    const replicas = [cluster!.url('runtime-service', 0), cluster!.url('runtime-service', second)];
    const startUrls = [...replicas];
    const handledBefore: number[] = [];
    const outcome = await runLoad(cluster!, {
      instances: FAULT_INSTANCES,
      startUrls,
      runtimeUrls: [replicas[0]],
      midway: async () => {
        // Both replicas take commands from Kafka (the task-service's completions), each from its own partitions.
        await waitUntil('both replicas to have handled commands from Kafka', async () => (await Promise.all(replicas.map(commandsHandled))).every((count) => count > 0), 60_000);
        handledBefore.push(...(await Promise.all(replicas.map(commandsHandled))));
        // No more starts on the replica about to die; those on their way finish first.
        startUrls.splice(1, 1);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await cluster!.kill('runtime-service', second);
      },
    });
    expect(handledBefore).toHaveLength(2);
    expect(handledBefore.every((count) => count > 0)).toBe(true);
    // The survivor took over the partitions of the one that died: it handled more commands after the kill.
    expect(await commandsHandled(replicas[0])).toBeGreaterThan(handledBefore[0]);
    await checkEverything(cluster!, outcome);
  }, 420_000);
});
