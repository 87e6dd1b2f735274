import { Controller, type DynamicModule, Get, Global, Inject, Module, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type HealthCheckResult, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import type { Response } from 'express';

import { ReadinessChecks } from './readiness.js';

const HEALTH_OPTIONS = Symbol.for('trellis.health-options');

export interface HealthOptions {
  /** How long each readiness indicator may take (TRELLIS_HEALTH_CHECK_TIMEOUT_MS). */
  readonly timeoutMs: number;
}

/**
 * `GET /health/live`: the process is up and answering (restart it if not). `GET /health/ready`: every registered
 * dependency answers (send it traffic only then). Both answer `application/json` in terminus's shape, 200 when up,
 * 503 with the failing indicators under `error` when not.
 */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessChecks,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
  ) {}

  @Get('live')
  live(): Promise<HealthCheckResult> {
    return this.health.check([() => ({ process: { status: 'up', pid: process.pid, uptimeSeconds: Math.floor(process.uptime()) } })]);
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response): Promise<unknown> {
    try {
      return await this.health.check(this.readiness.list().map((indicator) => () => indicator.check(this.options.timeoutMs)));
    } catch (error) {
      // Terminus reports "down" as an exception; answered here so that the report stays the body, not a problem.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(503);
      return error.getResponse();
    }
  }
}

/** The health endpoints and the `ReadinessChecks` registry other modules add their indicators to. */
@Global()
@Module({})
export class PlatformHealthModule {
  static forRoot(options: HealthOptions): DynamicModule {
    return {
      module: PlatformHealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [HealthController],
      providers: [ReadinessChecks, { provide: HEALTH_OPTIONS, useValue: options }],
      exports: [ReadinessChecks],
    };
  }
}
