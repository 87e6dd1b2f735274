// Test helpers other libraries' integration tests share: a Postgres schema of their own per suite, and a private
// Postgres server that a reliability test may restart or crash.
export * from './postgres-test-support.js';
export * from './testing/private-postgres.js';
