import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { readDmnResource } from './dmn-resource.js';

// The models of the DMN TCK (github.com/dmn-tck/tck), DMN 1.5 as published by the vendors who pass it. A deployment
// accepts every one of them, and yields their decisions, except those with decisions that have no id: DMN makes the id
// optional (FEEL names a decision by its name), but a deployment versions decisions by id and business rule tasks
// call them by id, as in Camunda. Those are refused, and say why.
const folder = fileURLToPath(new URL('../../../../../shared/conformance/dmn-tck/', import.meta.url));
const models = readdirSync(folder, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.dmn'))
  .sort();

describe('the DMN TCK models', () => {
  it('are found', () => {
    expect(models.length).toBeGreaterThan(100);
  });

  it.each(models)('%s is accepted with its decisions, or refused for a decision without id', async (file) => {
    const xml = readFileSync(`${folder}${file}`, 'utf8');
    const decisionTags = [...xml.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<(?:[\w.-]+:)?decision(?=[\s>/])([^>]*)>/g)];
    const withoutId = decisionTags.filter((tag) => !/\bid\s*=/.test(tag[1] ?? '')).length;
    const result = await readDmnResource(xml);
    if (withoutId === 0) {
      expect(result).toEqual({ ok: true, value: expect.objectContaining({ decisions: expect.any(Array) }) });
      if (result.ok) expect(result.value.decisions).toHaveLength(decisionTags.length);
    } else {
      expect(result).toEqual({ ok: false, problems: expect.any(Array) });
      if (!result.ok) {
        expect(result.problems).toHaveLength(withoutId);
        for (const problem of result.problems) expect(problem).toMatchObject({ code: 'MISSING_ATTRIBUTE', field: 'decision/@id', line: expect.any(Number) });
      }
    }
  });
});
