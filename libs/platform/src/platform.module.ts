import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { Registry } from 'prom-client';

import { PlatformConfigModule } from './configuration/platform-config.module.js';
import type { HttpSettings } from './configuration/trellis.settings.js';
import { PlatformHealthModule } from './health/health.module.js';
import { PlatformLifecycleModule } from './lifecycle/shutdown-tasks.js';
import { applyHttpHardening } from './http/http-hardening.js';
import { PlatformLoggingModule } from './logging/logging.module.js';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware.js';
import { PlatformMetricsModule } from './metrics/metrics.module.js';

export interface PlatformOptions {
  /** The service's validated settings: its schema spreads `httpSettings` and the groups it needs besides. */
  readonly settings: HttpSettings;
  /** The service's name in its log lines (`standalone`, `runtime-service`, ...). */
  readonly service: string;
}

/** Routes of the platform, served outside the application's global prefix. */
export const PLATFORM_ROUTES = ['health/live', 'health/ready', 'metrics'] as const;

/**
 * What every Trellis service shares: validated settings (`SETTINGS`, `ConfigService`), pino logging, metrics
 * (`Registry`, `GET /metrics`), health (`ReadinessChecks`, `GET /health/live`, `GET /health/ready`) and
 * `ShutdownTasks` (what factory providers close at shutdown).
 * Create the application with `bufferLogs: true` and call `configurePlatformHttp` before `init`.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const { settings } = options;
    return {
      module: PlatformModule,
      imports: [
        PlatformConfigModule.forRoot(settings),
        PlatformLoggingModule.forRoot({ level: settings.TRELLIS_LOG_LEVEL, service: options.service }),
        PlatformMetricsModule.forRoot(),
        PlatformHealthModule.forRoot({ timeoutMs: settings.TRELLIS_HEALTH_CHECK_TIMEOUT_MS }),
        PlatformLifecycleModule,
      ],
    };
  }
}

/**
 * The HTTP side of the platform, before any route: the pino logger for Nest's own logs, security headers and CORS,
 * request metrics, and the global prefix with the platform's routes left outside it.
 */
export function configurePlatformHttp(
  app: INestApplication,
  settings: Pick<HttpSettings, 'TRELLIS_CORS_ORIGINS'>,
  options: { readonly globalPrefix?: string; readonly routesOutsidePrefix?: readonly string[] } = {},
): void {
  app.useLogger(app.get(Logger));
  app.use(httpMetricsMiddleware(app.get(Registry)));
  applyHttpHardening(app, settings.TRELLIS_CORS_ORIGINS);
  // A path outside the prefix keeps the routes under it there too (`{*path}`: any depth).
  const outside = (options.routesOutsidePrefix ?? []).flatMap((path) => [path, `${path}/{*path}`]);
  if (options.globalPrefix !== undefined) app.setGlobalPrefix(options.globalPrefix, { exclude: [...PLATFORM_ROUTES, ...outside] });
}
