import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, type INestApplicationContext, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';

import { loadSettings } from './load-settings.js';
import { InjectSettings, PlatformConfigModule } from './platform-config.module.js';
import type { TrellisSettings } from './trellis.settings.js';

@Injectable()
class PoolSizer {
  constructor(
    @InjectSettings() readonly settings: TrellisSettings,
    readonly config: ConfigService<TrellisSettings, true>,
  ) {}
}

describe('PlatformConfigModule', () => {
  const settings = loadSettings({ TRELLIS_POSTGRES_POOL_MAX: '25', TRELLIS_KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092' });
  let context: INestApplicationContext;
  const environmentBefore = { ...process.env };

  beforeAll(async () => {
    @Module({ imports: [PlatformConfigModule.forRoot(settings)], providers: [PoolSizer] })
    class TestModule {}
    context = await NestFactory.createApplicationContext(TestModule, { logger: false });
  });
  afterAll(async () => {
    await context?.close();
  });

  it('gives modules the validated settings, typed, by injection', () => {
    const sizer = context.get(PoolSizer);
    expect(sizer.settings.TRELLIS_POSTGRES_POOL_MAX).toBe(25);
    expect(sizer.settings).toBe(settings);
  });

  it('answers ConfigService with the same typed values, never from process.env', () => {
    const { config } = context.get(PoolSizer);
    const poolMax: number = config.get('TRELLIS_POSTGRES_POOL_MAX', { infer: true });
    const brokers: readonly string[] = config.get('TRELLIS_KAFKA_BROKERS', { infer: true });
    expect(poolMax).toBe(25);
    expect(brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(config.get('PATH' as keyof TrellisSettings)).toBeUndefined();
  });

  it('writes nothing back to process.env', () => {
    expect(process.env).toEqual(environmentBefore);
  });
});
