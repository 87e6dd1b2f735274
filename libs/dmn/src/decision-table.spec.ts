import { describe, expect, it } from '@jest/globals';
import { compileDmn, evaluateDecision, type DmnModel } from './index.js';

// A table of the applicant's risk by age, whose rules overlap on purpose: 18-25 matches "young" and "adult".

const model = (hitPolicy: string, options: { aggregation?: string; outputValues?: string; inputValues?: string; defaultOutput?: string; outputs?: number } = {}): DmnModel => {
  const twoOutputs = options.outputs === 2;
  const rule = (id: string, test: string, risk: string, score: number): string =>
    `<rule id="${id}"><inputEntry><text>${test}</text></inputEntry><outputEntry><text>${options.aggregation ? score : `"${risk}"`}</text></outputEntry>${
      twoOutputs ? `<outputEntry><text>${score}</text></outputEntry>` : ''
    }</rule>`;
  const xml = `<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="Risk" namespace="urn:risk">
  <inputData id="age" name="Applicant Age"><variable name="Applicant Age" typeRef="number"/></inputData>
  <decision id="risk" name="Risk">
    <informationRequirement><requiredInput href="#age"/></informationRequirement>
    <decisionTable id="risk-table" hitPolicy="${hitPolicy}"${options.aggregation ? ` aggregation="${options.aggregation}"` : ''}>
      <input id="age-input"><inputExpression typeRef="number"><text>Applicant Age</text></inputExpression>${
        options.inputValues ? `<inputValues><text>${options.inputValues}</text></inputValues>` : ''
      }</input>
      <output id="risk-output" name="${twoOutputs ? 'level' : ''}">${options.outputValues ? `<outputValues><text>${options.outputValues}</text></outputValues>` : ''}${
        options.defaultOutput ? `<defaultOutputEntry><text>${options.defaultOutput}</text></defaultOutputEntry>` : ''
      }</output>${twoOutputs ? '<output id="score-output" name="score"/>' : ''}
      ${rule('young', '[18..25]', 'high', 30)}
      ${rule('adult', '[18..65]', 'medium', 20)}
      ${rule('senior', '&gt; 65', 'high', 40)}
    </decisionTable>
  </decision>
</definitions>`;
  const compiled = compileDmn(xml);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return compiled.model;
};

const evaluate = (m: DmnModel, age: unknown) => evaluateDecision(m, 'risk', { 'Applicant Age': age });

describe('decision tables', () => {
  it('UNIQUE gives the one matching rule, and null with a warning when several match', () => {
    const table = model('UNIQUE');
    expect(evaluate(table, 70).output).toBe('high');
    const overlap = evaluate(table, 20);
    expect(overlap.output).toBeNull();
    expect(overlap.warnings).toEqual([expect.objectContaining({ code: 'HIT_POLICY_VIOLATED', decisionId: 'risk', elementId: 'risk-table' })]);
    expect(overlap.matchedRules.map((r) => r.ruleId)).toEqual(['young', 'adult']);
  });

  it('FIRST gives the first matching rule in table order', () => {
    const result = evaluate(model('FIRST'), 20);
    expect(result.output).toBe('high');
    expect(result.matchedRules).toEqual([{ ruleId: 'young', ruleIndex: 0, outputs: { Risk: 'high' } }]);
  });

  it('ANY gives the shared output, and null when the matching rules disagree', () => {
    expect(evaluate(model('ANY'), 70).output).toBe('high');
    const disagreeing = evaluate(model('ANY'), 20);
    expect(disagreeing.output).toBeNull();
    expect(disagreeing.warnings[0].code).toBe('HIT_POLICY_VIOLATED');
  });

  it('PRIORITY gives the matching rule whose output comes first in the output values', () => {
    const result = evaluate(model('PRIORITY', { outputValues: '"medium","high"' }), 20);
    expect(result.output).toBe('medium');
    expect(result.matchedRules.map((r) => r.ruleId)).toEqual(['adult']);
  });

  it('OUTPUT ORDER lists the outputs by priority; RULE ORDER in table order', () => {
    expect(evaluate(model('OUTPUT ORDER', { outputValues: '"medium","high"' }), 20).output).toEqual(['medium', 'high']);
    expect(evaluate(model('RULE ORDER'), 20).output).toEqual(['high', 'medium']);
  });

  it('COLLECT lists the outputs, or aggregates them with SUM, COUNT, MIN and MAX', () => {
    expect(evaluate(model('COLLECT'), 20).output).toEqual(['high', 'medium']);
    expect(evaluate(model('COLLECT', { aggregation: 'SUM' }), 20).output).toBe(50);
    expect(evaluate(model('COLLECT', { aggregation: 'COUNT' }), 20).output).toBe(2);
    expect(evaluate(model('COLLECT', { aggregation: 'MIN' }), 20).output).toBe(20);
    expect(evaluate(model('COLLECT', { aggregation: 'MAX' }), 20).output).toBe(30);
    expect(evaluate(model('COLLECT'), 10).output).toEqual([]);
  });

  it('several outputs give a context per rule, and the audit names each output', () => {
    const result = evaluate(model('RULE ORDER', { outputs: 2 }), 20);
    expect(result.output).toEqual([
      { level: 'high', score: 30 },
      { level: 'medium', score: 20 },
    ]);
    expect(result.matchedRules).toEqual([
      { ruleId: 'young', ruleIndex: 0, outputs: { level: 'high', score: 30 } },
      { ruleId: 'adult', ruleIndex: 1, outputs: { level: 'medium', score: 20 } },
    ]);
  });

  it('gives the default output when no rule matches', () => {
    const result = evaluate(model('FIRST', { defaultOutput: '"none"' }), 10);
    expect(result.output).toBe('none');
    expect(result.matchedRules).toEqual([]);
  });

  it('an input outside its input values is null with a warning naming the input', () => {
    const result = evaluate(model('FIRST', { inputValues: '[0..150]' }), 200);
    expect(result.output).toBeNull();
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'NOT_ALLOWED_VALUE', elementId: 'age-input' })]);
  });
});
