import { describe, expect, it } from '@jest/globals';

import { readDmnResource } from './dmn-resource.js';

const DMN13 = 'https://www.omg.org/spec/DMN/20191111/MODEL/';

/** A DMN document in a namespace, with `body` inside its definitions. */
export const dmn = (body: string, options: { namespace?: string; id?: string; extra?: string } = {}): string => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="${options.namespace ?? DMN13}" id="${options.id ?? 'risk-rules'}" name="Risk rules" namespace="http://example.org/dmn"${options.extra ?? ''}>
${body}
</definitions>`;

const decisionTable = (id: string, name = 'Risk'): string => `  <decision id="${id}" name="${name}">
    <decisionTable id="${id}-table">
      <input id="${id}-in" label="Amount"><inputExpression id="${id}-expr" typeRef="number"><text>amount</text></inputExpression></input>
      <output id="${id}-out" name="risk" typeRef="string" />
      <rule id="${id}-r1"><inputEntry id="${id}-ie1"><text>&gt; 1000</text></inputEntry><outputEntry id="${id}-oe1"><text>"high"</text></outputEntry></rule>
    </decisionTable>
  </decision>`;

async function problemsOf(xml: string) {
  const result = await readDmnResource(xml);
  if (result.ok) throw new Error('expected the DMN resource to be refused, but it was accepted');
  return result.problems;
}

describe('DMN resources', () => {
  it('reads the decisions of a DMN 1.3 model, with the definitions they belong to', async () => {
    const result = await readDmnResource(dmn(`${decisionTable('risk')}\n${decisionTable('limit', 'Limit')}\n  <inputData id="amount" name="amount" />`));
    expect(result).toEqual({
      ok: true,
      value: {
        definitionsId: 'risk-rules',
        definitionsName: 'Risk rules',
        decisions: [
          { id: 'risk', name: 'Risk' },
          { id: 'limit', name: 'Limit' },
        ],
      },
    });
  });

  it.each([
    ['1.1', 'http://www.omg.org/spec/DMN/20151101/dmn.xsd'],
    ['1.2', 'http://www.omg.org/spec/DMN/20180521/MODEL/'],
    ['1.4', 'https://www.omg.org/spec/DMN/20211108/MODEL/'],
    ['1.5', 'https://www.omg.org/spec/DMN/20230324/MODEL/'],
  ])('reads DMN %s models too', async (_version, namespace) => {
    const result = await readDmnResource(dmn(decisionTable('risk'), { namespace }));
    expect(result).toMatchObject({ ok: true, value: { decisions: [{ id: 'risk' }] } });
  });

  it('accepts the boxed expressions DMN 1.4 added in 1.4 and 1.5 models, and refuses them in 1.3 models', async () => {
    const conditional = `  <decision id="pick" name="Pick">
    <conditional id="c"><if id="c-if"><literalExpression id="c1"><text>a &gt; 1</text></literalExpression></if>
      <then id="c-then"><literalExpression id="c2"><text>"big"</text></literalExpression></then>
      <else id="c-else"><literalExpression id="c3"><text>"small"</text></literalExpression></else></conditional>
  </decision>`;
    expect(await readDmnResource(dmn(conditional, { namespace: 'https://www.omg.org/spec/DMN/20230324/MODEL/' }))).toMatchObject({ ok: true });
    expect(await problemsOf(dmn(conditional))).toEqual([expect.objectContaining({ code: 'PARSE_WARNING', line: 4, message: expect.stringContaining('dmn:Conditional') })]);
  });

  it('reads the version tag of Camunda 7 and Camunda 8 decisions', async () => {
    const camunda = await readDmnResource(
      dmn('  <decision id="risk" name="Risk" camunda:versionTag="2024.1"><literalExpression id="e"><text>1</text></literalExpression></decision>', {
        extra: ' xmlns:camunda="http://camunda.org/schema/1.0/dmn"',
      }),
    );
    expect(camunda).toMatchObject({ ok: true, value: { decisions: [{ id: 'risk', versionTag: '2024.1' }] } });
    const zeebe = await readDmnResource(
      dmn(
        '  <decision id="risk" name="Risk"><extensionElements><zeebe:versionTag value="v3" /></extensionElements><literalExpression id="e"><text>1</text></literalExpression></decision>',
        { extra: ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"' },
      ),
    );
    expect(zeebe).toMatchObject({ ok: true, value: { decisions: [{ id: 'risk', versionTag: 'v3' }] } });
  });

  it('refuses XML that is not well-formed, with the line and column', async () => {
    expect(await problemsOf(dmn('  <decision id="risk">\n  <oops>'))).toEqual([
      expect.objectContaining({ code: 'NOT_WELL_FORMED', line: 5, column: 1, message: expect.stringContaining('not well-formed XML') }),
    ]);
    expect(await problemsOf('')).toEqual([expect.objectContaining({ code: 'NOT_WELL_FORMED' })]);
  });

  it('refuses a document that is not DMN', async () => {
    const found = await problemsOf('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" />');
    expect(found).toEqual([expect.objectContaining({ code: 'NOT_DMN', line: 1, column: 1 })]);
    expect(found[0]?.message).toContain('bpmn:definitions');
  });

  it('refuses a decision without an id, naming it and where it is', async () => {
    const found = await problemsOf(dmn(`${decisionTable('risk')}\n  <decision name="Limit"><literalExpression id="e"><text>1</text></literalExpression></decision>`));
    expect(found).toEqual([expect.objectContaining({ code: 'MISSING_ATTRIBUTE', field: 'decision/@id', line: 10, column: 3 })]);
    expect(found[0]?.message).toContain("the decision 'Limit' has no id");
  });

  it('refuses duplicate ids, unknown elements and requirements that name nothing, all at once', async () => {
    const found = await problemsOf(
      dmn(`${decisionTable('risk')}
  <decision id="risk" name="Again" />
  <decision id="limit" name="Limit">
    <informationRequirement id="needs-score"><requiredDecision href="#score" /></informationRequirement>
    <literalExpression id="limit-e"><text>1</text></literalExpression>
  </decision>
  <decisionn id="typo" />`),
    );
    expect(found.map((problem) => [problem.code, problem.elementId, problem.line])).toEqual([
      ['DUPLICATE_ID', 'risk', 10],
      ['PARSE_WARNING', undefined, 15],
      ['INVALID_REFERENCE', 'needs-score', 12],
    ]);
  });

  it('refuses a decision id that cannot name a definition', async () => {
    expect(await problemsOf(dmn('  <decision id="risk:v2" name="Risk"><literalExpression id="e"><text>1</text></literalExpression></decision>'))).toEqual([
      expect.objectContaining({ code: 'INVALID_ID', elementId: 'risk:v2', line: 3 }),
    ]);
  });

  it('accepts a model without decisions (a library of knowledge models for others to import): it defines no decision', async () => {
    expect(await readDmnResource(dmn('  <inputData id="amount" name="amount" />'))).toEqual({
      ok: true,
      value: { definitionsId: 'risk-rules', definitionsName: 'Risk rules', decisions: [] },
    });
  });
});
