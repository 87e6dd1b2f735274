/**
 * Camunda 7's REST date format, `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (`2026-01-02T10:00:00.000+0000`): what its clients parse.
 * Trellis keeps UTC ISO 8601 instants, so every date goes out at offset +0000.
 */
export function camundaDate(iso: string): string;
export function camundaDate(iso: string | undefined): string | null;
export function camundaDate(iso: string | undefined): string | null {
  if (iso === undefined) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return `${date.toISOString().slice(0, 23)}+0000`;
}

const CAMUNDA_DATE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A date as Camunda's clients send it (`2026-01-02T12:00:00.000+0200`, also with `+02:00`, `Z` or no offset, which is
 * then UTC), as a UTC ISO 8601 instant; undefined when it is none.
 */
export function parseCamundaDate(text: string): string | undefined {
  const match = CAMUNDA_DATE.exec(text);
  if (match === null) return undefined;
  const offset = match[2] === undefined || match[2] === 'Z' ? 'Z' : `${match[2].slice(0, 3)}:${match[2].slice(-2)}`;
  const date = new Date(`${match[1]}${offset}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
