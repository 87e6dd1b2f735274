// The engine driver moved to `@trellis/runtime/testing`; kept here for the specs that still import it by this path.
export { EngineDriver } from '@trellis/runtime/testing';
