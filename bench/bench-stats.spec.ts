import { describe, expect, it } from '@jest/globals';
import { latencySummary, percentile } from './bench-stats.js';

describe('percentile (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('gives the value with that share of the sample at or below it', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 95)).toBe(95);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
  });

  it('rounds the rank up, never reporting a value below the share asked for', () => {
    // 10 values: p95 needs 9.5 of them at or below it, so the 10th; p50 needs 5, so the 5th.
    const tens = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(tens, 95)).toBe(100);
    expect(percentile(tens, 50)).toBe(50);
    expect(percentile(tens, 51)).toBe(60);
  });

  it('answers the only value of a one-value sample, and 0 for an empty one', () => {
    expect(percentile([7.5], 99)).toBe(7.5);
    expect(percentile([], 99)).toBe(0);
  });
});

describe('latencySummary', () => {
  it('sorts a shuffled sample and reports p50, p95, p99 and the maximum', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000); // 0..999, each once, out of order
    const copy = [...values];
    expect(latencySummary(values)).toEqual({ count: 1000, p50: 499, p95: 949, p99: 989, max: 999 });
    expect(values).toEqual(copy);
  });

  it('sees a single slow outlier only in the maximum of a large sample', () => {
    const values = [...Array.from({ length: 999 }, () => 2), 500];
    expect(latencySummary(values)).toEqual({ count: 1000, p50: 2, p95: 2, p99: 2, max: 500 });
  });

  it('reports zeros for an empty sample', () => {
    expect(latencySummary([])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});
