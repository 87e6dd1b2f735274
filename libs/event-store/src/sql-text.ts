/**
 * Text forms of values for PGlite's simple query protocol and for COPY. The simple protocol costs a fraction of the
 * extended one in PGlite (one round trip through the WASM backend instead of several), which is most of a small read.
 * Literals rely on `standard_conforming_strings = on`, which the embedded store sets.
 */

export type SqlValue = string | number | null | readonly string[];

export function sqlString(value: string): string {
  if (value.includes('\0')) throw new TypeError('PostgreSQL text cannot hold the character U+0000');
  return `'${value.replaceAll("'", "''")}'`;
}

export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`Not an integer: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return sqlString(value);
  return `ARRAY[${value.map(sqlString).join(',')}]::text[]`;
}

/** Replaces `$1`, `$2`... in `sql` by the literals of `params`. */
export function bindLiterals(sql: string, params: readonly SqlValue[]): string {
  return sql.replace(/\$(\d+)/g, (_, index: string) => {
    const position = Number(index) - 1;
    if (position < 0 || position >= params.length) throw new RangeError(`No parameter $${index}`);
    return sqlLiteral(params[position] as SqlValue);
  });
}

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One field of COPY's text format. */
export function copyField(value: string): string {
  if (!COPY_SPECIAL.test(value)) return value;
  return value.replace(/[\\\n\r\t]/g, (character) => COPY_ESCAPES[character] as string);
}

export const COPY_NULL = '\\N';
