import type { ReadAllOptions, ReadStreamOptions } from './event-store.port.js';

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw new RangeError(`${name} must be an integer >= 0, got ${String(value)}`);
  }
}

export function checkReadStreamOptions(options: ReadStreamOptions): { fromRevision: number; maxCount: number | undefined } {
  checkCount('fromRevision', options.fromRevision);
  checkCount('maxCount', options.maxCount);
  return { fromRevision: options.fromRevision ?? 0, maxCount: options.maxCount };
}

export function checkReadAllOptions(options: ReadAllOptions): { afterPosition: number; maxCount: number | undefined } {
  checkCount('afterPosition', options.afterPosition);
  checkCount('maxCount', options.maxCount);
  return { afterPosition: options.afterPosition ?? 0, maxCount: options.maxCount };
}
