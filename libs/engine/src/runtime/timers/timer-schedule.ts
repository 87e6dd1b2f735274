import { CronExpressionParser } from 'cron-parser';
import { DateTime, Duration } from 'luxon';
import type { TimerDefinition } from '../../model/executable-model.js';
import { err, ok, type Result } from '../../result.js';

/**
 * What is left of a repeating timer after the occurrence it is due for: the next occurrences come from an ISO 8601
 * interval or a cron expression. `remaining` counts the occurrences still to come after this one (null: without end).
 */
export interface TimerCycle {
  readonly remaining: number | null;
  readonly interval?: string;
  readonly cron?: string;
}

export interface TimerSchedule {
  /** ISO 8601 UTC date-time the timer is due at. */
  readonly dueAt: string;
  readonly cycle?: TimerCycle;
}

const REPEATING = /^R(\d*)\/(.+)$/;

/**
 * When a timer is first due, from the value its expression gave and the time of the decision. The value is an
 * ISO 8601 date-time (`timeDate`), duration (`timeDuration`), repeating interval or cron expression (`timeCycle`).
 * A FEEL date-time or duration arrives here as its ISO text. The engine reads no clock: `now` is the decision's.
 */
export function firstOccurrence(kind: TimerDefinition['kind'], value: unknown, now: string): Result<TimerSchedule, string> {
  if (typeof value !== 'string' || value.trim() === '') {
    return err(`expected ${describeKind(kind)} as text, but it was ${value === null ? 'null' : typeof value === 'string' ? 'empty' : JSON.stringify(value)}`);
  }
  const text = value.trim();
  const start = DateTime.fromISO(now, { setZone: true });
  if (!start.isValid) return err(`the decision time '${now}' is not an ISO 8601 date-time`);
  switch (kind) {
    case 'timeDate': {
      const date = parseDateTime(text);
      return date === undefined ? err(`'${text}' is not an ISO 8601 date-time with a zone or offset (e.g. 2026-01-01T09:00:00Z)`) : ok({ dueAt: iso(date) });
    }
    case 'timeDuration': {
      const duration = parseDuration(text);
      return duration === undefined ? err(`'${text}' is not an ISO 8601 duration (e.g. PT10M, P1DT2H)`) : ok({ dueAt: iso(start.plus(duration)) });
    }
    case 'timeCycle':
      return firstOfCycle(text, start);
  }
}

/** The occurrence after `dueAt` of a repeating timer, or undefined when the cycle has no occurrence left. */
export function nextOccurrence(cycle: TimerCycle, dueAt: string): TimerSchedule | undefined {
  if (cycle.remaining !== null && cycle.remaining <= 0) return undefined;
  const last = DateTime.fromISO(dueAt, { setZone: true });
  let next: DateTime | undefined;
  if (cycle.interval !== undefined) {
    const duration = parseDuration(cycle.interval);
    next = duration === undefined ? undefined : last.plus(duration);
  } else if (cycle.cron !== undefined) {
    next = nextCron(cycle.cron, last);
  }
  if (next === undefined) return undefined;
  const remaining = cycle.remaining === null ? null : cycle.remaining - 1;
  return { dueAt: iso(next), cycle: { ...cycle, remaining } };
}

/**
 * Checks a timer's static text at deployment, so that a timer that cannot parse is refused there rather than when
 * an instance reaches it. Returns the problem, or undefined when the text is valid.
 */
export function checkTimerText(kind: TimerDefinition['kind'], text: string): string | undefined {
  // Any valid date-time will do as the decision time: only the text's form is checked.
  const checked = firstOccurrence(kind, text, '2000-01-01T00:00:00.000Z');
  return checked.ok ? undefined : checked.error;
}

function firstOfCycle(text: string, now: DateTime): Result<TimerSchedule, string> {
  const repeating = REPEATING.exec(text);
  if (repeating === null) {
    const first = nextCron(text, now);
    if (first === undefined) {
      return err(`'${text}' is neither an ISO 8601 repeating interval (e.g. R5/PT10S, R/2026-01-01T00:00:00Z/P1D) nor a cron expression (e.g. 0 0 9 * * MON-FRI)`);
    }
    return ok({ dueAt: iso(first), cycle: { remaining: null, cron: text } });
  }
  const [, count, rest] = repeating;
  const repetitions = count === '' ? null : Number(count);
  if (repetitions !== null && repetitions < 1) return err(`'${text}' repeats ${repetitions} times: a cycle needs at least 1 repetition`);
  const parts = rest.split('/');
  let startAt: DateTime;
  let interval: string;
  if (parts.length === 1) {
    interval = parts[0];
    const duration = parseDuration(interval);
    if (duration === undefined) return err(`the interval '${interval}' of '${text}' is not an ISO 8601 duration`);
    startAt = now.plus(duration);
  } else if (parts.length === 2) {
    const [first, second] = parts;
    const startDate = parseDateTime(first);
    if (startDate !== undefined) {
      // R/start/duration: the first occurrence is at the start.
      interval = second;
      if (parseDuration(interval) === undefined) return err(`the interval '${interval}' of '${text}' is not an ISO 8601 duration`);
      startAt = startDate;
    } else {
      // R/duration/end: occurrences end at the end; the first is one interval from now.
      interval = first;
      const duration = parseDuration(interval);
      const end = parseDateTime(second);
      if (duration === undefined || end === undefined) return err(`'${text}' is not an ISO 8601 repeating interval (e.g. R3/PT10S, R/2026-01-01T00:00:00Z/P1D)`);
      startAt = now.plus(duration);
    }
  } else {
    return err(`'${text}' is not an ISO 8601 repeating interval (e.g. R3/PT10S, R/2026-01-01T00:00:00Z/P1D)`);
  }
  return ok({ dueAt: iso(startAt), cycle: { remaining: repetitions === null ? null : repetitions - 1, interval } });
}

function parseDuration(text: string): Duration | undefined {
  const duration = Duration.fromISO(text);
  return duration.isValid && duration.as('milliseconds') > 0 ? duration : undefined;
}

/** A date-time must say its zone: a timer due at a local time would fire at a different instant on every server. */
function parseDateTime(text: string): DateTime | undefined {
  if (!/T.*(Z|[+-]\d\d(:?\d\d)?|\[[^\]]+\])$/.test(text)) return undefined;
  const zoned = /\[([^\]]+)\]$/.exec(text);
  const date = zoned === null ? DateTime.fromISO(text, { setZone: true }) : DateTime.fromISO(text.slice(0, zoned.index), { zone: zoned[1] });
  return date.isValid ? date : undefined;
}

function nextCron(expression: string, after: DateTime): DateTime | undefined {
  try {
    const parsed = CronExpressionParser.parse(expression, { currentDate: after.toJSDate(), tz: 'UTC' });
    return DateTime.fromJSDate(parsed.next().toDate(), { zone: 'utc' });
  } catch {
    return undefined;
  }
}

function iso(date: DateTime): string {
  return date.toUTC().toISO() ?? '';
}

function describeKind(kind: TimerDefinition['kind']): string {
  return kind === 'timeDate' ? 'an ISO 8601 date-time' : kind === 'timeDuration' ? 'an ISO 8601 duration' : 'an ISO 8601 repeating interval or a cron expression';
}
