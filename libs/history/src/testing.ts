// Test helpers: the models the history tests run, and polling for read models. The engine driven on an in-memory
// store is `EngineDriver` of `@trellis/runtime/testing`.
export { eventually } from './testing/eventually.js';
export { decisionBpmn, orderBpmn, parallelBpmn } from './testing/history-models.js';
