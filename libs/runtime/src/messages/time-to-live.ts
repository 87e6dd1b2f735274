import { Duration } from 'luxon';

/**
 * A message's time to live in milliseconds: a whole number of milliseconds, or an ISO 8601 duration (`PT10M`), as
 * Camunda 8 clients send either. Absent is 0 (only subscriptions open now); anything else is undefined.
 */
export function timeToLiveMs(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const duration = Duration.fromISO(value.trim());
  if (!duration.isValid) return undefined;
  const ms = duration.as('milliseconds');
  return ms >= 0 ? Math.round(ms) : undefined;
}
