// postgresDataSourceProvider in a service on the Postgres server of the tests (TRELLIS_POSTGRES_URL), in a schema of
// its own.
import { Controller, type DynamicModule, Get, Inject, type INestApplication, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import request from 'supertest';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

import { loadSettings } from '../configuration/load-settings.js';
import { createServiceApp } from '../http/create-service-app.js';
import { PlatformModule } from '../platform.module.js';
import { postgresDataSourceProvider } from './postgres-data-source.provider.js';

class CreateGreetings1800000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE greetings (name text PRIMARY KEY, said_at timestamptz NOT NULL DEFAULT now())');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE greetings');
  }
}

const GREETINGS_DATA_SOURCE = Symbol('greetings data source');

@Controller('greetings')
class GreetingsController {
  constructor(@Inject(GREETINGS_DATA_SOURCE) private readonly dataSource: DataSource) {}

  @Get()
  async list(): Promise<string[]> {
    const rows: { name: string }[] = await this.dataSource.query('SELECT name FROM greetings ORDER BY name');
    return rows.map((row) => row.name);
  }
}

/** A feature module as the services write them: its data source in its own schema, from its `forRoot()`. */
@Module({})
class GreetingsModule {
  static forRoot(schema: string): DynamicModule {
    return {
      module: GreetingsModule,
      controllers: [GreetingsController],
      providers: [postgresDataSourceProvider(GREETINGS_DATA_SOURCE, { schema, migrations: [CreateGreetings1800000000000], applicationName: 'greetings-test' })],
      exports: [GREETINGS_DATA_SOURCE],
    };
  }
}

function service(schema: string, env: Record<string, string> = {}): Promise<INestApplication> {
  const settings = loadSettings({ TRELLIS_POSTGRES_URL: postgresUrl, TRELLIS_POSTGRES_POOL_MAX: '4', TRELLIS_LOG_LEVEL: 'silent', ...env });
  @Module({ imports: [PlatformModule.forRoot({ settings, service: 'greetings-test' }), GreetingsModule.forRoot(schema)] })
  class GreetingsServiceModule {}
  return createServiceApp({ module: GreetingsServiceModule, settings, title: 'Greetings', description: 'Test.' });
}

/** The value of one sample line of the exposition (`name{labels} value`), or undefined when it is absent. */
function sample(exposition: string, line: string): number | undefined {
  const found = exposition.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('postgresDataSourceProvider', () => {
  const schema = uniqueSchema('platform_ds');
  let app: INestApplication;
  let dataSource: DataSource;

  beforeAll(async () => {
    await requirePostgres();
    app = await service(schema);
    dataSource = app.get<DataSource>(GREETINGS_DATA_SOURCE);
  });
  afterAll(async () => {
    await app?.close();
    await dropSchema(schema);
  });

  it('connects in the schema of the feature with its migrations run, so that its queries find their tables', async () => {
    await dataSource.query("INSERT INTO greetings (name) VALUES ('Ada'), ('Grace')");
    expect((await request(app.getHttpServer()).get('/api/greetings').expect(200)).body).toEqual(['Ada', 'Grace']);
    const [table] = await dataSource.query('SELECT table_schema FROM information_schema.tables WHERE table_name = $1 AND table_schema = $2', ['greetings', schema]);
    expect(table).toEqual({ table_schema: schema });
    const [session] = await dataSource.query('SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()');
    expect(session).toEqual({ application_name: 'greetings-test' });
  });

  it('shows the pool, labelled with the schema, and the queries in /metrics', async () => {
    const text = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(sample(text, `trellis_db_pool_max{pool="${schema}"}`)).toBe(4);
    expect(sample(text, `trellis_db_pool_connections{pool="${schema}"}`)).toBeGreaterThanOrEqual(1);
    expect(sample(text, `trellis_db_pool_connections_in_use{pool="${schema}"}`)).toBe(0);
    expect(sample(text, `trellis_db_pool_waiting{pool="${schema}"}`)).toBe(0);
    expect(sample(text, 'trellis_db_query_duration_seconds_count{operation="insert",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'trellis_db_query_duration_seconds_count{operation="select",outcome="ok"}')).toBeGreaterThanOrEqual(1);
  });

  it('adds the readiness check postgres:<schema>', async () => {
    const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body.details).toEqual({ [`postgres:${schema}`]: { status: 'up', responseTime: expect.any(Number) } });
  });

  it('runs each migration once when a second replica starts on the same schema, and destroys its data source at shutdown', async () => {
    const replica = await service(schema);
    const replicaDataSource = replica.get<DataSource>(GREETINGS_DATA_SOURCE);
    const migrations = await replicaDataSource.query('SELECT name FROM migrations');
    expect(migrations).toEqual([{ name: 'CreateGreetings1800000000000' }]);
    await replica.close();
    expect(replicaDataSource.isInitialized).toBe(false);
    // The first replica is untouched.
    await request(app.getHttpServer()).get('/api/greetings').expect(200);
  });

  it('stops the service at startup, naming the schema, when the database cannot be reached', async () => {
    const down = uniqueSchema('platform_ds_down');
    const attempt = service(down, { TRELLIS_POSTGRES_URL: 'postgres://trellis:secret@127.0.0.1:1/test', TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS: '500' });
    await expect(attempt).rejects.toThrow(new RegExp(`^The Postgres schema ${down} at postgres://127\\.0\\.0\\.1:1/test cannot be opened: .*ECONNREFUSED`));
  });
});
