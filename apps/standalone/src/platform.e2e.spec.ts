// What every service shares, seen through the standalone server: health, metrics, security headers and CORS.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventStore } from '@trellis/event-store';
import { EVENT_STORE } from '@trellis/platform';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, memoryApp, orderProcessBpmn } from './testing/e2e.fixture.js';

/** The value of one sample line of the exposition (`name{labels} value`), or undefined when it is absent. */
function sample(exposition: string, line: string): number | undefined {
  const found = exposition.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('health on the embedded store', () => {
  let dataDir: string;
  let app: INestApplication;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trellis-health-'));
    app = await createStandaloneApp({ eventStore: 'embedded', dataDir, logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is live, outside the /api prefix, as application/json', async () => {
    const response = await request(app.getHttpServer()).get('/health/live').expect(200).expect('Content-Type', 'application/json');
    expect(response.body).toEqual({
      status: 'ok',
      info: { process: { status: 'up', pid: process.pid, uptimeSeconds: expect.any(Number) } },
      error: {},
      details: { process: { status: 'up', pid: process.pid, uptimeSeconds: expect.any(Number) } },
    });
    await request(app.getHttpServer()).get('/api/health/live').expect(404);
  });

  it('is ready when the event store answers', async () => {
    const response = await request(app.getHttpServer()).get('/health/ready').expect(200).expect('Content-Type', 'application/json');
    expect(response.body).toEqual({
      status: 'ok',
      info: { eventStore: { status: 'up', responseTime: expect.any(Number) } },
      error: {},
      details: { eventStore: { status: 'up', responseTime: expect.any(Number) } },
    });
  });

  it('is not ready once the event store is gone, and still live', async () => {
    await app.get<EventStore>(EVENT_STORE).close();
    const response = await request(app.getHttpServer()).get('/health/ready').expect(503).expect('Content-Type', 'application/json');
    expect(response.body).toEqual(
      expect.objectContaining({ status: 'error', error: { eventStore: expect.objectContaining({ status: 'down', message: expect.any(String) }) } }),
    );
    await request(app.getHttpServer()).get('/health/live').expect(200);
  });
});

describe('metrics', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await memoryApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const scrape = async (): Promise<string> => {
    const response = await request(app.getHttpServer()).get('/metrics').expect(200).expect('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return response.text;
  };

  it('serves the Prometheus text format with the process metrics', async () => {
    const text = await scrape();
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_heap_size_used_bytes gauge');
    expect(text).toContain('# TYPE trellis_http_request_duration_seconds histogram');
  });

  it('times HTTP requests by method, route template and status', async () => {
    await request(app.getHttpServer()).get('/api/process-definitions').expect(200);
    await request(app.getHttpServer()).get('/api/process-instances/4f0c1d6e-0000-4000-8000-000000000000').expect(404);
    await request(app.getHttpServer()).get('/no/such/page').expect(404);
    const text = await scrape();
    expect(sample(text, 'trellis_http_request_duration_seconds_count{method="GET",route="/api/process-definitions",status="200"}')).toBe(1);
    expect(sample(text, 'trellis_http_request_duration_seconds_count{method="GET",route="/api/process-instances/:id",status="404"}')).toBe(1);
    expect(sample(text, 'trellis_http_request_duration_seconds_count{method="GET",route="(none)",status="404"}')).toBe(1);
    expect(text).not.toContain('4f0c1d6e');
    expect(text).not.toContain('/no/such/page');
  });

  it('counts the events appended to the store, and times the appends', async () => {
    const before = sample(await scrape(), 'trellis_events_appended_total');
    expect(before).toBe(0);
    await deploy(app, ['order-process.bpmn', orderProcessBpmn]).expect(201);
    const afterDeployment = await scrape();
    expect(sample(afterDeployment, 'trellis_events_appended_total')).toBeGreaterThanOrEqual(1);
    expect(sample(afterDeployment, 'trellis_event_store_append_duration_seconds_count{outcome="ok"}')).toBeGreaterThanOrEqual(1);

    await request(app.getHttpServer())
      .post('/api/process-instances')
      .send({ processId: 'order-process', variables: { customer: 'Ada', items: ['bolt'] } })
      .expect(201);
    const stored = (await app.get<EventStore>(EVENT_STORE).readAll()).length;
    expect(sample(await scrape(), 'trellis_events_appended_total')).toBe(stored);
  });
});

describe('security headers and CORS in production', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createStandaloneApp({
      env: { TRELLIS_ENV: 'production', TRELLIS_CORS_ORIGINS: 'https://tasks.example.com,http://localhost:5173', TRELLIS_LOG_LEVEL: 'silent' },
      eventStore: 'memory',
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers an allowed origin with CORS headers', async () => {
    const response = await request(app.getHttpServer()).get('/api/process-definitions').set('Origin', 'https://tasks.example.com').expect(200);
    expect(response.headers['access-control-allow-origin']).toBe('https://tasks.example.com');
    const preflight = await request(app.getHttpServer())
      .options('/api/process-instances')
      .set('Origin', 'http://localhost:5173')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type')
      .expect(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
  });

  it('gives any other origin no CORS header at all', async () => {
    const response = await request(app.getHttpServer()).get('/api/process-definitions').set('Origin', 'https://evil.example.net').expect(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(app.getHttpServer())
      .options('/api/process-instances')
      .set('Origin', 'https://evil.example.net')
      .set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends the security headers, with a content security policy and no upgrade to https', async () => {
    const response = await request(app.getHttpServer()).get('/api/process-definitions').expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['x-powered-by']).toBeUndefined();
    const policy = response.headers['content-security-policy'];
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('upgrade-insecure-requests');
  });

  it('serves Swagger UI under that policy: no inline script, and every asset it loads from this origin', async () => {
    const http = request(app.getHttpServer());
    const page = await http.get('/docs').expect(200).expect('Content-Type', /text\/html/);
    // script-src 'self' runs only scripts loaded from files of this origin: an inline script would be blocked.
    const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\ssrc="/);
      expect(body.trim()).toBe('');
    }
    expect(page.text).not.toMatch(/\son[a-z]+="/);
    const assets = [
      ...scripts.map(([, attributes]) => /\ssrc="([^"]+)"/.exec(attributes)?.[1]),
      ...[...page.text.matchAll(/<link\b[^>]*\shref="([^"]+)"/g)].map((match) => match[1]),
    ].filter((asset): asset is string => asset !== undefined);
    expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-ui-bundle\.js$/), expect.stringMatching(/swagger-ui\.css$/)]));
    for (const asset of assets) {
      // Relative to the page, never on another origin (which default-src 'self' would block).
      expect(asset).not.toMatch(/^[a-z]+:|^\/\//i);
      const url = new URL(asset, 'http://trellis.local/docs');
      const loaded = await http.get(url.pathname).expect(200);
      expect(loaded.headers['content-type']).toMatch(/javascript|css|image\/png/);
    }
    // The UI fetches the OpenAPI document from this origin too (connect-src falls back on default-src 'self').
    await http.get('/docs-json').expect(200).expect('Content-Type', 'application/json');
  });
});
