import { describe, expect, it } from '@jest/globals';

import { CamundaRestException } from './camunda-rest.error.js';
import { booleanParam, listParam, matchesLike, paged, sortedBy } from './list-query.js';

const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof CamundaRestException) return error.body.message;
    throw error;
  }
  throw new Error('expected a CamundaRestException');
};

const items = [
  { key: 'b', version: 2 },
  { key: 'a', version: 3 },
  { key: 'c', version: 1 },
];
const keys = { key: (item: (typeof items)[number]) => item.key, version: (item: (typeof items)[number]) => item.version };

describe('Camunda list parameters', () => {
  it('sorts by a known key in either order, and keeps the order without sortBy', () => {
    expect(sortedBy(items, { sortBy: 'key', sortOrder: 'asc' }, keys).map((item) => item.key)).toEqual(['a', 'b', 'c']);
    expect(sortedBy(items, { sortBy: 'version', sortOrder: 'desc' }, keys).map((item) => item.version)).toEqual([3, 2, 1]);
    expect(sortedBy(items, {}, keys)).toEqual(items);
  });

  it('refuses half a sorting, an unknown key or order with Camunda\'s messages', () => {
    expect(messageOf(() => sortedBy(items, { sortBy: 'key' }, keys))).toBe('Only a single sorting parameter specified. sortBy and sortOrder required');
    expect(messageOf(() => sortedBy(items, { sortBy: 'colour', sortOrder: 'asc' }, keys))).toBe("Cannot set query parameter 'sortBy' to value 'colour'");
    expect(messageOf(() => sortedBy(items, { sortBy: 'key', sortOrder: 'up' }, keys))).toBe("Cannot set query parameter 'sortOrder' to value 'up'");
  });

  it('pages from firstResult, maxResults at most, and refuses what is no count', () => {
    expect(paged(items, { firstResult: '1', maxResults: '1' })).toEqual([items[1]]);
    expect(paged(items, { firstResult: '2' })).toEqual([items[2]]);
    expect(messageOf(() => paged(items, { maxResults: '-1' }))).toBe("Cannot set query parameter 'maxResults' to value '-1'");
  });

  it('reads booleans, lists and LIKE patterns', () => {
    expect(booleanParam({ latestVersion: 'true' }, 'latestVersion')).toBe(true);
    expect(booleanParam({}, 'latestVersion')).toBeUndefined();
    expect(messageOf(() => booleanParam({ active: 'yes' }, 'active'))).toBe("Cannot set query parameter 'active' to value 'yes'");
    expect(listParam({ processInstanceIds: 'a,b' }, 'processInstanceIds')).toEqual(['a', 'b']);
    expect(matchesLike('order%', 'order-process')).toBe(true);
    expect(matchesLike('%der_p%', 'order-process')).toBe(true);
    expect(matchesLike('order.', 'order-')).toBe(false);
    expect(matchesLike('order%', undefined)).toBe(false);
  });
});
