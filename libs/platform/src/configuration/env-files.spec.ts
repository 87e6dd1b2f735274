import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { environmentWithFiles } from './env-files.js';

describe('environmentWithFiles', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'trellis-env-'));
    await writeFile(join(directory, '.env'), '# shared\nPORT=9000\nTRELLIS_LOG_LEVEL=debug\nTRELLIS_ENV=production\n');
    await writeFile(join(directory, '.env.production'), 'TRELLIS_CORS_ORIGINS=https://tasks.example.com\nTRELLIS_LOG_LEVEL=warn\n');
    await writeFile(join(directory, '.env.test'), 'TRELLIS_LOG_LEVEL=silent\n');
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('layers the process over .env.<environment> over .env, the environment named in either', () => {
    expect(environmentWithFiles({ PORT: '9100' }, directory)).toEqual({
      PORT: '9100',
      TRELLIS_ENV: 'production',
      TRELLIS_LOG_LEVEL: 'warn',
      TRELLIS_CORS_ORIGINS: 'https://tasks.example.com',
    });
  });

  it('reads the file of the environment the process names', () => {
    expect(environmentWithFiles({ TRELLIS_ENV: 'test' }, directory)).toEqual({ PORT: '9000', TRELLIS_ENV: 'test', TRELLIS_LOG_LEVEL: 'silent' });
  });

  it('needs no file', () => {
    expect(environmentWithFiles({ PORT: '1' }, join(directory, 'missing'))).toEqual({ PORT: '1' });
  });
});
