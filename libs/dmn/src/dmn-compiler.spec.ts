import { describe, expect, it } from '@jest/globals';
import { compileDmn, decisionsOf, evaluateDecision } from './index.js';

const DMN13 = 'https://www.omg.org/spec/DMN/20191111/MODEL/';

const definitions = (body: string, namespace = 'urn:trellis:test', dmn = DMN13): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="${dmn}" id="defs" name="Test" namespace="${namespace}">\n${body}\n</definitions>`;

const discountTable = (hitPolicy: string, cell: string, extraRequirement = ''): string =>
  definitions(`  <inputData id="total" name="Order Total"><variable name="Order Total" typeRef="number"/></inputData>
  <decision id="discount" name="Discount">
    <variable name="Discount" typeRef="number"/>
    <informationRequirement id="req1"><requiredInput href="#total"/></informationRequirement>${extraRequirement}
    <decisionTable id="table" hitPolicy="${hitPolicy}">
      <input id="input1"><inputExpression typeRef="number"><text>Order Total</text></inputExpression></input>
      <output id="output1" name="discount"/>
      <rule id="big"><inputEntry id="big-in"><text>&gt;= 100</text></inputEntry><outputEntry id="big-out"><text>0.1</text></outputEntry></rule>
      <rule id="small"><inputEntry id="small-in"><text>${cell}</text></inputEntry><outputEntry id="small-out"><text>0</text></outputEntry></rule>
    </decisionTable>
  </decision>`);

describe('compileDmn', () => {
  it('compiles a valid model, whose decisions are listed for a catalogue', () => {
    const compiled = compileDmn(discountTable('UNIQUE', '&lt; 100'));
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(decisionsOf(compiled.model)).toEqual([
      { id: 'discount', name: 'Discount', kind: 'decision', typeRef: 'number', inputs: ['Order Total'], requiredDecisions: [], logic: 'decisionTable' },
    ]);
  });

  it('lists every problem of a model, each with its element id, field and line', () => {
    const xml = discountTable('SOMETIMES', '&lt; 100 +* 2', '\n    <informationRequirement id="req2"><requiredDecision href="#nowhere"/></informationRequirement>');
    const compiled = compileDmn(xml);
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    const lineOf = (text: string): number => xml.split('\n').findIndex((l) => l.includes(text)) + 1;
    expect(compiled.problems).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_REFERENCE', elementId: 'discount', field: 'requiredDecision', line: lineOf('<decision id="discount"') }),
      expect.objectContaining({ code: 'UNKNOWN_HIT_POLICY', elementId: 'table', field: 'hitPolicy', line: lineOf('<decisionTable') }),
      expect.objectContaining({ code: 'FEEL_SYNTAX_ERROR', elementId: 'small-in', element: 'inputEntry', field: 'text', line: lineOf('small-in') }),
    ]);
    expect(compiled.problems[0].message).toContain('#nowhere');
    expect(compiled.problems[2].message).toContain('< 100 +* 2');
  });

  it('reports XML that is not well-formed with its line', () => {
    const compiled = compileDmn(definitions('  <decision id="d" name="D">\n    <literalExpression><text>1</text></literalExpression>\n  </decisoin>'));
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.problems[0]).toEqual(expect.objectContaining({ code: 'XML_NOT_WELL_FORMED', line: 5 }));
    expect(compiled.problems[0].message).toContain('</decisoin>');
  });

  it('refuses XML that is not DMN', () => {
    const compiled = compileDmn('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="x"/>');
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.problems).toEqual([expect.objectContaining({ code: 'NOT_DMN', elementId: 'x', line: 1 })]);
  });

  it('reports a FEEL syntax error in a literal expression, an unknown aggregation and a rule of the wrong shape', () => {
    const compiled = compileDmn(
      definitions(`  <decision id="lit" name="Lit"><literalExpression id="expr"><text>1 + + </text></literalExpression></decision>
  <decision id="sum" name="Sum">
    <decisionTable id="collect" hitPolicy="COLLECT" aggregation="AVERAGE">
      <input id="i"><inputExpression><text>1</text></inputExpression></input>
      <output id="o"/>
      <rule id="short"><outputEntry id="out"><text>1</text></outputEntry></rule>
    </decisionTable>
  </decision>`),
    );
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.problems.map((p) => [p.code, p.elementId])).toEqual([
      ['FEEL_SYNTAX_ERROR', 'expr'],
      ['UNKNOWN_AGGREGATION', 'collect'],
      ['TABLE_SHAPE', 'short'],
    ]);
  });

  it('reports a duplicate id and an import that was not given', () => {
    const compiled = compileDmn(
      definitions(`  <import namespace="urn:elsewhere" name="other" importType="${DMN13}"/>
  <inputData id="same" name="A"/>
  <decision id="same" name="B"><literalExpression><text>1</text></literalExpression></decision>`),
    );
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.problems.map((p) => [p.code, p.element, p.field])).toEqual([
      ['IMPORT_NOT_FOUND', 'import', 'namespace'],
      ['DUPLICATE_ID', 'decision', 'id'],
    ]);
  });

  it('reads DMN 1.1 models and resolves imports given beside the model', () => {
    const imported = definitions(
      `  <businessKnowledgeModel id="greet" name="Greet">
    <encapsulatedLogic><formalParameter name="who" typeRef="string"/><literalExpression><text>"Hello " + who</text></literalExpression></encapsulatedLogic>
  </businessKnowledgeModel>`,
      'urn:greetings',
      'http://www.omg.org/spec/DMN/20151101/dmn.xsd',
    );
    const main = definitions(`  <import namespace="urn:greetings" name="greetings" importType="${DMN13}"/>
  <inputData id="name" name="Name"><variable name="Name" typeRef="string"/></inputData>
  <decision id="greeting" name="Greeting">
    <informationRequirement><requiredInput href="#name"/></informationRequirement>
    <knowledgeRequirement><requiredKnowledge href="urn:greetings#greet"/></knowledgeRequirement>
    <literalExpression><text>greetings.Greet(Name)</text></literalExpression>
  </decision>`);
    const compiled = compileDmn(main, { imports: [{ xml: imported }] });
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(evaluateDecision(compiled.model, 'greeting', { Name: 'Ada' }).output).toBe('Hello Ada');
  });

  it('lists the problems of an imported model with its namespace', () => {
    const imported = definitions('  <decision id="d" name="D"><literalExpression id="bad"><text>)(</text></literalExpression></decision>', 'urn:broken');
    const compiled = compileDmn(definitions(`  <import namespace="urn:broken" name="b" importType="${DMN13}"/>`), { imports: [{ xml: imported }] });
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.problems).toEqual([expect.objectContaining({ code: 'FEEL_SYNTAX_ERROR', elementId: 'bad', namespace: 'urn:broken' })]);
  });
});

describe('compileDmn, more', () => {
  it('reports decisions that require each other in a cycle', () => {
    const compiled = compileDmn(
      definitions(`  <decision id="a" name="A"><informationRequirement><requiredDecision href="#b"/></informationRequirement><literalExpression><text>B</text></literalExpression></decision>
  <decision id="b" name="B"><informationRequirement><requiredDecision href="#a"/></informationRequirement><literalExpression><text>A</text></literalExpression></decision>`),
    );
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.problems).toEqual([expect.objectContaining({ code: 'REQUIREMENT_CYCLE', elementId: 'a', message: expect.stringContaining('A -> B -> A') })]);
  });

  it('imports a model compiled before', () => {
    const library = compileDmn(definitions('  <decision id="rate" name="Rate"><literalExpression><text>0.05</text></literalExpression></decision>', 'urn:rates'));
    expect(library.ok).toBe(true);
    if (!library.ok) return;
    const compiled = compileDmn(
      definitions(`  <import namespace="urn:rates" name="rates" importType="${DMN13}"/>
  <decision id="interest" name="Interest">
    <informationRequirement><requiredDecision href="urn:rates#rate"/></informationRequirement>
    <literalExpression><text>1000 * rates.Rate</text></literalExpression>
  </decision>`),
      { imports: [{ model: library.model }] },
    );
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(evaluateDecision(compiled.model, 'interest', {}).output).toBe(50);
  });
});
