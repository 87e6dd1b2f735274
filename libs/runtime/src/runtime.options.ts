/** Tunables of the runtime module, from the application's configuration. */
export interface RuntimeOptions {
  /** How many process-instance states the repository keeps in memory (least recently used are dropped). */
  readonly instanceCacheSize: number;
  /** How often a command is decided again after losing a race on the stream's revision. */
  readonly maxCommandAttempts: number;
}

export const RUNTIME_OPTIONS = Symbol('trellis.RuntimeOptions');

export const defaultRuntimeOptions: RuntimeOptions = { instanceCacheSize: 10_000, maxCommandAttempts: 5 };
