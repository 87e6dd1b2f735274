// createServiceApp on its own: a service of one controller gets what every Trellis service answers with.
import { Body, Controller, type DynamicModule, Get, type INestApplication, Module, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IsString } from 'class-validator';
import request from 'supertest';

import { loadSettings } from '../configuration/load-settings.js';
import { PlatformModule } from '../platform.module.js';
import { ApiProblemResponses } from './problem/problem-details.dto.js';
import { ProblemError, ProblemType } from './problem/problem-details.js';
import { createServiceApp } from './create-service-app.js';

class GreetingDto {
  @IsString()
  name!: string;
}

@ApiTags('greetings')
@Controller('greetings')
class GreetingsController {
  @Post()
  @ApiProblemResponses(400, 415)
  greet(@Body() body: GreetingDto): { greeting: string } {
    return { greeting: `Hello, ${body.name}` };
  }

  @Get(':name')
  @ApiProblemResponses(404)
  find(@Param('name') name: string): never {
    throw new ProblemError({ type: ProblemType.notFound, title: 'Greeting not found', status: 404, detail: `No greeting for ${name}`, details: { name } });
  }
}

/** A compatible API at a path of its own, outside the prefix, whose clients read errors as `{ type, message }`. */
@Controller('compat/greetings')
class CompatibleGreetingsController {
  @Get(':name')
  find(@Param('name') name: string): { greeting: string } {
    if (name === 'Bob') throw new ProblemError({ type: ProblemType.notFound, title: 'Greeting not found', status: 404, detail: `No greeting for ${name}` });
    return { greeting: `Hello, ${name}` };
  }
}

@Module({})
class GreetingServiceModule {
  static forRoot(): DynamicModule {
    const settings = loadSettings({ TRELLIS_LOG_LEVEL: 'silent' });
    return { module: GreetingServiceModule, imports: [PlatformModule.forRoot({ settings, service: 'greeting-service' })], controllers: [GreetingsController, CompatibleGreetingsController] };
  }
}

describe('createServiceApp', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  beforeAll(async () => {
    app = await createServiceApp({
      module: GreetingServiceModule.forRoot(),
      settings: loadSettings({}),
      title: 'Greetings',
      description: 'Says hello.',
      globalPrefix: 'v1',
      routesOutsidePrefix: ['compat'],
      problemRenderers: [
        {
          pathPrefix: '/compat',
          render: (response, problem) => {
            response.status(problem.status).json({ type: problem.status === 404 ? 'NotFound' : 'Other', message: problem.detail });
          },
        },
      ],
    });
    http = request(app.getHttpServer());
  });
  afterAll(async () => {
    await app?.close();
  });

  it('serves the routes under the global prefix as exactly application/json, without X-Powered-By', async () => {
    const response = await http.post('/v1/greetings').send({ name: 'Ada' }).expect(201);
    expect(response.body).toEqual({ greeting: 'Hello, Ada' });
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['etag']).toBeUndefined();
    await http.post('/greetings').send({ name: 'Ada' }).expect(404);
  });

  it('keeps health and metrics at the root', async () => {
    await http.get('/health/live').expect(200);
    await http.get('/health/ready').expect(200);
    expect((await http.get('/metrics').expect(200)).text).toContain('trellis_http_request_duration_seconds');
  });

  it('names each invalid or unknown field in a problem+json 400', async () => {
    const response = await http.post('/v1/greetings').send({ name: 7, mood: 'happy' }).expect(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toEqual(
      expect.objectContaining({
        type: 'urn:trellis:problem:validation',
        status: 400,
        instance: '/v1/greetings',
        errors: expect.arrayContaining([
          { field: 'name', message: 'name must be a string' },
          { field: 'mood', message: 'property mood should not exist' },
        ]),
      }),
    );
  });

  it('renders a ProblemError as it is, with the request path', async () => {
    const response = await http.get('/v1/greetings/Bob').expect(404);
    expect(response.body).toEqual({
      type: 'urn:trellis:problem:not-found',
      title: 'Greeting not found',
      status: 404,
      detail: 'No greeting for Bob',
      details: { name: 'Bob' },
      instance: '/v1/greetings/Bob',
    });
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const response = await http.post('/v1/greetings').set('Content-Type', 'application/json').send('{"name": ').expect(400);
    expect(response.body).toEqual(expect.objectContaining({ type: 'urn:trellis:problem:malformed-request', title: 'Malformed JSON' }));
  });

  it('refuses a body that is not JSON with a 415 problem saying which content type it must have', async () => {
    for (const contentType of ['application/x-www-form-urlencoded', 'text/plain;charset=UTF-8', 'application/xml']) {
      const response = await http.post('/v1/greetings').set('Content-Type', contentType).send('{"name":"Ada"}').expect(415);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body).toEqual({
        type: 'urn:trellis:problem:unsupported-media-type',
        title: 'Unsupported media type',
        status: 415,
        detail: `The request body must be sent with Content-Type: application/json (multipart/form-data for file uploads); this one has Content-Type: ${contentType}`,
        instance: '/v1/greetings',
      });
    }
  });

  it('takes a body-less request of any content type', async () => {
    // No body: nothing to misread, so validation speaks.
    const empty = await http.post('/v1/greetings').set('Content-Type', 'text/plain').expect(400);
    expect(empty.body.errors).toEqual([{ field: 'name', message: 'name must be a string' }]);
  });

  it('answers any route nothing serves with a problem+json 404, inside the prefix or not', async () => {
    for (const path of ['/v1/nothing', '/nothing']) {
      const response = await http.get(path).expect(404);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, detail: `Cannot GET ${path}`, instance: path });
    }
  });

  it('serves the routes outside the prefix at their own path, with their errors in the renderer\'s shape', async () => {
    const hello = await http.get('/compat/greetings/Ada').expect(200);
    expect(hello.body).toEqual({ greeting: 'Hello, Ada' });
    expect(hello.headers['content-type']).toBe('application/json');
    await http.get('/v1/compat/greetings/Ada').expect(404);
    const missing = await http.get('/compat/greetings/Bob').expect(404);
    expect(missing.headers['content-type']).toBe('application/json');
    expect(missing.body).toEqual({ type: 'NotFound', message: 'No greeting for Bob' });
    const unknown = await http.get('/compat/nothing').expect(404);
    expect(unknown.body).toEqual({ type: 'NotFound', message: 'Cannot GET /compat/nothing' });
    const unsupported = await http.post('/compat/greetings').set('Content-Type', 'text/plain').send('Ada').expect(415);
    expect(unsupported.body).toEqual({ type: 'Other', message: expect.stringContaining('Content-Type: application/json') });
  });

  it('documents the service in OpenAPI at /docs-json, with its problems, and serves Swagger UI at /docs', async () => {
    const document = (await http.get('/docs-json').expect(200)).body;
    expect(document.info).toEqual(expect.objectContaining({ title: 'Greetings', description: 'Says hello. Every error is `application/problem+json` (RFC 9457).' }));
    expect(Object.keys(document.paths)).toEqual(['/v1/greetings', '/v1/greetings/{name}', '/compat/greetings/{name}']);
    expect(document.paths['/v1/greetings'].post.responses['415'].content['application/problem+json']).toBeDefined();
    expect((await http.get('/docs').expect(200)).text).toContain('swagger');
  });
});
