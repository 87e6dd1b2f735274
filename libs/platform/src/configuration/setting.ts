import { resolve } from 'node:path';

/** The environments a service can run in, chosen by `TRELLIS_ENV` (or `NODE_ENV`). */
export const ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** A raw value's fate: its typed value, or refused (the setting's `rule` then says what was expected). */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

/** How a setting differs in one environment. */
export interface EnvironmentRule<T> {
  /** Default in this environment instead of the setting's own, written as an operator would write it. */
  readonly default?: string;
  /** No default in this environment: the operator must set it. */
  readonly required?: boolean;
  /** A value this environment refuses although the rule allows it elsewhere (the wildcard origin in production). */
  readonly forbid?: { readonly rule: string; test(value: T): boolean };
}

/**
 * One configuration setting, as data: read from the environment variable of the same name. Defaults are written as
 * raw text and parsed like any other value, so a default always obeys its rule and reads the same in the docs.
 */
export interface Setting<T> {
  /** Shown in docs/configuration.md: integer, string, enum, url, list or path. */
  readonly type: 'integer' | 'string' | 'enum' | 'url' | 'list' | 'path';
  /** What a valid value looks like; the error message says `expected <rule>`. */
  readonly rule: string;
  /** One sentence for `.env.example` and docs. */
  readonly meaning: string;
  /** Raw default; absent: the setting is optional and its value is `undefined` when unset. */
  readonly default?: string;
  /** Another variable read when this one is unset (TRELLIS_ENV falls back on NODE_ENV). */
  readonly fallback?: string;
  readonly environments?: Partial<Record<Environment, EnvironmentRule<T>>>;
  /** Required, with no default, when another setting has a given value. */
  readonly requiredWhen?: { readonly key: string; readonly equals: string };
  /** An integer that must stay below another integer setting of the same schema (a heartbeat below its session timeout). */
  readonly lessThan?: string;
  parse(raw: string): Parsed<T>;
}

/** Settings by environment variable name. */
export type SettingsSchema = Readonly<Record<string, Setting<unknown>>>;

/** The typed values of a schema's settings. */
export type SettingsOf<S extends SettingsSchema> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

interface Described<T> {
  readonly meaning: string;
  readonly default?: string;
  readonly environments?: Partial<Record<Environment, EnvironmentRule<T>>>;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const refused: Parsed<never> = { ok: false };

export function integer(
  options: Described<number> & { readonly default: string; readonly min: number; readonly max: number; readonly unit?: string; readonly lessThan?: string },
): Setting<number> {
  const { min, max, unit, ...described } = options;
  return {
    type: 'integer',
    rule: `a whole number from ${min} to ${max}${unit === undefined ? '' : ` (${unit})`}`,
    ...described,
    parse(raw) {
      const value = Number(raw);
      return /^\d+$/.test(raw) && Number.isSafeInteger(value) && value >= min && value <= max ? ok(value) : refused;
    },
  };
}

export function oneOf<const V extends string>(values: readonly V[], options: Described<V> & { readonly default?: string; readonly fallback?: string }): Setting<V> {
  return {
    type: 'enum',
    rule: `one of ${values.join(', ')}`,
    ...options,
    parse: (raw) => (values.includes(raw as V) ? ok(raw as V) : refused),
  };
}

export function text(options: Described<string> & { readonly default: string; readonly rule: string; readonly pattern: RegExp }): Setting<string> {
  const { pattern, ...described } = options;
  return { type: 'string', ...described, parse: (raw) => (pattern.test(raw) ? ok(raw) : refused) };
}

/** A directory or file, made absolute against the working directory. */
export function path(options: Described<string> & { readonly default: string }): Setting<string> {
  return { type: 'path', rule: 'a file-system path, relative to the working directory or absolute', ...options, parse: (raw) => ok(resolve(raw)) };
}

/** A URL whose scheme is one of `protocols` (without `://`), with a host. */
export function url(options: Described<string> & { readonly default: string; readonly protocols: readonly string[] }): Setting<string> {
  const { protocols, ...described } = options;
  return { ...urlRule(protocols), ...described };
}

/** An optional URL: `undefined` when unset, unless `requiredWhen` holds. */
export function optionalUrl(
  options: Described<string | undefined> & { readonly protocols: readonly string[]; readonly requiredWhen?: Setting<unknown>['requiredWhen'] },
): Setting<string | undefined> {
  const { protocols, ...described } = options;
  return { ...urlRule(protocols), ...described };
}

function urlRule(protocols: readonly string[]): Pick<Setting<string>, 'type' | 'rule' | 'parse'> {
  const escaped = protocols.map((protocol) => protocol.replace(/[+.]/g, '\\$&'));
  // Scheme and a non-empty authority; not WHATWG URL parsing, which refuses the multi-host lists of EventStoreDB.
  const pattern = new RegExp(`^(?:${escaped.join('|')})://[^\\s/?#]+(?:[/?#]\\S*)?$`);
  const schemes = protocols.map((protocol) => `${protocol}://`);
  return {
    type: 'url',
    rule: `a URL starting with ${schemes.length > 1 ? `${schemes.slice(0, -1).join(', ')} or ${schemes.at(-1)}` : schemes[0]}`,
    parse: (raw) => (pattern.test(raw) ? ok(raw) : refused),
  };
}

/** Comma-separated `host:port` pairs (a Kafka bootstrap list). */
export function hostPortList(options: Described<readonly string[]> & { readonly default: string }): Setting<readonly string[]> {
  const hostPort = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
  return {
    type: 'list',
    rule: 'comma-separated host:port pairs',
    ...options,
    parse(raw) {
      const items = splitList(raw);
      const valid = items.every((item) => {
        const port = Number(hostPort.exec(item)?.[1] ?? 0);
        return port > 0 && port <= 65_535;
      });
      return items.length > 0 && valid ? ok(items) : refused;
    },
  };
}

/** Which browser origins may call the API: any (`*`), none, or a list. */
export type CorsOrigins = '*' | readonly string[];

/** `*`, `none`, or comma-separated origins such as `https://tasks.example.com` (scheme, host, optional port). */
export function corsOrigins(options: Described<CorsOrigins> & { readonly default: string }): Setting<CorsOrigins> {
  return {
    type: 'list',
    rule: '* (any origin), none, or comma-separated origins (scheme://host[:port])',
    ...options,
    parse(raw) {
      if (raw === '*') return ok('*');
      if (raw === 'none') return ok([]);
      const items = splitList(raw);
      return items.length > 0 && items.every(isOrigin) ? ok(items) : refused;
    },
  };
}

function isOrigin(value: string): boolean {
  try {
    const parsed = new URL(value);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === value;
  } catch {
    return false;
  }
}

function splitList(raw: string): string[] {
  return raw.split(',').map((item) => item.trim());
}
