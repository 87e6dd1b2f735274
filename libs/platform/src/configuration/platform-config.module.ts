import { type DynamicModule, Global, Inject, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';

import type { HttpSettings } from './trellis.settings.js';

/** Injection token of the service's validated settings (`TrellisSettings`, or its own schema's `SettingsOf<...>`). */
export const SETTINGS = Symbol.for('trellis.settings');

/**
 * Injects the validated settings: `constructor(@InjectSettings() settings: RuntimeServiceSettings)`, typed as the
 * service's schema (a module shared by services asks for the groups it reads: `PostgresSettings & KafkaSettings`).
 */
export const InjectSettings = (): ParameterDecorator => Inject(SETTINGS);

/**
 * Makes validated settings available everywhere: as `SETTINGS` (the typed, frozen object) and through
 * `ConfigService<TrellisSettings, true>` (`config.get('TRELLIS_POSTGRES_POOL_MAX', { infer: true })` is a number).
 * Validation happens before (`loadSettings`, or `validateSettings` with the service's schema), so that a service
 * refuses to start before it builds anything. Only the settings of the service's schema are there.
 */
@Global()
@Module({})
export class PlatformConfigModule {
  static forRoot(settings: HttpSettings): DynamicModule {
    return {
      module: PlatformConfigModule,
      imports: [
        // The settings are the only source: no .env reading here and no fallback on process.env, which the
        // validated values are never written back to.
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validatePredefined: false, skipProcessEnv: true, load: [() => ({ ...settings })] }),
      ],
      providers: [{ provide: SETTINGS, useValue: settings }],
      exports: [SETTINGS],
    };
  }
}
