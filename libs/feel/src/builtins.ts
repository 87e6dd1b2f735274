import { Decimal } from 'decimal.js';
import { FeelFailure, Outcome, checkNumber, feelCompare, feelEquals, feelToString } from './semantics.js';
import {
  epochDay,
  isoWeekOfYear,
  isoWeekday,
  makeDate,
  makeTime,
  parseDate,
  parseDateTime,
  parseDuration,
  parseTime,
  secondOfDay,
} from './temporal.js';
import {
  DaysTimeDuration,
  FeelArguments,
  FeelContext,
  FeelDate,
  FeelDateTime,
  FeelFunction,
  FeelNumber,
  FeelRange,
  FeelSession,
  FeelTime,
  FeelValue,
  YearsMonthsDuration,
  isList,
  isNumber,
  typeNameOf,
} from './values.js';

type Implementation = (args: FeelValue[], session: FeelSession) => Outcome;
/** One signature of a built-in; a last parameter ending in `...` takes the remaining arguments as a list. */
interface Overload {
  readonly parameters: readonly string[];
  readonly implementation: Implementation;
}

const invalid = (message: string): FeelFailure => new FeelFailure('INVALID_ARGUMENT', message);

function pickOverload(name: string, overloads: readonly Overload[], args: FeelArguments): { overload: Overload; values: FeelValue[] } | null {
  if ('positional' in args) {
    const count = args.positional.length;
    for (const overload of overloads) {
      const variadic = overload.parameters.at(-1)?.endsWith('...') ?? false;
      if (!variadic && overload.parameters.length === count) return { overload, values: [...args.positional] };
      if (variadic && count >= overload.parameters.length - 1) {
        const fixed = overload.parameters.length - 1;
        return { overload, values: [...args.positional.slice(0, fixed), args.positional.slice(fixed)] };
      }
    }
    return null;
  }
  const keys = [...args.named.keys()];
  // The signature with exactly these names, else the shortest one that has them all (the others are null).
  const candidates = overloads
    .filter((o) => keys.every((k) => o.parameters.some((p) => p.replace('...', '') === k)))
    .sort((a, b) => a.parameters.length - b.parameters.length);
  const overload = candidates.find((o) => o.parameters.length === keys.length) ?? candidates[0];
  if (!overload) return null;
  return {
    overload,
    values: overload.parameters.map((p) => {
      const value = args.named.get(p.replace('...', '')) ?? null;
      return p.endsWith('...') && !isList(value) ? (value === null ? [] : [value]) : value;
    }),
  };
}

const SCALAR_PARAMETERS = new Set(['string', 'match', 'input', 'pattern', 'replacement', 'n', 'number', 'date', 'delimiter']);

const registry = new Map<string, FeelFunction>();

function define(name: string, ...overloads: Overload[]): void {
  const invoke = (args: FeelArguments, session: FeelSession): FeelValue => {
    const picked = pickOverload(name, overloads, args);
    if (!picked) {
      return session.warn({ code: 'INVALID_PARAMETERS', message: `No signature of '${name}' takes these parameters (${overloads.map((o) => `(${o.parameters.join(', ')})`).join(' or ')})` });
    }
    // A singleton list stands for its item where a function takes one value (upper case(["a"]) is "A").
    // And an item stands for the singleton list of it where a function takes a list (count(5) is 1).
    const values = picked.values.map((v, i) => {
      const parameter = picked.overload.parameters[i];
      if (SCALAR_PARAMETERS.has(parameter) && isList(v) && v.length === 1) return v[0];
      if (parameter === 'list' && v !== null && !isList(v)) return [v];
      return v;
    });
    const result = picked.overload.implementation(values, session);
    if (result instanceof FeelFailure) return session.warn({ code: result.code, message: `${name}: ${result.message}` });
    return result;
  };
  registry.set(name, new FeelFunction(overloads[0].parameters, invoke, name));
}

const sig = (parameters: string[], implementation: Implementation): Overload => ({ parameters, implementation });

/** The built-in function of that name (DMN 1.5 chapter 10.3.4), if any. */
export function builtinFunction(name: string): FeelFunction | undefined {
  return registry.get(name);
}

export const builtinNames = (): string[] => [...registry.keys()];

/**
 * `range(from)` reads a range from its FEEL text (`"[1..10)"`, `">= @\"2024-01-01\""`), so it needs the parser:
 * the module that owns the parser gives it here, which keeps this module free of an import cycle.
 */
export function defineRangeFunction(parseRange: (text: string) => FeelRange | null): void {
  define(
    'range',
    sig(['from'], ([from]) => {
      if (!str(from)) return typeError('from', from, 'a string');
      return parseRange(from) ?? invalid(`'${from}' is not a range of literal endpoints`);
    }),
  );
}

// ---- argument checks ----------------------------------------------------------------------------------------------

const num = (v: FeelValue): v is Decimal => isNumber(v);
const str = (v: FeelValue): v is string => typeof v === 'string';
const int = (v: FeelValue): v is Decimal => isNumber(v) && v.isInteger();
const typeError = (name: string, v: FeelValue, expected: string): FeelFailure => invalid(`'${name}' must be ${expected}, got ${typeNameOf(v)}`);

// ---- conversion ---------------------------------------------------------------------------------------------------

define(
  'date',
  sig(['from'], ([from]) => {
    if (str(from)) return parseDate(from) ?? invalid(`'${from}' is not a date`);
    if (from instanceof FeelDateTime) return from.date;
    if (from instanceof FeelDate) return from;
    return typeError('from', from, 'a string or a date and time');
  }),
  sig(['year', 'month', 'day'], ([y, m, d]) => {
    if (!int(y) || !int(m) || !int(d)) return invalid('year, month and day must be integers');
    return makeDate(y.toNumber(), m.toNumber(), d.toNumber()) ?? invalid('not a valid date');
  }),
);

define(
  'date and time',
  sig(['from'], ([from]) => {
    if (str(from)) return parseDateTime(from) ?? invalid(`'${from}' is not a date and time`);
    if (from instanceof FeelDateTime) return from;
    if (from instanceof FeelDate) return new FeelDateTime(from, new FeelTime(0, 0, 0, 0, null, null));
    return typeError('from', from, 'a string');
  }),
  sig(['date', 'time'], ([date, time]) => {
    const day = date instanceof FeelDateTime ? date.date : date;
    if (!(day instanceof FeelDate) || !(time instanceof FeelTime)) return invalid('date and time(date, time) needs a date and a time');
    return new FeelDateTime(day, time);
  }),
);

define(
  'time',
  sig(['from'], ([from]) => {
    if (str(from)) return parseTime(from) ?? invalid(`'${from}' is not a time`);
    if (from instanceof FeelDateTime) return from.time;
    if (from instanceof FeelTime) return from;
    if (from instanceof FeelDate) return new FeelTime(0, 0, 0, 0, 0, null);
    return typeError('from', from, 'a string, a date or a date and time');
  }),
  sig(['hour', 'minute', 'second', 'offset'], ([h, m, s, offset]) => {
    if (!int(h) || !int(m) || !num(s)) return invalid('hour and minute must be integers and second a number');
    if (offset !== null && !(offset instanceof DaysTimeDuration)) return typeError('offset', offset, 'a days and time duration');
    const whole = s.floor();
    const nanos = s.minus(whole).times(1e9).round().toNumber();
    return makeTime(h.toNumber(), m.toNumber(), whole.toNumber(), nanos, offset ? offset.seconds.toNumber() : null, null) ?? invalid('not a valid time');
  }),
  sig(['hour', 'minute', 'second'], ([h, m, s]) => {
    if (!int(h) || !int(m) || !num(s)) return invalid('hour and minute must be integers and second a number');
    const whole = s.floor();
    return makeTime(h.toNumber(), m.toNumber(), whole.toNumber(), s.minus(whole).times(1e9).round().toNumber(), null, null) ?? invalid('not a valid time');
  }),
);

define(
  'duration',
  sig(['from'], ([from]) => {
    if (!str(from)) return typeError('from', from, 'a string');
    return parseDuration(from) ?? invalid(`'${from}' is not a duration`);
  }),
);

define(
  'years and months duration',
  sig(['from', 'to'], ([from, to]) => {
    const a = from instanceof FeelDateTime ? from.date : from;
    const b = to instanceof FeelDateTime ? to.date : to;
    if (!(a instanceof FeelDate) || !(b instanceof FeelDate)) return invalid('from and to must be dates or dates and times');
    let months = (b.year - a.year) * 12 + (b.month - a.month);
    // Whole months only: a month that is not complete does not count.
    if (months > 0 && b.day < a.day) months--;
    if (months < 0 && b.day > a.day) months++;
    return new YearsMonthsDuration(months);
  }),
);

define(
  'number',
  sig(['from', 'grouping separator', 'decimal separator'], ([from, grouping, decimal]) => {
    if (!str(from)) return typeError('from', from, 'a string');
    if (grouping !== null && !(str(grouping) && [' ', ',', '.'].includes(grouping))) return invalid("grouping separator must be ' ', ',' or '.'");
    if (decimal !== null && !(str(decimal) && ['.', ','].includes(decimal))) return invalid("decimal separator must be '.' or ','");
    if (grouping !== null && grouping === decimal) return invalid('the separators must differ');
    let text = from;
    if (grouping !== null) text = text.split(grouping).join('');
    if (decimal !== null) text = text.split(decimal).join('.');
    return parseNumber(text) ?? invalid(`'${from}' is not a number`);
  }),
  sig(['from'], ([from]) => (str(from) ? (parseNumber(from) ?? invalid(`'${from}' is not a number`)) : typeError('from', from, 'a string'))),
);

function parseNumber(text: string): Decimal | null {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim())) return null;
  return new FeelNumber(text.trim());
}

define(
  'string',
  sig(['from'], ([from]) => (from === null ? null : feelToString(from))),
);

define(
  'context',
  sig(['entries'], ([entries]) => {
    const list = isList(entries) ? entries : [entries];
    const map = new Map<string, FeelValue>();
    for (const entry of list) {
      if (!(entry instanceof FeelContext)) return invalid('entries must be contexts with key and value');
      const key = entry.get('key') ?? null;
      if (!str(key) || !entry.entries.has('value') || map.has(key)) return invalid('each entry needs a distinct string key and a value');
      map.set(key, entry.get('value') ?? null);
    }
    return new FeelContext(map);
  }),
);

// ---- boolean ------------------------------------------------------------------------------------------------------

define(
  'not',
  sig(['negand'], ([v]) => (typeof v === 'boolean' ? !v : null)),
);
define(
  'is',
  sig(['value1', 'value2'], ([a, b]) => {
    if (a === null || b === null) return a === b;
    if (typeNameOf(a) !== typeNameOf(b)) return false;
    if (a instanceof FeelTime && b instanceof FeelTime) return a.hour === b.hour && a.minute === b.minute && a.second === b.second && a.nanosecond === b.nanosecond && a.offset === b.offset && a.zone === b.zone;
    if (a instanceof FeelDateTime && b instanceof FeelDateTime) {
      return epochDay(a.date) === epochDay(b.date) && secondOfDay(a.time).eq(secondOfDay(b.time)) && a.time.offset === b.time.offset && a.time.zone === b.time.zone;
    }
    return feelEquals(a, b) === true;
  }),
);

// ---- strings ------------------------------------------------------------------------------------------------------

// Strings count in Unicode code points, not UTF-16 units: string length("🐎") is 1.
const chars = (s: string): string[] => Array.from(s);

define(
  'substring',
  sig(['string', 'start position', 'length'], ([s, start, length]) => substring(s, start, length)),
  sig(['string', 'start position'], ([s, start]) => substring(s, start, null)),
);

function substring(s: FeelValue, start: FeelValue, length: FeelValue): Outcome {
  if (!str(s) || !num(start) || (length !== null && !num(length))) return invalid('substring(string, start position, length?) needs a string and numbers');
  const cs = chars(s);
  const first = start.trunc().toNumber();
  if (first === 0 || Math.abs(first) > cs.length + (first > 0 ? 1 : 0)) return invalid('start position out of range');
  const from = first > 0 ? first - 1 : cs.length + first;
  const count = length === null ? cs.length : length.trunc().toNumber();
  if (count < 0) return invalid('length must not be negative');
  return cs.slice(from, from + count).join('');
}

define('string length', sig(['string'], ([s]) => (str(s) ? new FeelNumber(chars(s).length) : typeError('string', s, 'a string'))));
define('upper case', sig(['string'], ([s]) => (str(s) ? s.toUpperCase() : typeError('string', s, 'a string'))));
define('lower case', sig(['string'], ([s]) => (str(s) ? s.toLowerCase() : typeError('string', s, 'a string'))));
define(
  'substring before',
  sig(['string', 'match'], ([s, m]) => {
    if (!str(s) || !str(m)) return invalid('string and match must be strings');
    const i = s.indexOf(m);
    return i < 0 ? '' : s.slice(0, i);
  }),
);
define(
  'substring after',
  sig(['string', 'match'], ([s, m]) => {
    if (!str(s) || !str(m)) return invalid('string and match must be strings');
    const i = s.indexOf(m);
    return i < 0 ? '' : s.slice(i + m.length);
  }),
);
define('contains', sig(['string', 'match'], ([s, m]) => (str(s) && str(m) ? s.includes(m) : invalid('string and match must be strings'))));
define('starts with', sig(['string', 'match'], ([s, m]) => (str(s) && str(m) ? s.startsWith(m) : invalid('string and match must be strings'))));
define('ends with', sig(['string', 'match'], ([s, m]) => (str(s) && str(m) ? s.endsWith(m) : invalid('string and match must be strings'))));

/** An XML Schema / XPath regular expression as a JavaScript one (flags s, m, i, x; `u` so that code points count). */
// Unicode blocks of XML Schema (`\p{IsBasicLatin}`), which JavaScript does not know by name.
const BLOCKS: Record<string, string> = {
  BasicLatin: '\\u0000-\\u007F',
  'Latin-1Supplement': '\\u0080-\\u00FF',
  LatinExtended: '\\u0100-\\u024F',
  Greek: '\\u0370-\\u03FF',
  Cyrillic: '\\u0400-\\u04FF',
};

/**
 * An XML Schema / XPath regular expression as a JavaScript one (flags s, m, i, x): flag x drops white space outside
 * character classes, blocks become ranges, class subtraction `[a-z-[aeiou]]` uses JavaScript's `v` mode, and `\0`
 * (no back reference in XPath) is refused. `u` or `v` mode makes code points count.
 */
function toRegExp(pattern: string, flags: FeelValue, global: boolean): RegExp | FeelFailure {
  if (flags !== null && !(str(flags) && /^[smix]*$/.test(flags))) return invalid('flags must be made of s, m, i and x');
  let source = pattern;
  if (str(flags) && flags.includes('x')) source = source.replace(/(\[(?:\\.|[^\]])*\])|\s+/g, (_all, cls: string | undefined) => cls ?? '');
  if (/(^|[^\\])(\\\\)*\\0/.test(source)) return invalid(`'${pattern}' is not a valid regular expression: \\0`);
  let unknownBlock = false;
  source = source.replace(/\\([pP])\{Is([\w-]+)\}/g, (_all, p: string, block: string) => {
    const range = BLOCKS[block];
    if (!range) unknownBlock = true;
    return p === 'p' ? `[${range}]` : `[^${range}]`;
  });
  if (unknownBlock) return invalid(`'${pattern}' uses a Unicode block that is not supported`);
  const subtraction = /\[((?:\\.|[^[\]])*)-\[((?:\\.|[^[\]])*)\]\]/g;
  const setMode = subtraction.test(source);
  if (setMode) source = source.replace(subtraction, '[[$1]--[$2]]');
  try {
    const jsFlags = (str(flags) ? flags.replace('x', '') : '') + (global ? 'g' : '') + (setMode ? 'v' : 'u');
    return new RegExp(source, jsFlags);
  } catch {
    return invalid(`'${pattern}' is not a valid regular expression`);
  }
}

define(
  'matches',
  sig(['input', 'pattern', 'flags'], ([input, pattern, flags]) => matches(input, pattern, flags)),
  sig(['input', 'pattern'], ([input, pattern]) => matches(input, pattern, null)),
);

function matches(input: FeelValue, pattern: FeelValue, flags: FeelValue): Outcome {
  if (!str(input) || !str(pattern)) return invalid('input and pattern must be strings');
  const regex = toRegExp(pattern, flags, false);
  return regex instanceof FeelFailure ? regex : regex.test(input);
}

define(
  'replace',
  sig(['input', 'pattern', 'replacement', 'flags'], ([input, pattern, replacement, flags]) => replace(input, pattern, replacement, flags)),
  sig(['input', 'pattern', 'replacement'], ([input, pattern, replacement]) => replace(input, pattern, replacement, null)),
);

function replace(input: FeelValue, pattern: FeelValue, replacement: FeelValue, flags: FeelValue): Outcome {
  if (!str(input) || !str(pattern) || !str(replacement)) return invalid('input, pattern and replacement must be strings');
  const regex = toRegExp(pattern, flags, true);
  if (regex instanceof FeelFailure) return regex;
  // XPath writes groups as $1 and the whole match as $0.
  const js = replacement.replace(/\$0/g, '$$&');
  return input.replace(regex, js);
}

define(
  'split',
  sig(['string', 'delimiter'], ([s, delimiter]) => {
    if (!str(s) || !str(delimiter)) return invalid('string and delimiter must be strings');
    const regex = toRegExp(delimiter, null, true);
    return regex instanceof FeelFailure ? regex : s.split(regex);
  }),
);

define(
  'string join',
  sig(['list', 'delimiter'], ([list, delimiter]) => stringJoin(list, delimiter)),
  sig(['list'], ([list]) => stringJoin(list, null)),
);

function stringJoin(value: FeelValue, delimiter: FeelValue): Outcome {
  // A single item stands for the list of it.
  const list = str(value) ? [value] : value;
  if (!isList(list) || (delimiter !== null && !str(delimiter))) return invalid('string join needs a list of strings and a string delimiter');
  if (!list.every((item) => item === null || str(item))) return invalid('every item must be a string');
  return list.filter(str).join(delimiter ?? '');
}

// ---- lists --------------------------------------------------------------------------------------------------------

const listOrArgs = (args: FeelValue[]): FeelValue[] | null => {
  const [rest] = args as [FeelValue[]];
  if (rest.length === 1 && isList(rest[0])) return [...rest[0]];
  if (rest.length === 0) return null;
  return rest;
};

function aggregate(name: string, compute: (items: FeelValue[]) => Outcome, emptyIsError = true): void {
  define(
    name,
    sig(['list'], ([list]) => {
      if (list === null) return invalid('list is null');
      const items = isList(list) ? [...list] : [list];
      return items.length === 0 && emptyIsError ? null : compute(items);
    }),
    sig(['c...'], (args) => {
      const items = listOrArgs(args);
      if (items === null) return invalid('no values');
      return items.length === 0 && emptyIsError ? null : compute(items);
    }),
  );
}

const numbers = (items: FeelValue[]): Decimal[] | FeelFailure => (items.every(num) ? (items as Decimal[]) : invalid('every item must be a number'));

function extreme(items: FeelValue[], sign: number): Outcome {
  let best = items[0];
  for (const item of items.slice(1)) {
    const c = feelCompare(item, best);
    if (c === null) return invalid('the items are not comparable');
    if (c * sign > 0) best = item;
  }
  if (items.length === 1 && feelCompare(best, best) === null) return invalid('the item is not comparable');
  return best;
}

aggregate('min', (items) => extreme(items, -1));
aggregate('max', (items) => extreme(items, 1));
aggregate(
  'sum',
  (items) => {
    const ns = numbers(items);
    return ns instanceof FeelFailure ? ns : checkNumber(ns.reduce((a, b) => a.plus(b), new FeelNumber(0)));
  },
);
aggregate('mean', (items) => {
  const ns = numbers(items);
  return ns instanceof FeelFailure ? ns : checkNumber(ns.reduce((a, b) => a.plus(b), new FeelNumber(0)).dividedBy(ns.length));
});
aggregate('product', (items) => {
  const ns = numbers(items);
  return ns instanceof FeelFailure ? ns : checkNumber(ns.reduce((a, b) => a.times(b), new FeelNumber(1)));
});
aggregate('median', (items) => {
  const ns = numbers(items);
  if (ns instanceof FeelFailure) return ns;
  const sorted = [...ns].sort((a, b) => a.comparedTo(b));
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : sorted[mid - 1].plus(sorted[mid]).dividedBy(2);
});
aggregate('stddev', (items) => {
  const ns = numbers(items);
  if (ns instanceof FeelFailure) return ns;
  if (ns.length < 2) return invalid('stddev needs at least two numbers');
  const mean = ns.reduce((a, b) => a.plus(b), new FeelNumber(0)).dividedBy(ns.length);
  const variance = ns.reduce((a, b) => a.plus(b.minus(mean).pow(2)), new FeelNumber(0)).dividedBy(ns.length - 1);
  return variance.sqrt();
});
aggregate(
  'mode',
  (items) => {
    const ns = numbers(items);
    if (ns instanceof FeelFailure) return ns;
    const counts = new Map<string, { value: Decimal; count: number }>();
    for (const n of ns) {
      const key = n.toString();
      const entry = counts.get(key) ?? { value: n, count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
    const top = Math.max(0, ...[...counts.values()].map((e) => e.count));
    return [...counts.values()].filter((e) => e.count === top).map((e) => e.value).sort((a, b) => a.comparedTo(b));
  },
  false,
);
aggregate(
  'all',
  (items) => {
    if (!items.every((i) => i === null || typeof i === 'boolean')) return invalid('every item must be a boolean');
    return items.includes(false) ? false : items.includes(null) ? null : true;
  },
  false,
);
aggregate(
  'any',
  (items) => {
    if (!items.every((i) => i === null || typeof i === 'boolean')) return invalid('every item must be a boolean');
    return items.includes(true) ? true : items.includes(null) ? null : false;
  },
  false,
);

const listArg = (v: FeelValue): readonly FeelValue[] | null => (isList(v) ? v : null);

define(
  'list contains',
  sig(['list', 'element'], ([list, element]) => {
    const l = listArg(list);
    if (!l) return typeError('list', list, 'a list');
    return l.some((item) => feelEquals(item, element) === true);
  }),
);
define(
  'count',
  sig(['list'], ([list]) => (isList(list) ? new FeelNumber(list.length) : typeError('list', list, 'a list'))),
);

function position(list: readonly FeelValue[], p: FeelValue): number | FeelFailure {
  if (!int(p)) return invalid('position must be an integer');
  const n = p.toNumber();
  if (n === 0 || Math.abs(n) > list.length) return invalid('position out of range');
  return n > 0 ? n - 1 : list.length + n;
}

define(
  'sublist',
  sig(['list', 'start position', 'length'], ([list, start, length]) => sublist(list, start, length)),
  sig(['list', 'start position'], ([list, start]) => sublist(list, start, null)),
);

function sublist(list: FeelValue, start: FeelValue, length: FeelValue): Outcome {
  const l = listArg(list);
  if (!l) return typeError('list', list, 'a list');
  const from = position(l, start);
  if (from instanceof FeelFailure) return from;
  if (length !== null && !int(length)) return invalid('length must be an integer');
  if (length !== null && from + length.toNumber() > l.length) return invalid('length goes beyond the list');
  return l.slice(from, length === null ? undefined : from + length.toNumber());
}

define(
  'append',
  sig(['list', 'item...'], ([list, items]) => {
    const l = listArg(list);
    return l ? [...l, ...(items as FeelValue[])] : typeError('list', list, 'a list');
  }),
);
define(
  'concatenate',
  sig(['list...'], ([lists]) => {
    const all = lists as FeelValue[];
    if (!all.every(isList)) return invalid('every argument must be a list');
    return (all as FeelValue[][]).flat(1);
  }),
);
define(
  'insert before',
  sig(['list', 'position', 'newItem'], ([list, p, item]) => {
    const l = listArg(list);
    if (!l) return typeError('list', list, 'a list');
    const at = position(l, p);
    if (at instanceof FeelFailure) return at;
    return [...l.slice(0, at), item, ...l.slice(at)];
  }),
);
define(
  'remove',
  sig(['list', 'position'], ([list, p]) => {
    const l = listArg(list);
    if (!l) return typeError('list', list, 'a list');
    const at = position(l, p);
    if (at instanceof FeelFailure) return at;
    return [...l.slice(0, at), ...l.slice(at + 1)];
  }),
);
define(
  'reverse',
  sig(['list'], ([list]) => (isList(list) ? [...list].reverse() : typeError('list', list, 'a list'))),
);
define(
  'index of',
  sig(['list', 'match'], ([list, match]) => {
    const l = listArg(list);
    if (!l) return typeError('list', list, 'a list');
    return l.flatMap((item, i) => (feelEquals(item, match) === true ? [new FeelNumber(i + 1)] : []));
  }),
);

const distinct = (items: readonly FeelValue[]): FeelValue[] => {
  const result: FeelValue[] = [];
  for (const item of items) if (!result.some((r) => feelEquals(r, item) === true)) result.push(item);
  return result;
};

define(
  'union',
  sig(['list...'], ([lists]) => {
    const all = lists as FeelValue[];
    if (!all.every(isList)) return invalid('every argument must be a list');
    return distinct((all as FeelValue[][]).flat(1));
  }),
);
define(
  'distinct values',
  sig(['list'], ([list]) => (isList(list) ? distinct(list) : typeError('list', list, 'a list'))),
);
const flatten = (items: readonly FeelValue[]): FeelValue[] => items.flatMap((item) => (isList(item) ? flatten(item) : [item]));
define(
  'flatten',
  sig(['list'], ([list]) => (isList(list) ? flatten(list) : typeError('list', list, 'a list'))),
);
define(
  'sort',
  sig(['list', 'precedes'], ([list, precedes], session) => {
    const l = listArg(list);
    if (!l) return typeError('list', list, 'a list');
    if (!(precedes instanceof FeelFunction)) return typeError('precedes', precedes, 'a function');
    let failed = false;
    const sorted = [...l].sort((a, b) => {
      if (failed) return 0;
      const ab = precedes.invoke({ positional: [a, b] }, session);
      if (typeof ab !== 'boolean') failed = true;
      if (ab === true) return -1;
      const ba = precedes.invoke({ positional: [b, a] }, session);
      return ba === true ? 1 : 0;
    });
    return failed ? invalid('precedes must give booleans') : sorted;
  }),
  sig(['list'], ([list]) => {
    const l = listArg(list);
    if (!l) return typeError('list', list, 'a list');
    let failed = false;
    const sorted = [...l].sort((a, b) => {
      const c = feelCompare(a, b);
      if (c === null) failed = true;
      return c ?? 0;
    });
    return failed && l.length > 1 ? invalid('the items are not comparable') : sorted;
  }),
);

// ---- numbers ------------------------------------------------------------------------------------------------------

function rounding(name: string, mode: Decimal.Rounding): void {
  define(
    name,
    sig(['n', 'scale'], ([n, scale]) => {
      if (!num(n) || !int(scale)) return invalid('n must be a number and scale an integer');
      const s = scale.toNumber();
      if (s < -6111 || s > 6176) return invalid('scale out of range');
      return n.toDecimalPlaces(s >= 0 ? s : 0, mode).eq(n) || s >= 0 ? n.toDecimalPlaces(s, mode) : roundNegativeScale(n, s, mode);
    }),
  );
}

function roundNegativeScale(n: Decimal, scale: number, mode: Decimal.Rounding): Decimal {
  const factor = new FeelNumber(10).pow(-scale);
  return n.dividedBy(factor).toDecimalPlaces(0, mode).times(factor);
}

rounding('round up', Decimal.ROUND_UP);
rounding('round down', Decimal.ROUND_DOWN);
rounding('round half up', Decimal.ROUND_HALF_UP);
rounding('round half down', Decimal.ROUND_HALF_DOWN);

define(
  'decimal',
  sig(['n', 'scale'], ([n, scale]) => {
    if (!num(n) || !num(scale)) return invalid('n and scale must be numbers');
    const s = scale.trunc().toNumber();
    if (s < -6111 || s > 6176) return invalid('scale out of range');
    return s >= 0 ? n.toDecimalPlaces(s, Decimal.ROUND_HALF_EVEN) : roundNegativeScale(n, s, Decimal.ROUND_HALF_EVEN);
  }),
);
for (const [name, mode] of [
  ['floor', Decimal.ROUND_FLOOR],
  ['ceiling', Decimal.ROUND_CEIL],
] as const) {
  define(
    name,
    sig(['n'], ([n]) => (num(n) ? n.toDecimalPlaces(0, mode) : typeError('n', n, 'a number'))),
    sig(['n', 'scale'], ([n, scale]) => {
      if (!num(n) || !int(scale)) return invalid('n must be a number and scale an integer');
      const s = scale.toNumber();
      if (s < -6111 || s > 6176) return invalid('scale out of range');
      return s >= 0 ? n.toDecimalPlaces(s, mode) : roundNegativeScale(n, s, mode);
    }),
  );
}
define(
  'abs',
  sig(['n'], ([n]) => {
    if (num(n)) return n.abs();
    if (n instanceof YearsMonthsDuration) return new YearsMonthsDuration(Math.abs(n.months));
    if (n instanceof DaysTimeDuration) return new DaysTimeDuration(n.seconds.abs());
    return typeError('n', n, 'a number or a duration');
  }),
);
define(
  'modulo',
  sig(['dividend', 'divisor'], ([a, b]) => {
    if (!num(a) || !num(b)) return invalid('dividend and divisor must be numbers');
    if (b.isZero()) return new FeelFailure('DIVISION_BY_ZERO', 'Division by zero');
    // The result has the divisor's sign: dividend - divisor * floor(dividend / divisor).
    return a.minus(b.times(a.dividedBy(b).floor()));
  }),
);
define(
  'sqrt',
  sig(['number'], ([n]) => {
    if (!num(n)) return typeError('number', n, 'a number');
    return n.isNegative() ? invalid('the square root of a negative number') : n.sqrt();
  }),
);
define(
  'log',
  sig(['number'], ([n]) => {
    if (!num(n)) return typeError('number', n, 'a number');
    return n.lte(0) ? invalid('the logarithm of a number that is not positive') : n.ln();
  }),
);
define(
  'exp',
  sig(['number'], ([n]) => (num(n) ? checkNumber(n.exp()) : typeError('number', n, 'a number'))),
);
define(
  'odd',
  sig(['number'], ([n]) => (num(n) ? n.isInteger() && !n.mod(2).isZero() : typeError('number', n, 'a number'))),
);
define(
  'even',
  sig(['number'], ([n]) => (num(n) ? n.isInteger() && n.mod(2).isZero() : typeError('number', n, 'a number'))),
);

// ---- dates and times ----------------------------------------------------------------------------------------------

const dateOf = (v: FeelValue): FeelDate | null => (v instanceof FeelDate ? v : v instanceof FeelDateTime ? v.date : null);
const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

define(
  'day of year',
  sig(['date'], ([d]) => {
    const date = dateOf(d);
    return date ? new FeelNumber(epochDay(date) - epochDay(new FeelDate(date.year, 1, 1)) + 1) : typeError('date', d, 'a date');
  }),
);
define(
  'day of week',
  sig(['date'], ([d]) => {
    const date = dateOf(d);
    return date ? DAY_NAMES[isoWeekday(date) - 1] : typeError('date', d, 'a date');
  }),
);
define(
  'month of year',
  sig(['date'], ([d]) => {
    const date = dateOf(d);
    return date ? MONTH_NAMES[date.month - 1] : typeError('date', d, 'a date');
  }),
);
define(
  'week of year',
  sig(['date'], ([d]) => {
    const date = dateOf(d);
    return date ? new FeelNumber(isoWeekOfYear(date)) : typeError('date', d, 'a date');
  }),
);
define(
  'now',
  sig([], (_args, session) => session.now ?? invalid('no time was given to the evaluation (option now)')),
);
define(
  'today',
  sig([], (_args, session) => session.now?.date ?? invalid('no time was given to the evaluation (option now)')),
);

// ---- contexts -----------------------------------------------------------------------------------------------------

define(
  'get value',
  sig(['m', 'key'], ([m, key]) => {
    if (!(m instanceof FeelContext) || !str(key)) return invalid('get value needs a context and a string key');
    return m.get(key) ?? null;
  }),
);
define(
  'get entries',
  sig(['m'], ([m]) => {
    if (!(m instanceof FeelContext)) return typeError('m', m, 'a context');
    return [...m.entries].map(([key, value]) => FeelContext.of({ key, value }));
  }),
);

function contextPut(context: FeelValue, keys: readonly FeelValue[], value: FeelValue): Outcome {
  if (!(context instanceof FeelContext)) return typeError('context', context, 'a context');
  if (keys.length === 0 || !keys.every(str)) return invalid('keys must be strings');
  const [first, ...rest] = keys as string[];
  const map = new Map(context.entries);
  if (rest.length === 0) map.set(first, value);
  else {
    const inner = contextPut(map.get(first) ?? null, rest, value);
    if (inner instanceof FeelFailure) return inner;
    map.set(first, inner);
  }
  return new FeelContext(map);
}

define(
  'context put',
  // By position the second argument may be a key or a list of keys; by name, `key` is one key and `keys` a list.
  sig(['context', 'keys', 'value'], ([context, keys, value]) => contextPut(context, isList(keys) ? keys : [keys], value)),
  sig(['context', 'key', 'value'], ([context, key, value]) => (str(key) ? contextPut(context, [key], value) : typeError('key', key, 'a string'))),
);
define(
  'context merge',
  sig(['contexts'], ([value]) => {
    const contexts = value instanceof FeelContext ? [value] : value;
    if (!isList(contexts) || !contexts.every((c) => c instanceof FeelContext)) return invalid('contexts must be a list of contexts');
    const map = new Map<string, FeelValue>();
    for (const c of contexts as FeelContext[]) for (const [k, v] of c.entries) map.set(k, v);
    return new FeelContext(map);
  }),
);

// ---- ranges -------------------------------------------------------------------------------------------------------

/** A point or a range as a range: a point is the closed range of itself. */
interface Span {
  readonly start: FeelValue;
  readonly end: FeelValue;
  readonly startIncluded: boolean;
  readonly endIncluded: boolean;
  readonly startUnbounded: boolean;
  readonly endUnbounded: boolean;
  readonly point: boolean;
}

const spanOf = (v: FeelValue): Span =>
  v instanceof FeelRange
    ? { ...v, point: false, startUnbounded: v.startUnbounded, endUnbounded: v.endUnbounded }
    : { start: v, end: v, startIncluded: true, endIncluded: true, startUnbounded: false, endUnbounded: false, point: true };

/** Compares two bounds; an unbounded start is below everything, an unbounded end above. */
function cmp(a: FeelValue, aInf: number, b: FeelValue, bInf: number): number {
  if (aInf || bInf) return aInf === bInf ? 0 : aInf < bInf ? -1 : 1;
  const c = feelCompare(a, b);
  if (c === null) throw new IncomparableBounds();
  return c;
}

class IncomparableBounds {}

const S = (s: Span): [FeelValue, number] => [s.start, s.startUnbounded ? -1 : 0];
const E = (s: Span): [FeelValue, number] => [s.end, s.endUnbounded ? 1 : 0];
const c2 = (x: [FeelValue, number], y: [FeelValue, number]): number => cmp(x[0], x[1], y[0], y[1]);

function rangeFunction(name: string, test: (a: Span, b: Span) => boolean, names: [string, string][]): void {
  define(
    name,
    ...names.map(([p1, p2]) =>
      sig([p1, p2], ([a, b]) => {
        if (a === null || b === null) return invalid('the arguments must not be null');
        const sa = spanOf(a);
        const sb = spanOf(b);
        if (p1.startsWith('range') !== !sa.point || p2.startsWith('range') !== !sb.point) {
          // A call by position may take points and ranges in any combination the function has.
          if (names.length === 1) return invalid(`${p1} and ${p2} have the wrong kinds`);
        }
        try {
          return test(sa, sb);
        } catch (error) {
          if (error instanceof IncomparableBounds) return invalid('the points and ranges are not comparable');
          throw error;
        }
      }),
    ),
  );
}

const before = (a: Span, b: Span): boolean => {
  const c = c2(E(a), S(b));
  return c < 0 || (c === 0 && !(a.endIncluded && b.startIncluded));
};
const includes = (a: Span, b: Span): boolean => {
  const cs = c2(S(a), S(b));
  const ce = c2(E(a), E(b));
  return (cs < 0 || (cs === 0 && (a.startIncluded || !b.startIncluded))) && (ce > 0 || (ce === 0 && (a.endIncluded || !b.endIncluded)));
};
const overlaps = (a: Span, b: Span): boolean => {
  const c1 = c2(E(a), S(b));
  const c3 = c2(S(a), E(b));
  return (c1 > 0 || (c1 === 0 && a.endIncluded && b.startIncluded)) && (c3 < 0 || (c3 === 0 && a.startIncluded && b.endIncluded));
};
const overlapsBefore = (a: Span, b: Span): boolean => {
  const ss = c2(S(a), S(b));
  const es = c2(E(a), S(b));
  const ee = c2(E(a), E(b));
  return (
    (ss < 0 || (ss === 0 && a.startIncluded && !b.startIncluded)) &&
    (es > 0 || (es === 0 && a.endIncluded && b.startIncluded)) &&
    (ee < 0 || (ee === 0 && (!a.endIncluded || b.endIncluded)))
  );
};
const finishes = (a: Span, b: Span): boolean => {
  if (a.point) return b.endIncluded && c2(E(b), S(a)) === 0;
  const ss = c2(S(a), S(b));
  return a.endIncluded === b.endIncluded && c2(E(a), E(b)) === 0 && (ss > 0 || (ss === 0 && (!a.startIncluded || b.startIncluded)));
};
const starts = (a: Span, b: Span): boolean => {
  if (a.point) return b.startIncluded && c2(S(b), S(a)) === 0;
  const ee = c2(E(a), E(b));
  return c2(S(a), S(b)) === 0 && a.startIncluded === b.startIncluded && (ee < 0 || (ee === 0 && (!a.endIncluded || b.endIncluded)));
};
const meets = (a: Span, b: Span): boolean => a.endIncluded && b.startIncluded && c2(E(a), S(b)) === 0;
const coincides = (a: Span, b: Span): boolean =>
  c2(S(a), S(b)) === 0 && c2(E(a), E(b)) === 0 && a.startIncluded === b.startIncluded && a.endIncluded === b.endIncluded;

const pointRange: [string, string][] = [
  ['point1', 'point2'],
  ['point', 'range'],
  ['range', 'point'],
  ['range1', 'range2'],
];
rangeFunction('before', before, pointRange);
rangeFunction('after', (a, b) => before(b, a), pointRange);
rangeFunction('meets', meets, [['range1', 'range2']]);
rangeFunction('met by', (a, b) => meets(b, a), [['range1', 'range2']]);
rangeFunction('overlaps', overlaps, [['range1', 'range2']]);
rangeFunction('overlaps before', overlapsBefore, [['range1', 'range2']]);
rangeFunction('overlaps after', (a, b) => overlapsBefore(b, a), [['range1', 'range2']]);
rangeFunction('finishes', finishes, [
  ['point', 'range'],
  ['range1', 'range2'],
]);
rangeFunction('finished by', (a, b) => finishes(b, a), [
  ['range', 'point'],
  ['range1', 'range2'],
]);
rangeFunction('includes', includes, [
  ['range', 'point'],
  ['range1', 'range2'],
]);
rangeFunction('during', (a, b) => includes(b, a), [
  ['point', 'range'],
  ['range1', 'range2'],
]);
rangeFunction('starts', starts, [
  ['point', 'range'],
  ['range1', 'range2'],
]);
rangeFunction('started by', (a, b) => starts(b, a), [
  ['range', 'point'],
  ['range1', 'range2'],
]);
rangeFunction('coincides', coincides, [
  ['point1', 'point2'],
  ['range1', 'range2'],
]);
