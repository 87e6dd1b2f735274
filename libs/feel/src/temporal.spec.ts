import { describe, expect, it } from '@jest/globals';
import { feel } from './testing/feel-test-helpers.js';

describe('FEEL dates, times and durations', () => {
  it('builds temporal values from strings, parts and @ literals', () => {
    expect(feel('date("2024-02-29")')).toBe('2024-02-29');
    expect(feel('date(2024, 2, 29)')).toBe('2024-02-29');
    expect(feel('date("2023-02-29")')).toBeNull();
    expect(feel('time(10, 30, 15.5, duration("PT2H"))')).toBe('10:30:15.5+02:00');
    expect(feel('@"2024-05-01T10:15:30Z"')).toBe('2024-05-01T10:15:30Z');
    expect(feel('@"2024-05-01T10:15:30@Europe/Paris".time offset')).toBe('PT2H');
    expect(feel('date and time(date("2024-05-01"), time("10:00:00"))')).toBe('2024-05-01T10:00:00');
  });

  it('handles years beyond 9999 and before year 1', () => {
    expect(feel('date("999999999-12-31") - date("999999999-12-30")')).toBe('P1D');
    expect(feel('date("-0001-01-01").year')).toBe('-1');
  });

  it('adds and subtracts durations as the calendar does', () => {
    expect(feel('date("2021-01-31") + duration("P1M")')).toBe('2021-02-28');
    expect(feel('date("2024-01-01") + duration("P1D")')).toBe('2024-01-02');
    expect(feel('date and time("2024-01-01T23:00:00Z") + duration("PT2H")')).toBe('2024-01-02T01:00:00Z');
    expect(feel('time("23:00:00") + duration("PT2H")')).toBe('01:00:00');
    // In a zone a duration moves the instant: 02:30 does not exist on the night clocks go forward in Paris.
    expect(feel('@"2024-03-31T01:30:00@Europe/Paris" + duration("PT1H")')).toBe('2024-03-31T03:30:00@Europe/Paris');
    expect(feel('date("2024-03-01") - date("2024-02-01")')).toBe('P29D');
    expect(feel('years and months duration(date("2011-12-22"), date("2013-08-24"))')).toBe('P1Y8M');
  });

  it('compares instants across offsets, and not local with zoned values', () => {
    expect(feel('@"2024-01-01T10:00:00+01:00" = @"2024-01-01T09:00:00Z"')).toBe('true');
    expect(feel('@"2024-01-01T10:00:00" = @"2024-01-01T10:00:00Z"')).toBeNull();
    expect(feel('date("2024-01-01") < date("2024-01-02")')).toBe('true');
  });

  it('computes with both kinds of duration', () => {
    expect(feel('duration("P1Y") + duration("P2M")')).toBe('P1Y2M');
    expect(feel('duration("PT36H")')).toBe('P1DT12H');
    expect(feel('duration("P2D") / duration("P1D")')).toBe('2');
    expect(feel('duration("P1D") * 1.5')).toBe('P1DT12H');
    expect(feel('duration("P1Y") + duration("P1D")')).toBeNull();
  });

  it('reads the properties of temporal values and durations', () => {
    expect(feel('date("2024-05-01").weekday')).toBe('3');
    expect(feel('@"10:20:30".minute')).toBe('20');
    expect(feel('duration("P1DT2H").hours')).toBe('2');
    expect(feel('duration("P14M").years')).toBe('1');
  });

  it('has the calendar functions of the spec', () => {
    expect(feel('day of week(date("2024-05-01"))')).toBe('"Wednesday"');
    expect(feel('month of year(date("2024-05-01"))')).toBe('"May"');
    expect(feel('day of year(date("2024-02-01"))')).toBe('32');
    expect(feel('week of year(date("2021-01-03"))')).toBe('53');
  });

  it('takes now() and today() from the evaluation, never from the machine clock', () => {
    expect(feel('now()', {}, '2024-05-01T10:00:00Z')).toBe('2024-05-01T10:00:00Z');
    expect(feel('today()', {}, '2024-05-01T10:00:00Z')).toBe('2024-05-01');
    expect(feel('now()')).toBeNull();
  });
});
