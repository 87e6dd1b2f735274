import { invalidRequest } from './camunda-rest.error.js';

/** The query string of a Camunda list request as Express parses it. */
export type QueryParameters = Readonly<Record<string, unknown>>;

const invalidParameter = (name: string, value: string): Error => invalidRequest(`Cannot set query parameter '${name}' to value '${value}'`);

/** The text of a parameter (the first, when it is repeated); undefined when absent. */
export function textParam(query: QueryParameters, name: string): string | undefined {
  const value = query[name];
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof first === 'string' ? first : undefined;
}

/** `true` or `false`, as Camunda reads boolean parameters; anything else is a 400 naming the parameter. */
export function booleanParam(query: QueryParameters, name: string): boolean | undefined {
  const value = textParam(query, name);
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw invalidParameter(name, value);
}

/** A whole number of at least 0 (`version`, `firstResult`, `maxResults`). */
export function integerParam(query: QueryParameters, name: string): number | undefined {
  const value = textParam(query, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw invalidParameter(name, value);
  return Number(value);
}

/** A comma-separated list (`processInstanceIds=a,b`). */
export function listParam(query: QueryParameters, name: string): string[] | undefined {
  const value = textParam(query, name);
  return value === undefined ? undefined : value.split(',').filter((item) => item !== '');
}

/** SQL `LIKE` as Camunda's `…Like` parameters mean it: `%` any text, `_` one character. */
export function matchesLike(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  const source = [...pattern].map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 's').test(value);
}

type SortValue = string | number | null | undefined;

/**
 * The items sorted as `sortBy` and `sortOrder` say (both or neither, as Camunda requires), by the named keys only;
 * items without a value come first ascending, as SQL's NULLS FIRST in Camunda's databases mostly does.
 */
export function sortedBy<T>(items: readonly T[], query: QueryParameters, keys: Readonly<Record<string, (item: T) => SortValue>>): T[] {
  const sortBy = textParam(query, 'sortBy');
  const sortOrder = textParam(query, 'sortOrder');
  if (sortBy === undefined && sortOrder === undefined) return [...items];
  if (sortBy === undefined || sortOrder === undefined) throw invalidRequest('Only a single sorting parameter specified. sortBy and sortOrder required');
  const key = Object.hasOwn(keys, sortBy) ? keys[sortBy] : undefined;
  if (key === undefined) throw invalidParameter('sortBy', sortBy);
  if (sortOrder !== 'asc' && sortOrder !== 'desc') throw invalidParameter('sortOrder', sortOrder);
  const direction = sortOrder === 'asc' ? 1 : -1;
  const compare = (a: SortValue, b: SortValue): number => {
    if (a === b) return 0;
    if (a === null || a === undefined) return -1;
    if (b === null || b === undefined) return 1;
    return a < b ? -1 : 1;
  };
  return [...items].sort((a, b) => direction * compare(key(a), key(b)));
}

/** The page `firstResult` and `maxResults` ask for (Camunda's paging: from 0, everything by default). */
export function paged<T>(items: readonly T[], query: QueryParameters): T[] {
  const first = integerParam(query, 'firstResult') ?? 0;
  const max = integerParam(query, 'maxResults');
  return items.slice(first, max === undefined ? undefined : first + max);
}
