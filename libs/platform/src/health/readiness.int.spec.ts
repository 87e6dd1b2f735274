// The readiness indicators against the real services of the machine: Postgres at TRELLIS_POSTGRES_URL and the Kafka
// broker at TRELLIS_KAFKA_BROKERS (`deploy/local/kafka start`), and against closed ports for the "down" answers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type INestApplication, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InMemoryEventStore } from '@trellis/event-store';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import request from 'supertest';

import { loadSettings } from '../configuration/load-settings.js';
import { configurePlatformHttp, PlatformModule } from '../platform.module.js';
import { EventStoreHealthIndicator, KafkaHealthIndicator, PostgresHealthIndicator, ReadinessChecks } from './readiness.js';

const postgresUrl = process.env['TRELLIS_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const brokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
/** Nothing listens on port 1 of the loopback: connections are refused at once. */
const closedPort = '127.0.0.1:1';

function kafkaAdmin(brokerList: readonly string[]): Admin {
  return new Kafka({ clientId: 'trellis-health-test', brokers: [...brokerList], connectionTimeout: 1000, retry: { retries: 0 }, logLevel: logLevel.NOTHING }).admin();
}

describe('readiness indicators', () => {
  let pool: pg.Pool;
  let unreachablePool: pg.Pool;
  let admin: Admin;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: postgresUrl, max: 2, connectionTimeoutMillis: 5000 });
    unreachablePool = new pg.Pool({ connectionString: `postgres://postgres@${closedPort}/test`, max: 1, connectionTimeoutMillis: 1000 });
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      throw new Error(`Postgres is not reachable at ${postgresUrl} (${String(error)}): start it (on Debian: \`service postgresql start\`) or set TRELLIS_POSTGRES_URL.`);
    }
    admin = kafkaAdmin(brokers);
    try {
      await admin.connect();
    } catch (error) {
      throw new Error(`Kafka is not reachable at ${brokers.join(',')} (${String(error)}): start it with \`deploy/local/kafka start\` or set TRELLIS_KAFKA_BROKERS.`);
    }
  });

  afterAll(async () => {
    await admin?.disconnect();
    await pool?.end();
    await unreachablePool?.end();
  });

  it('reports Postgres up when it answers through the pool, and down with the reason when it does not', async () => {
    expect(await new PostgresHealthIndicator(pool).check(2000)).toEqual({ postgres: { status: 'up', responseTime: expect.any(Number) } });
    expect(await new PostgresHealthIndicator(unreachablePool, 'replica').check(2000)).toEqual({
      replica: { status: 'down', message: expect.stringContaining('ECONNREFUSED'), responseTime: expect.any(Number) },
    });
  });

  it('reports Kafka up with its brokers, and down when no broker answers', async () => {
    expect(await new KafkaHealthIndicator(admin).check(5000)).toEqual({ kafka: { status: 'up', brokers: 1, responseTime: expect.any(Number) } });
    const nowhere = kafkaAdmin([closedPort]);
    try {
      const result = await new KafkaHealthIndicator(nowhere).check(2000);
      expect(result.kafka).toEqual(expect.objectContaining({ status: 'down', message: expect.any(String) }));
    } finally {
      await nowhere.disconnect();
    }
  });

  it('reports the event store down once it is closed', async () => {
    const store = new InMemoryEventStore();
    expect((await new EventStoreHealthIndicator(store).check(1000)).eventStore.status).toBe('up');
    await store.close();
    expect((await new EventStoreHealthIndicator(store).check(1000)).eventStore.status).toBe('down');
  });

  it('counts a check that takes longer than the timeout as down', async () => {
    const slow = new PostgresHealthIndicator({ query: () => new Promise((resolve) => setTimeout(resolve, 500)) }, 'slow');
    expect(await slow.check(20)).toEqual({ slow: { status: 'down', message: 'timeout of 20ms exceeded', responseTime: expect.any(Number) } });
  });
});

describe('GET /health/ready with indicators registered by other modules', () => {
  let pool: pg.Pool;
  let unreachablePool: pg.Pool;
  let app: INestApplication;
  let readiness: ReadinessChecks;

  @Injectable()
  class DatabaseIndicators implements OnModuleInit {
    constructor(private readonly checks: ReadinessChecks) {}
    onModuleInit(): void {
      this.checks.register(new PostgresHealthIndicator(pool));
    }
  }

  @Module({ providers: [DatabaseIndicators] })
  class DatabaseModule {}

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: postgresUrl, max: 2, connectionTimeoutMillis: 5000 });
    unreachablePool = new pg.Pool({ connectionString: `postgres://postgres@${closedPort}/test`, max: 1, connectionTimeoutMillis: 1000 });
    const settings = loadSettings({ TRELLIS_LOG_LEVEL: 'silent', TRELLIS_HEALTH_CHECK_TIMEOUT_MS: '3000' });
    @Module({ imports: [PlatformModule.forRoot({ settings, service: 'health-test' }), DatabaseModule] })
    class TestAppModule {}
    app = await NestFactory.create(TestAppModule, { bufferLogs: true, abortOnError: false });
    configurePlatformHttp(app, settings);
    await app.init();
    readiness = app.get(ReadinessChecks);
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await unreachablePool?.end();
  });

  it('answers 200 when every registered dependency is up', async () => {
    const response = await request(app.getHttpServer()).get('/health/ready').expect(200).expect('Content-Type', /^application\/json/);
    expect(response.body).toEqual({
      status: 'ok',
      info: { postgres: { status: 'up', responseTime: expect.any(Number) } },
      error: {},
      details: { postgres: { status: 'up', responseTime: expect.any(Number) } },
    });
  });

  it('answers 503 naming the dependency that is down, and 200 again once it is removed', async () => {
    const remove = readiness.register(new PostgresHealthIndicator(unreachablePool, 'replica'));
    const response = await request(app.getHttpServer()).get('/health/ready').expect(503).expect('Content-Type', /^application\/json/);
    expect(response.body.status).toBe('error');
    expect(response.body.info).toEqual({ postgres: expect.objectContaining({ status: 'up' }) });
    expect(response.body.error).toEqual({ replica: expect.objectContaining({ status: 'down', message: expect.stringContaining('ECONNREFUSED') }) });
    remove();
    await request(app.getHttpServer()).get('/health/ready').expect(200);
  });

  it('refuses two indicators under one name', () => {
    expect(() => readiness.register(new PostgresHealthIndicator(pool))).toThrow('A readiness indicator named postgres is already registered');
  });

  it('keeps /health/live up whatever the dependencies say', async () => {
    const remove = readiness.register(new PostgresHealthIndicator(unreachablePool, 'replica'));
    try {
      const response = await request(app.getHttpServer()).get('/health/live').expect(200);
      expect(response.body).toEqual(expect.objectContaining({ status: 'ok', info: { process: expect.objectContaining({ status: 'up', pid: process.pid }) } }));
    } finally {
      remove();
    }
  });
});
