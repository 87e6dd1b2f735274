import { describe, expect, it } from '@jest/globals';
import { firstOccurrence, nextOccurrence } from './timer-schedule.js';

const NOW = '2026-01-01T10:00:00.000Z';

describe('timer schedule', () => {
  it('a duration counts from the decision time; a date is an instant with its zone', () => {
    expect(firstOccurrence('timeDuration', 'P1DT2H', NOW)).toEqual({ ok: true, value: { dueAt: '2026-01-02T12:00:00.000Z' } });
    expect(firstOccurrence('timeDate', '2026-06-01T09:00:00+02:00', NOW)).toEqual({ ok: true, value: { dueAt: '2026-06-01T07:00:00.000Z' } });
    expect(firstOccurrence('timeDate', '2026-06-01T09:00:00[Europe/Berlin]', NOW)).toEqual({ ok: true, value: { dueAt: '2026-06-01T07:00:00.000Z' } });
  });

  it('R5/PT10S: first one interval from now, then four more', () => {
    const first = firstOccurrence('timeCycle', 'R5/PT10S', NOW);
    expect(first).toEqual({ ok: true, value: { dueAt: '2026-01-01T10:00:10.000Z', cycle: { remaining: 4, interval: 'PT10S' } } });
    let schedule = first.ok ? first.value : undefined;
    const due: string[] = [];
    while (schedule !== undefined) {
      due.push(schedule.dueAt);
      schedule = schedule.cycle === undefined ? undefined : nextOccurrence(schedule.cycle, schedule.dueAt);
    }
    expect(due).toEqual(['10:00:10', '10:00:20', '10:00:30', '10:00:40', '10:00:50'].map((time) => `2026-01-01T${time}.000Z`));
  });

  it('R/start/P1D: from the start date, every day without end', () => {
    const first = firstOccurrence('timeCycle', 'R/2026-02-01T06:00:00Z/P1D', NOW);
    expect(first).toEqual({ ok: true, value: { dueAt: '2026-02-01T06:00:00.000Z', cycle: { remaining: null, interval: 'P1D' } } });
    expect(first.ok && first.value.cycle && nextOccurrence(first.value.cycle, first.value.dueAt)).toEqual({
      dueAt: '2026-02-02T06:00:00.000Z',
      cycle: { remaining: null, interval: 'P1D' },
    });
  });

  it('cron, with or without seconds, in UTC', () => {
    expect(firstOccurrence('timeCycle', '0 0 9 * * MON-FRI', NOW)).toEqual({
      ok: true,
      value: { dueAt: '2026-01-02T09:00:00.000Z', cycle: { remaining: null, cron: '0 0 9 * * MON-FRI' } },
    });
    expect(nextOccurrence({ remaining: null, cron: '*/15 * * * *' }, '2026-01-01T10:00:00.000Z')?.dueAt).toBe('2026-01-01T10:15:00.000Z');
  });

  it('names what is wrong with a value that is not a timer', () => {
    expect(firstOccurrence('timeDuration', 42, NOW)).toEqual({ ok: false, error: 'expected an ISO 8601 duration as text, but it was 42' });
    expect(firstOccurrence('timeDuration', 'PT0S', NOW)).toMatchObject({ ok: false });
    expect(firstOccurrence('timeCycle', 'R0/PT1S', NOW)).toMatchObject({ ok: false, error: expect.stringContaining('at least 1 repetition') });
    expect(firstOccurrence('timeDate', '2026-01-01', NOW)).toMatchObject({ ok: false, error: expect.stringContaining('with a zone or offset') });
  });
});
