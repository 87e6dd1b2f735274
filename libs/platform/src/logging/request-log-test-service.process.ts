/**
 * A Trellis service of one controller in a process of its own, for request-log.e2e.spec.ts: the request log goes to
 * the process's stdout (synchronously, fd 1), which only another process can read as an operator does.
 * Run: PORT=0 TRELLIS_LOG_LEVEL=<level> node --import ./tools/register.mjs libs/platform/src/logging/request-log-test-service.process.ts
 * Logs its serving line like every service (port included), and answers:
 *   GET /api/things/ok 200, GET /api/things/missing 404 (a problem), GET /api/things/broken 500 (an unexpected error),
 *   GET /api/things/slow 200 after 2 s.
 */
import { Controller, type DynamicModule, Get, Module } from '@nestjs/common';

import { loadSettings } from '../configuration/load-settings.js';
import { createServiceApp } from '../http/create-service-app.js';
import { ProblemError, ProblemType } from '../http/problem/problem-details.js';
import { runService } from '../http/run-service.js';
import { PlatformModule } from '../platform.module.js';

@Controller('things')
class ThingsController {
  @Get('ok')
  ok(): { readonly ok: true } {
    return { ok: true };
  }

  @Get('missing')
  missing(): never {
    throw new ProblemError({ type: ProblemType.notFound, title: 'Thing not found', status: 404, detail: 'No thing named missing' });
  }

  @Get('broken')
  broken(): never {
    throw new Error('the thing broke');
  }

  /** Answers after 2 s: long enough for a client to give up first. */
  @Get('slow')
  async slow(): Promise<{ readonly ok: true }> {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return { ok: true };
  }
}

@Module({})
class RequestLogTestServiceModule {
  static forRoot(settings: ReturnType<typeof loadSettings>): DynamicModule {
    return { module: RequestLogTestServiceModule, imports: [PlatformModule.forRoot({ settings, service: 'request-log-test' })], controllers: [ThingsController] };
  }
}

await runService({
  name: 'the request-log test service',
  loggerContext: 'RequestLogTestService',
  loadSettings: (env) => loadSettings(env),
  createApp: (settings) =>
    createServiceApp({ module: RequestLogTestServiceModule.forRoot(settings), settings, title: 'Things', description: 'Request log test.', shutdownHooks: true }),
  describe: () => 'GET /api/things/ok, /api/things/missing, /api/things/broken, /api/things/slow',
});
