import { isoWeekday, offsetOf, parseDate, parseDateTime, parseDuration, parseTime } from './temporal.js';
import { DaysTimeDuration, FeelDate, FeelDateTime, FeelNumber, FeelRange, FeelTime, FeelValue, YearsMonthsDuration } from './values.js';

/** `@"..."`: a date, a time, a date and time or a duration, told apart by their form. */
export function parseTemporalLiteral(text: string): FeelValue {
  if (/^-?P/.test(text)) return parseDuration(text);
  if (text.includes('T')) return parseDateTime(text);
  if (/^\d\d:/.test(text)) return parseTime(text);
  return parseDate(text);
}

const durationOfOffset = (offset: number | null): FeelValue => (offset === null ? null : new DaysTimeDuration(new FeelNumber(offset)));

function timeProperty(time: FeelTime, name: string, offset: number | null): FeelValue | undefined {
  switch (name) {
    case 'hour':
      return new FeelNumber(time.hour);
    case 'minute':
      return new FeelNumber(time.minute);
    case 'second':
      return new FeelNumber(time.second).plus(new FeelNumber(time.nanosecond).dividedBy(1e9));
    case 'time offset':
      return durationOfOffset(offset);
    case 'timezone':
      return time.zone;
    default:
      return undefined;
  }
}

function dateProperty(date: FeelDate, name: string): FeelValue | undefined {
  switch (name) {
    case 'year':
      return new FeelNumber(date.year);
    case 'month':
      return new FeelNumber(date.month);
    case 'day':
      return new FeelNumber(date.day);
    case 'weekday':
      return new FeelNumber(isoWeekday(date));
    default:
      return undefined;
  }
}

/** The properties of temporal values, durations and ranges (`d.year`, `t.time offset`, `r.start included`). */
export function dateTimeProperty(value: FeelValue, name: string): FeelValue | undefined {
  if (value instanceof FeelDate) return dateProperty(value, name);
  if (value instanceof FeelTime) return timeProperty(value, name, value.offset);
  if (value instanceof FeelDateTime) return dateProperty(value.date, name) ?? timeProperty(value.time, name, value.time.zone ? offsetOf(value) : value.time.offset);
  if (value instanceof YearsMonthsDuration) {
    const sign = value.months < 0 ? -1 : 1;
    if (name === 'years') return new FeelNumber(sign * Math.floor(Math.abs(value.months) / 12));
    if (name === 'months') return new FeelNumber(sign * (Math.abs(value.months) % 12));
    if (['days', 'hours', 'minutes', 'seconds'].includes(name)) return null;
  }
  if (value instanceof DaysTimeDuration) {
    const abs = value.seconds.abs();
    const sign = value.seconds.isNegative() ? -1 : 1;
    const whole = abs.floor().toNumber();
    switch (name) {
      case 'days':
        return new FeelNumber(sign * Math.floor(whole / 86400));
      case 'hours':
        return new FeelNumber(sign * Math.floor((whole % 86400) / 3600));
      case 'minutes':
        return new FeelNumber(sign * Math.floor((whole % 3600) / 60));
      case 'seconds':
        return new FeelNumber(whole % 60).plus(abs.minus(whole)).times(sign);
      case 'years':
      case 'months':
        return null;
    }
  }
  if (value instanceof FeelRange) {
    switch (name) {
      case 'start':
        return value.start;
      case 'end':
        return value.end;
      case 'start included':
        return value.startIncluded;
      case 'end included':
        return value.endIncluded;
    }
  }
  return undefined;
}
