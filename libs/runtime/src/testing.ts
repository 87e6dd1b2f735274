// Test helpers (`@trellis/runtime/testing`): process instances driven by the REAL engine, as the runtime drives them,
// their events turned into the envelopes the relay publishes; with a store (`EngineDriver`) or without (`EngineInstance`).
export { EngineDriver } from './testing/engine-driver.js';
export { EngineInstance, compileProcess, compileProcesses, nextPosition } from './testing/engine-instance.js';
export { externalTaskLockStoreContract } from './testing/external-task-lock-store.contract.js';
