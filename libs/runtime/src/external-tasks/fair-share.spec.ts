import { describe, expect, it } from '@jest/globals';

import { shareOut, type WaitingRequest } from './fair-share.js';

interface Task {
  readonly id: string;
  readonly topic: string;
}

const tasks = (topic: string, count: number, from = 1): Task[] => Array.from({ length: count }, (_, index) => ({ id: `${topic}-${from + index}`, topic }));

const request = (id: string, maxTasks: number, ...topics: string[]): WaitingRequest<Task> => ({ id, maxTasks, accepts: (task) => topics.includes(task.topic) });

const ids = (shares: Map<string, Task[]>, id: string): string[] => (shares.get(id) ?? []).map((task) => task.id);

describe('shareOut: fair distribution of tasks among waiting fetch-and-lock requests', () => {
  it('splits a batch of one topic evenly between two waiting workers, in turn, oldest tasks first', () => {
    const shares = shareOut([request('a', 10, 'payment'), request('b', 10, 'payment')], tasks('payment', 6));
    expect(ids(shares, 'a')).toEqual(['payment-1', 'payment-3', 'payment-5']);
    expect(ids(shares, 'b')).toEqual(['payment-2', 'payment-4', 'payment-6']);
  });

  it('gives none more than its maxTasks, and what one does not take goes to the others', () => {
    const shares = shareOut([request('small', 1, 'payment'), request('big', 10, 'payment'), request('medium', 2, 'payment')], tasks('payment', 7));
    expect(ids(shares, 'small')).toEqual(['payment-1']);
    expect(ids(shares, 'medium')).toEqual(['payment-3', 'payment-5']);
    expect(ids(shares, 'big')).toEqual(['payment-2', 'payment-4', 'payment-6', 'payment-7']);
  });

  it('hands each task to one request only, and a task only to a request that accepts it', () => {
    const all = [...tasks('payment', 3), ...tasks('mail', 3)];
    const shares = shareOut([request('payer', 10, 'payment'), request('both', 10, 'payment', 'mail'), request('mailer', 10, 'mail')], all);
    const handedOut = [...shares.values()].flat().map((task) => task.id);
    expect(new Set(handedOut).size).toBe(handedOut.length);
    expect(handedOut.sort()).toEqual(all.map((task) => task.id).sort());
    expect((shares.get('payer') ?? []).every((task) => task.topic === 'payment')).toBe(true);
    expect((shares.get('mailer') ?? []).every((task) => task.topic === 'mail')).toBe(true);
    expect(ids(shares, 'both').length).toBeGreaterThan(0);
  });

  it('starts the round where it is told, so that the same request is not always served first', () => {
    const requests = [request('a', 1, 'payment'), request('b', 1, 'payment')];
    expect(ids(shareOut(requests, tasks('payment', 1), 0), 'a')).toEqual(['payment-1']);
    const turned = shareOut(requests, tasks('payment', 1), 1);
    expect(ids(turned, 'a')).toEqual([]);
    expect(ids(turned, 'b')).toEqual(['payment-1']);
  });

  it('shares nothing when there are no requests, no tasks, or none a request accepts', () => {
    expect(shareOut([], tasks('payment', 2)).size).toBe(0);
    expect(shareOut([request('a', 5, 'payment')], []).size).toBe(0);
    expect(shareOut([request('a', 5, 'mail')], tasks('payment', 2)).size).toBe(0);
  });

  it('keeps 2,000 tasks between two workers within one task of each other', () => {
    const shares = shareOut([request('a', 5_000, 'work'), request('b', 5_000, 'work')], tasks('work', 2_001));
    expect(ids(shares, 'a')).toHaveLength(1_001);
    expect(ids(shares, 'b')).toHaveLength(1_000);
  });
});

describe('shareOut with an order of its own (usePriority)', () => {
  interface Ranked extends Task {
    readonly priority: number;
  }
  const ranked: Ranked[] = [
    { id: 'old-low', topic: 'payment', priority: 0 },
    { id: 'mid-high', topic: 'payment', priority: 10 },
    { id: 'new-low', topic: 'payment', priority: 0 },
    { id: 'new-high', topic: 'payment', priority: 10 },
    { id: 'newest-mid', topic: 'payment', priority: 5 },
  ];
  const byPriority = (a: Ranked, b: Ranked) => b.priority - a.priority;
  const rankedRequest = (id: string, maxTasks: number, compare?: (a: Ranked, b: Ranked) => number): WaitingRequest<Ranked> => ({
    id,
    maxTasks,
    accepts: (task) => task.topic === 'payment',
    ...(compare === undefined ? {} : { compare }),
  });
  const rankedIds = (shares: Map<string, Ranked[]>, id: string): string[] => (shares.get(id) ?? []).map((task) => task.id);

  it('takes higher priorities first, and tasks of one priority in the order given (oldest first)', () => {
    const shares = shareOut([rankedRequest('a', 10, byPriority)], ranked);
    expect(rankedIds(shares, 'a')).toEqual(['mid-high', 'new-high', 'newest-mid', 'old-low', 'new-low']);
  });

  it('still shares in turn: two priority workers split the high tasks, and one without keeps the oldest first', () => {
    const both = shareOut([rankedRequest('a', 10, byPriority), rankedRequest('b', 10, byPriority)], ranked);
    expect(rankedIds(both, 'a')).toEqual(['mid-high', 'newest-mid', 'new-low']);
    expect(rankedIds(both, 'b')).toEqual(['new-high', 'old-low']);

    const mixed = shareOut([rankedRequest('plain', 2), rankedRequest('priority', 2, byPriority)], ranked);
    expect(rankedIds(mixed, 'plain')).toEqual(['old-low', 'new-low']);
    expect(rankedIds(mixed, 'priority')).toEqual(['mid-high', 'new-high']);
  });
});
