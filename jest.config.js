// Jest runs in native ESM mode (NODE_OPTIONS=--experimental-vm-modules): NestJS 12 does not load under CommonJS Jest.
const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    // Keeps `with { type: 'json' }` on JSON imports (the moddle descriptors): Node requires it.
    experimental: { keepImportAttributes: true },
    target: 'es2022',
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

const ci = process.env.CI === 'true';

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleNameMapper: {
    // Library names may hold digits (`camunda7-rest`).
    '^@trellis/([a-z0-9-]+)/([a-z0-9-]+)$': '<rootDir>/libs/$1/src/$2.ts',
    '^@trellis/([a-z0-9-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/bench', '<rootDir>/tools'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  setupFiles: ['reflect-metadata'],
  // Starts the local Kafka broker (deploy/local/kafka) when none answers: see tools/jest-global-setup.js.
  globalSetup: '<rootDir>/tools/jest-global-setup.js',
  testTimeout: ci ? 60_000 : 30_000,
  // A forgotten `.only` must not silently shrink the suite in CI.
  ...(ci ? { ci: true } : {}),
};
