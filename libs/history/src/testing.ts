// Test helpers: the engine driven on an in-memory store, the models the history tests run, and polling for read models.
export { EngineDriver } from './testing/engine-driver.js';
export { eventually } from './testing/eventually.js';
export { decisionBpmn, orderBpmn, parallelBpmn } from './testing/history-models.js';
