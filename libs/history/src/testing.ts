// Test helpers: the engine driven on an in-memory store, and the models the history tests run.
export { EngineDriver } from './testing/engine-driver.js';
export { decisionBpmn, orderBpmn, parallelBpmn } from './testing/history-models.js';
