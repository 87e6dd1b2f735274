// The history-service's decision evaluations on the real Kafka broker and Postgres: the records the dmn-service
// publishes (contract messages, on a topic of this run's own) land in `decision_evaluations` and read back filtered.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DecisionEvaluated, type DeadLetterEnvelope, decisionEvaluatedMessageOf } from '@trellis/contracts';
import { asDeadLetterEnvelope, KafkaMessageBus, type MessageSubscription, silentMessagingLogger } from '@trellis/messaging';
import { Collected, kafkaBrokers } from '@trellis/messaging/testing';
import { createPostgresDataSource } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import type { DataSource } from 'typeorm';

import { DecisionEvaluationQueries, DecisionEvaluationsConsumer } from './decision-evaluations.js';
import { historyEntities } from './history.entities.js';
import { historyMigrations } from './history.migrations.js';
import { eventually } from './testing/eventually.js';

const run = randomUUID().slice(0, 8);
const topic = `trellis-test.history.${run}.decision-evaluations`;
const deadLetterTopic = `trellis-test.history.${run}.dead-letter`;
const schema = uniqueSchema('history_decisions');
let dataSource: DataSource;
let bus: KafkaMessageBus;
let consumer: DecisionEvaluationsConsumer;
let queries: DecisionEvaluationQueries;
let deadLetterReader: MessageSubscription;
const deadLetters = new Collected<DeadLetterEnvelope>();

const evaluation = (id: string, overrides: Partial<DecisionEvaluated> = {}): DecisionEvaluated => ({
  id,
  decisionId: 'approval',
  decisionDefinitionId: 'approval:1',
  version: 1,
  inputs: { amount: 500 },
  output: { approved: true },
  matchedRules: [{ decisionId: 'approval', matchedRules: [{ ruleId: 'approve-low', ruleIndex: 1, outputs: { approved: true } }] }],
  evaluatedDecisions: ['approval'],
  failed: false,
  evaluatedAt: '2026-03-01T10:00:00.000Z',
  ...overrides,
});

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, migrations: historyMigrations, entities: historyEntities });
  bus = await KafkaMessageBus.connect({ brokers: kafkaBrokers, clientId: `history-decisions-${run}`, logger: silentMessagingLogger });
  await bus.ensureTopics([
    { topic, partitions: 3 },
    { topic: deadLetterTopic, partitions: 1 },
  ]);
  queries = new DecisionEvaluationQueries(dataSource);
  consumer = new DecisionEvaluationsConsumer(bus, dataSource, { groupId: `trellis-test.history.${run}.decisions`, topic, deadLetterTopic });
  await consumer.start();
  deadLetterReader = await bus.subscribe({
    topics: deadLetterTopic,
    groupId: `trellis-test.history.${run}.dead-letter-reader`,
    fromBeginning: true,
    decode: asDeadLetterEnvelope,
    deadLetterTopic: `${deadLetterTopic}.dead`,
    handler: deadLetters.handler,
  });
}, 90_000);

afterAll(async () => {
  await consumer?.stop();
  await deadLetterReader?.close();
  await bus?.deleteTopics([topic, deadLetterTopic, `${deadLetterTopic}.dead`]).catch(() => undefined);
  await bus?.close();
  await dataSource?.destroy();
  await dropSchema(schema);
}, 60_000);

describe('decision evaluations in the history', () => {
  it('keeps each published evaluation once, with its task, and lists them filtered and paged, oldest first', async () => {
    const fromTask = evaluation('job-1', { processInstanceId: 'pi-1', elementInstanceId: 'ei-1', jobId: 'job-1', evaluatedAt: '2026-03-01T10:00:01.000Z' });
    const failed = evaluation('rest-2', {
      decisionId: 'overlapping',
      decisionDefinitionId: 'overlapping:1',
      output: null,
      matchedRules: [],
      evaluatedDecisions: [],
      failed: true,
      failureReason: 'overlapping: 2 rules of a UNIQUE table matched',
      evaluatedAt: '2026-03-01T10:00:02.000Z',
    });
    const rest = evaluation('rest-1');
    // The task's record twice (a redelivered event evaluated again publishes the same id): kept once.
    await bus.publish(topic, [fromTask, failed, rest, fromTask].map(decisionEvaluatedMessageOf));
    await eventually(async () => ((await queries.list({})).total === 3 ? true : undefined), 'the three evaluations');

    expect((await queries.list({})).items).toEqual([rest, fromTask, failed]);
    expect((await queries.list({ processInstanceId: 'pi-1' })).items).toEqual([fromTask]);
    expect((await queries.list({ failed: true })).items).toEqual([failed]);
    expect((await queries.list({ decisionId: 'approval', failed: false })).total).toBe(2);
    expect(await queries.list({ limit: 1, offset: 1 })).toEqual({ items: [fromTask], total: 3, limit: 1, offset: 1 });
    expect(await queries.get('rest-2')).toEqual(failed);
    expect(await queries.get('nope')).toBeUndefined();
  });

  it('sends a malformed record to the dead-letter topic and goes on', async () => {
    await bus.publish(topic, [{ key: 'broken', value: JSON.stringify({ ...evaluation('broken'), version: 0 }) }, decisionEvaluatedMessageOf(evaluation('after-broken'))]);
    await deadLetters.until((items) => items.some((item) => item.key === 'broken'), 'the dead letter');
    await eventually(() => queries.get('after-broken'), 'the evaluation after the broken one');
    expect(deadLetters.items.find((item) => item.key === 'broken')).toMatchObject({ reason: 'invalid-message', originalTopic: topic });
    expect(await queries.get('broken')).toBeUndefined();
  });
});
