import { Controller, type DynamicModule, Get, Global, Module, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Registry } from 'prom-client';

import { exposition } from './metrics.js';

/** `GET /metrics`: Prometheus text exposition of the process's and the application's metrics. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get()
  async metrics(@Res() response: Response): Promise<void> {
    const { contentType, text } = await exposition(this.registry);
    response.status(200).setHeader('Content-Type', contentType);
    response.send(text);
  }
}

/**
 * The application's metrics registry (inject `Registry` from prom-client and pass it to `registerPoolMetrics`,
 * `queryDurationObserver`, `registerRelayLag`, `registerConsumerLag`, `MeteredEventStore`) and `GET /metrics`.
 * One registry per application, so that applications sharing a process (tests) do not share counts.
 */
@Global()
@Module({})
export class PlatformMetricsModule {
  static forRoot(): DynamicModule {
    return {
      module: PlatformMetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: Registry, useFactory: () => new Registry() }],
      exports: [Registry],
    };
  }
}
