import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';

import { ENVIRONMENTS } from './setting.js';
import { documentSetting, normalizeDocumentText } from './setting-documentation.js';
import { trellisSettings } from './trellis.settings.js';

const repository = new URL('../../../../', import.meta.url);
const schemaKeys = Object.keys(trellisSettings).sort();

interface DocumentedRow {
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly rule: string;
  readonly environments: string;
}

/** The rows of docs/configuration.md's settings table: `| `KEY` | type | default | rule | per environment | meaning |`. */
function documentedRows(): DocumentedRow[] {
  const markdown = readFileSync(new URL('docs/configuration.md', repository), 'utf8');
  return markdown
    .split('\n')
    .filter((line) => /^\|\s*`[A-Z][A-Z0-9_]*`\s*\|/.test(line))
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).slice(1, -1).map(normalizeDocumentText);
      expect(cells).toHaveLength(6);
      const [key, type, defaultText, rule, environments] = cells;
      return { key, type, default: defaultText, rule, environments };
    });
}

describe('docs/configuration.md', () => {
  const rows = documentedRows();

  it('documents every setting of the schema once, and nothing else', () => {
    const keys = rows.map((row) => row.key);
    expect([...keys].sort()).toEqual(schemaKeys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(Object.entries(trellisSettings))('gives %s the type, default, rule and per-environment rules of the schema', (key, setting) => {
    const documented = documentSetting(setting);
    expect(rows.find((row) => row.key === key)).toEqual({
      key,
      type: documented.type,
      default: documented.default,
      rule: normalizeDocumentText(documented.rule),
      environments: normalizeDocumentText(documented.environments),
    });
  });
});

describe('.env.example', () => {
  const text = readFileSync(new URL('.env.example', repository), 'utf8');
  /** Each `# KEY=value` line with the comment lines just above it. */
  const entries = new Map<string, { readonly value: string; readonly comment: string }>();
  let comment: string[] = [];
  for (const line of text.split('\n')) {
    const assignment = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (assignment) {
      expect(entries.has(assignment[1])).toBe(false);
      entries.set(assignment[1], { value: assignment[2], comment: normalizeDocumentText(comment.join(' ')) });
      comment = [];
    } else if (line.startsWith('#')) comment.push(line.replace(/^#\s?/, ''));
    else comment = [];
  }

  it('lists every setting of the schema, and nothing else', () => {
    expect([...entries.keys()].sort()).toEqual(schemaKeys);
  });

  it.each(Object.entries(trellisSettings))('shows %s with its default, commented out, under its meaning, rule and per-environment rules', (key, setting) => {
    const entry = entries.get(key);
    expect(entry?.value).toBe(setting.default ?? '');
    expect(text).toContain(`\n# ${key}=`);
    const documented = documentSetting(setting);
    expect(entry?.comment).toContain(normalizeDocumentText(setting.meaning));
    expect(entry?.comment).toContain(normalizeDocumentText(`${documented.type}: ${documented.rule}`));
    for (const environment of ENVIRONMENTS) {
      if (setting.environments?.[environment] !== undefined) expect(entry?.comment).toContain(`In ${environment}:`);
    }
  });
});
