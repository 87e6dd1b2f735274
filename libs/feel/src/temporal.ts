import { Decimal } from 'decimal.js';
import { IANAZone } from 'luxon';
import { DaysTimeDuration, FeelDate, FeelDateTime, FeelNumber, FeelTime, YearsMonthsDuration } from './values.js';

// Dates are counted in days from 1970-01-01 on the proleptic Gregorian calendar (H. Hinnant's civil algorithms):
// FEEL allows years from -999,999,999 to 999,999,999, far beyond JavaScript's Date.
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

export function civilFromDays(days: number): FeelDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp + (mp < 10 ? 3 : -9);
  return new FeelDate(yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day);
}

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
export const daysInMonth = (year: number, month: number): number =>
  [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];

const MAX_YEAR = 999_999_999;

export function makeDate(year: number, month: number, day: number): FeelDate | null {
  if (![year, month, day].every(Number.isInteger)) return null;
  if (Math.abs(year) > MAX_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return new FeelDate(year, month, day);
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

export function makeTime(hour: number, minute: number, second: number, nanosecond: number, offset: number | null, zone: string | null): FeelTime | null {
  if (![hour, minute, second, nanosecond].every(Number.isInteger)) return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  if (offset !== null && Math.abs(offset) > 18 * 3600) return null;
  if (zone !== null && !isValidZone(zone)) return null;
  return new FeelTime(hour, minute, second, nanosecond, offset, zone);
}

const DATE = /^(-?\d{4,9})-(\d\d)-(\d\d)$/;
const TIME = /^(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:(Z|z)|([+-])(\d\d):(\d\d)(?::(\d\d))?|@(.+))?$/;

export function parseDate(text: string): FeelDate | null {
  const match = DATE.exec(text);
  if (!match) return null;
  if (match[1].replace('-', '').length > 4 && match[1].replace('-', '').startsWith('0')) return null;
  return makeDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

export function parseTime(text: string): FeelTime | null {
  const match = TIME.exec(text);
  if (!match) return null;
  const [, hh, mm, ss, fraction, z, sign, oh, om, os, zone] = match;
  const nanos = fraction ? Number(fraction.slice(0, 9).padEnd(9, '0')) : 0;
  let offset: number | null = null;
  if (z) offset = 0;
  else if (sign) {
    offset = (Number(oh) * 3600 + Number(om) * 60 + Number(os ?? 0)) * (sign === '-' ? -1 : 1);
    if (Number(om) > 59) return null;
  }
  if (hh === '24' && mm === '00' && ss === '00' && !fraction) return makeTime(0, 0, 0, 0, offset, zone ?? null);
  return makeTime(Number(hh), Number(mm), Number(ss), nanos, offset, zone ?? null);
}

export function parseDateTime(text: string): FeelDateTime | null {
  const t = text.indexOf('T');
  if (t < 0) {
    const date = parseDate(text);
    return date ? new FeelDateTime(date, new FeelTime(0, 0, 0, 0, null, null)) : null;
  }
  const date = parseDate(text.slice(0, t));
  const rawTime = text.slice(t + 1);
  // 24:00:00 is the end of the day: the next day's midnight.
  const endOfDay = /^24:00:00(?:\.0+)?(?=$|[Zz+-@])/.test(rawTime);
  const time = parseTime(endOfDay ? '00' + rawTime.slice(2) : rawTime);
  if (!date || !time) return null;
  return new FeelDateTime(endOfDay ? civilFromDays(daysFromCivil(date.year, date.month, date.day) + 1) : date, time);
}

const DURATION = /^(-)?P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?$/;

export function parseDuration(text: string): YearsMonthsDuration | DaysTimeDuration | null {
  const match = DURATION.exec(text);
  if (!match) return null;
  const [, minus, y, mo, w, d, h, mi, s] = match;
  const sign = minus ? -1 : 1;
  if ((y !== undefined || mo !== undefined) && w === undefined && d === undefined && h === undefined && mi === undefined && s === undefined) {
    return new YearsMonthsDuration(sign * (Number(y ?? 0) * 12 + Number(mo ?? 0)) || 0);
  }
  // A duration with both parts (P1Y2D) is neither of FEEL's two kinds.
  if (y !== undefined || mo !== undefined) return null;
  const seconds = new FeelNumber(Number(w ?? 0) * 7 + Number(d ?? 0))
    .times(86400)
    .plus(Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60)
    .plus(new FeelNumber((s ?? '0').replace(/\.$/, '')));
  return new DaysTimeDuration(sign < 0 ? seconds.negated() : seconds);
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

export function formatDate(date: FeelDate): string {
  return `${date.year < 0 ? '-' : ''}${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

function formatOffset(offset: number): string {
  if (offset === 0) return 'Z';
  const abs = Math.abs(offset);
  const seconds = abs % 60;
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}${seconds ? ':' + pad(seconds) : ''}`;
}

export function formatTime(time: FeelTime): string {
  const fraction = time.nanosecond ? '.' + String(time.nanosecond).padStart(9, '0').replace(/0+$/, '') : '';
  const base = `${pad(time.hour)}:${pad(time.minute)}:${pad(time.second)}${fraction}`;
  if (time.zone !== null) return `${base}@${time.zone}`;
  return time.offset === null ? base : base + formatOffset(time.offset);
}

export function formatDateTime(value: FeelDateTime): string {
  return `${formatDate(value.date)}T${formatTime(value.time)}`;
}

export function formatYearsMonths(duration: YearsMonthsDuration): string {
  const abs = Math.abs(duration.months);
  const years = Math.floor(abs / 12);
  const months = abs % 12;
  const body = (years ? `${years}Y` : '') + (months || !years ? `${months}M` : '');
  return `${duration.months < 0 ? '-' : ''}P${body}`;
}

export function formatDaysTime(duration: DaysTimeDuration): string {
  const abs = duration.seconds.abs();
  const whole = abs.floor();
  const fraction = abs.minus(whole);
  const total = whole.toNumber();
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = fraction.plus(total % 60);
  let body = days ? `${days}D` : '';
  const time = (hours ? `${hours}H` : '') + (minutes ? `${minutes}M` : '') + (seconds.isZero() ? '' : `${seconds.toFixed()}S`);
  if (time) body += `T${time}`;
  if (!body) return 'PT0S';
  return `${duration.seconds.isNegative() && !duration.seconds.isZero() ? '-' : ''}P${body}`;
}

/** Offset in seconds of an IANA zone at a UTC instant given in seconds. */
export function zoneOffsetAt(zone: string, epochSeconds: number): number {
  return IANAZone.create(zone).offset(epochSeconds * 1000) * 60;
}

export const secondOfDay = (time: FeelTime): Decimal =>
  new FeelNumber(time.hour * 3600 + time.minute * 60 + time.second).plus(new FeelNumber(time.nanosecond).dividedBy(1e9));

export const epochDay = (date: FeelDate): number => daysFromCivil(date.year, date.month, date.day);

/** The offset a date and time has, from its offset or zone; null when it is local. */
export function offsetOf(value: FeelDateTime): number | null {
  if (value.time.offset !== null) return value.time.offset;
  if (value.time.zone === null) return null;
  const local = epochDay(value.date) * 86400 + value.time.hour * 3600 + value.time.minute * 60 + value.time.second;
  // The offset at the local time read as UTC, then corrected once: exact outside the hour around a DST switch.
  const guess = zoneOffsetAt(value.time.zone, local);
  return zoneOffsetAt(value.time.zone, local - guess);
}

/** Seconds since 1970-01-01T00:00:00Z; a local date and time counts as UTC. */
export function instantOf(value: FeelDateTime): Decimal {
  const local = new FeelNumber(epochDay(value.date)).times(86400).plus(secondOfDay(value.time));
  return local.minus(offsetOf(value) ?? 0);
}

/** A date and time from local seconds since the epoch, keeping an offset or zone. */
export function dateTimeFromLocalSeconds(localSeconds: Decimal, offset: number | null, zone: string | null): FeelDateTime {
  const days = localSeconds.dividedBy(86400).floor();
  const rest = localSeconds.minus(days.times(86400));
  const whole = rest.floor().toNumber();
  const nanos = rest.minus(whole).times(1e9).round().toNumber();
  return new FeelDateTime(
    civilFromDays(days.toNumber()),
    new FeelTime(Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60, nanos, offset, zone),
  );
}

export const localSecondsOf = (value: FeelDateTime): Decimal => new FeelNumber(epochDay(value.date)).times(86400).plus(secondOfDay(value.time));

export function timeFromSecondOfDay(seconds: Decimal, offset: number | null, zone: string | null): FeelTime {
  const wrapped = seconds.mod(86400).plus(86400).mod(86400);
  const whole = wrapped.floor().toNumber();
  const nanos = wrapped.minus(whole).times(1e9).round().toNumber();
  return new FeelTime(Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60, nanos, offset, zone);
}

/** Adds months to a date, keeping the day or the last day of a shorter month (2021-01-31 + P1M = 2021-02-28). */
export function addMonths(date: FeelDate, months: number): FeelDate | null {
  const total = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return makeDate(year, month, Math.min(date.day, daysInMonth(year, month)));
}

/** Seconds a time is from midnight UTC; a local time counts as UTC. */
export function timeValue(time: FeelTime): Decimal {
  let offset = time.offset ?? 0;
  if (time.zone !== null) offset = zoneOffsetAt(time.zone, 0);
  return secondOfDay(time).minus(offset);
}

/** ISO 8601 day of the week: 1 is Monday. */
export const isoWeekday = (date: FeelDate): number => ((((epochDay(date) + 3) % 7) + 7) % 7) + 1;

export function isoWeekOfYear(date: FeelDate): number {
  const weekday = isoWeekday(date);
  // The week belongs to the year of its Thursday.
  const thursday = civilFromDays(epochDay(date) - weekday + 4);
  const firstDay = daysFromCivil(thursday.year, 1, 1);
  return Math.floor((epochDay(thursday) - firstDay) / 7) + 1;
}
