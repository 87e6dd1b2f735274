// What the end-to-end and fault tests hold the distributed mode to, read from where the truth is: the process-instance
// streams in the shared Postgres event store, the events topic, and the read models behind the task-service's and
// the history-service's APIs. Each function answers a list of findings; an empty list is a pass.
import { PROCESS_INSTANCE_STREAM_PREFIX } from '@trellis/contracts';
import { PostgresEventStore, type RecordedEvent } from '@trellis/event-store';
import { Kafka, logLevel } from 'kafkajs';

import { call } from './workload.js';

export interface InstanceStream {
  readonly processInstanceId: string;
  readonly events: readonly RecordedEvent[];
}

/** The process-instance streams of the run's event store (snapshot streams and `deployments` left out). */
export async function readInstanceStreams(postgresUrl: string, schema: string): Promise<Map<string, InstanceStream>> {
  const store = await PostgresEventStore.open({ connectionString: postgresUrl, schema });
  try {
    const byStream = new Map<string, RecordedEvent[]>();
    let after = 0;
    for (;;) {
      const page = await store.readAll({ afterPosition: after, maxCount: 5000 });
      if (page.length === 0) break;
      for (const event of page) {
        if (!event.streamId.startsWith(PROCESS_INSTANCE_STREAM_PREFIX)) continue;
        const events = byStream.get(event.streamId) ?? [];
        events.push(event);
        byStream.set(event.streamId, events);
      }
      after = page[page.length - 1].position;
    }
    const streams = new Map<string, InstanceStream>();
    for (const [streamId, events] of byStream) {
      const processInstanceId = streamId.slice(PROCESS_INSTANCE_STREAM_PREFIX.length);
      streams.set(processInstanceId, { processInstanceId, events });
    }
    return streams;
  } finally {
    await store.close();
  }
}

export interface ElementInstanceRecord {
  readonly elementInstanceId: string;
  readonly elementId: string;
  readonly elementType: string;
  activating: number;
  completed: number;
  terminated: number;
}

/** Element instances of one stream, with how many times each was activated, completed or terminated. */
export function elementInstancesOf(stream: InstanceStream): Map<string, ElementInstanceRecord> {
  const records = new Map<string, ElementInstanceRecord>();
  for (const event of stream.events) {
    const data = event.data as { elementInstanceId?: string; elementId?: string; elementType?: string };
    if (data === null || typeof data !== 'object' || typeof data.elementInstanceId !== 'string') continue;
    if (event.type === 'ElementActivating') {
      const record = records.get(data.elementInstanceId) ?? {
        elementInstanceId: data.elementInstanceId,
        elementId: data.elementId ?? '?',
        elementType: data.elementType ?? '?',
        activating: 0,
        completed: 0,
        terminated: 0,
      };
      record.activating++;
      records.set(data.elementInstanceId, record);
    } else if (event.type === 'ElementCompleted' || event.type === 'ElementTerminated') {
      const record = records.get(data.elementInstanceId);
      if (record === undefined) continue;
      if (event.type === 'ElementCompleted') record.completed++;
      else record.terminated++;
    }
  }
  return records;
}

/**
 * Each instance's stream: revisions 0, 1, 2… without a gap, event ids unique in the whole store, created once and
 * completed once, every element instance activated once and completed once (none terminated), and the elements
 * completed those of `expectedElements` (in any order, each as often as listed).
 */
export function checkStreams(streams: Map<string, InstanceStream>, instanceIds: readonly string[], expectedElements: readonly string[]): string[] {
  const findings: string[] = [];
  const seenIds = new Set<string>();
  const expected = [...expectedElements].sort().join(',');
  for (const id of instanceIds) {
    const stream = streams.get(id);
    if (stream === undefined) {
      findings.push(`${id}: no stream`);
      continue;
    }
    stream.events.forEach((event, index) => {
      if (event.revision !== index) findings.push(`${id}: event ${index} has revision ${event.revision}`);
      if (seenIds.has(event.id)) findings.push(`${id}: event id ${event.id} twice in the store`);
      seenIds.add(event.id);
    });
    const count = (type: string): number => stream.events.filter((event) => event.type === type).length;
    if (count('ProcessInstanceCreated') !== 1) findings.push(`${id}: ProcessInstanceCreated ${count('ProcessInstanceCreated')} times`);
    if (count('ProcessInstanceCompleted') !== 1) findings.push(`${id}: ProcessInstanceCompleted ${count('ProcessInstanceCompleted')} times`);
    const elements = [...elementInstancesOf(stream).values()];
    for (const element of elements) {
      if (element.activating !== 1 || element.completed !== 1 || element.terminated !== 0) {
        findings.push(`${id}: element ${element.elementId} (${element.elementInstanceId}) activated ${element.activating}, completed ${element.completed}, terminated ${element.terminated} times`);
      }
    }
    const completed = elements.flatMap((element) => Array<string>(element.completed).fill(element.elementId)).sort().join(',');
    if (completed !== expected) findings.push(`${id}: completed elements ${completed}, expected ${expected}`);
  }
  return findings;
}

/**
 * Reads the events topic from the beginning (a consumer group of its own) until every id of `expectedIds` has been
 * seen or `timeoutMs` passed. Answers the ids seen and how many messages carried an id seen before (the relay
 * publishes at least once: a copy after a crash is allowed, the read models drop it).
 */
export async function readTopicEventIds(
  brokers: readonly string[],
  topic: string,
  expectedIds: ReadonlySet<string>,
  timeoutMs: number,
): Promise<{ readonly seen: Set<string>; readonly copies: number; readonly messages: number }> {
  const kafka = new Kafka({ clientId: `trellis-e2e-check-${Date.now()}`, brokers: [...brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `trellis-e2e-check-${topic}-${Date.now()}` });
  const seen = new Set<string>();
  let copies = 0;
  let messages = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const covered = (): boolean => [...expectedIds].every((id) => seen.has(id));
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          messages++;
          const envelope = JSON.parse(message.value?.toString('utf8') ?? 'null') as { eventId?: string } | null;
          const eventId = envelope?.eventId;
          if (typeof eventId !== 'string') continue;
          if (seen.has(eventId)) copies++;
          seen.add(eventId);
        }
        if (covered()) resolveDone();
      },
    });
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  } finally {
    await consumer.disconnect();
  }
  return { seen, copies, messages };
}

/** Every item of a paged list (`{items, total}`), `limit` 1000 at a time. */
export async function allPages<T>(url: string): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; ; offset += 1000) {
    const separator = url.includes('?') ? '&' : '?';
    const answer = await call<{ items: T[]; total: number }>('GET', `${url}${separator}limit=1000&offset=${offset}`, undefined, 30_000);
    if (answer.status !== 200) throw new Error(`GET ${url}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    items.push(...answer.body.items);
    if (items.length >= answer.body.total || answer.body.items.length === 0) return items;
  }
}

interface HistoricRow {
  readonly id: string;
  readonly processInstanceId?: string;
  readonly state: string;
  readonly elementId?: string;
}

/**
 * The history-service's read model against the streams, exactly: one process instance per stream, COMPLETED; one
 * element instance per element instance of the streams (same ids), COMPLETED; one job per JobCreated, one user task
 * per UserTaskCreated, all COMPLETED.
 */
export async function checkHistory(historyUrl: string, streams: Map<string, InstanceStream>, instanceIds: readonly string[]): Promise<string[]> {
  const findings: string[] = [];
  const wanted = new Set(instanceIds);
  const instances = await allPages<HistoricRow>(`${historyUrl}/api/history/process-instances`);
  const ours = instances.filter((row) => wanted.has(row.id));
  if (ours.length !== instanceIds.length) findings.push(`history lists ${ours.length} of the ${instanceIds.length} process instances`);
  if (new Set(ours.map((row) => row.id)).size !== ours.length) findings.push('history lists a process instance twice');
  const notCompleted = ours.filter((row) => row.state !== 'COMPLETED');
  if (notCompleted.length > 0) findings.push(`${notCompleted.length} process instances not COMPLETED in history (first: ${notCompleted[0].id} ${notCompleted[0].state})`);

  const elementRows = (await allPages<HistoricRow>(`${historyUrl}/api/history/element-instances`)).filter((row) => wanted.has(row.processInstanceId ?? ''));
  const streamElements = new Map<string, ElementInstanceRecord>();
  for (const id of instanceIds) {
    const stream = streams.get(id);
    if (stream !== undefined) for (const [elementInstanceId, record] of elementInstancesOf(stream)) streamElements.set(elementInstanceId, record);
  }
  if (elementRows.length !== streamElements.size) findings.push(`history has ${elementRows.length} element instances, the streams ${streamElements.size}`);
  const rowIds = new Set(elementRows.map((row) => row.id));
  if (rowIds.size !== elementRows.length) findings.push('history lists an element instance twice');
  const missing = [...streamElements.keys()].filter((id) => !rowIds.has(id));
  if (missing.length > 0) findings.push(`${missing.length} element instances of the streams are not in history (first: ${missing[0]})`);
  const open = elementRows.filter((row) => row.state !== 'COMPLETED');
  if (open.length > 0) findings.push(`${open.length} element instances not COMPLETED in history (first: ${open[0].elementId} ${open[0].state})`);

  const countOf = (type: string): number => instanceIds.reduce((sum, id) => sum + (streams.get(id)?.events.filter((event) => event.type === type).length ?? 0), 0);
  for (const [path, eventType] of [
    ['jobs', 'JobCreated'],
    ['user-tasks', 'UserTaskCreated'],
  ] as const) {
    const rows = (await allPages<HistoricRow>(`${historyUrl}/api/history/${path}`)).filter((row) => wanted.has(row.processInstanceId ?? ''));
    if (rows.length !== countOf(eventType)) findings.push(`history has ${rows.length} ${path}, the streams ${countOf(eventType)} ${eventType}`);
    if (new Set(rows.map((row) => row.id)).size !== rows.length) findings.push(`history lists one of its ${path} twice`);
    const notDone = rows.filter((row) => row.state !== 'COMPLETED');
    if (notDone.length > 0) findings.push(`${notDone.length} ${path} not COMPLETED in history`);
  }
  return findings;
}

/** The task-service's read model against the streams: one task per UserTaskCreated, each COMPLETED, none twice. */
export async function checkTasks(taskServiceUrl: string, streams: Map<string, InstanceStream>, instanceIds: readonly string[]): Promise<string[]> {
  const findings: string[] = [];
  const wanted = new Set(instanceIds);
  const rows = (await allPages<HistoricRow>(`${taskServiceUrl}/api/tasks`)).filter((row) => wanted.has(row.processInstanceId ?? ''));
  const created = instanceIds.reduce((sum, id) => sum + (streams.get(id)?.events.filter((event) => event.type === 'UserTaskCreated').length ?? 0), 0);
  if (rows.length !== created) findings.push(`the task-service has ${rows.length} tasks, the streams ${created} UserTaskCreated`);
  if (new Set(rows.map((row) => row.id)).size !== rows.length) findings.push('the task-service lists a task twice');
  const notDone = rows.filter((row) => row.state !== 'COMPLETED');
  if (notDone.length > 0) findings.push(`${notDone.length} tasks not COMPLETED in the task-service (first: ${notDone[0].id} ${notDone[0].state})`);
  return findings;
}
