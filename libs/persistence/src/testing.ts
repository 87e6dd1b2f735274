// Test helpers other libraries' integration tests share: a Postgres schema of their own per suite.
export * from './postgres-test-support.js';
