import { describe, expect, it } from '@jest/globals';
import { compileDmn, evaluateDecision } from './index.js';

// A BKM of kind Java, as DMN models call java.lang.Math and java.lang.String: mapped, since there is no JVM here.
const javaBkm = (id: string, className: string, signature: string, parameters: string): string => `
  <businessKnowledgeModel id="${id}" name="${id}">
    <encapsulatedLogic kind="Java">
      ${parameters}
      <context>
        <contextEntry><variable name="class"/><literalExpression><text>"${className}"</text></literalExpression></contextEntry>
        <contextEntry><variable name="method signature"/><literalExpression><text>"${signature}"</text></literalExpression></contextEntry>
      </context>
    </encapsulatedLogic>
  </businessKnowledgeModel>`;

const xml = `<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="Java" namespace="urn:java">
  ${javaBkm('max', 'java.lang.Math', 'max(double, double)', '<formalParameter name="a" typeRef="number"/><formalParameter name="b" typeRef="number"/>')}
  ${javaBkm('cos', 'java.lang.Math', 'cos(double)', '<formalParameter name="angle" typeRef="number"/>')}
  ${javaBkm('valueOf', 'java.lang.String', 'valueOf(java.lang.Object)', '<formalParameter name="value"/>')}
  ${javaBkm('nothing', 'java.lang.Runtime', 'exit(int)', '<formalParameter name="code" typeRef="number"/>')}
  <decision id="results" name="Results">
    <knowledgeRequirement><requiredKnowledge href="#max"/></knowledgeRequirement>
    <knowledgeRequirement><requiredKnowledge href="#cos"/></knowledgeRequirement>
    <knowledgeRequirement><requiredKnowledge href="#valueOf"/></knowledgeRequirement>
    <literalExpression><text>[max(3, 7.5), cos(0), valueOf(42), max("a", 1)]</text></literalExpression>
  </decision>
  <decision id="unavailable" name="Unavailable">
    <knowledgeRequirement><requiredKnowledge href="#nothing"/></knowledgeRequirement>
    <literalExpression><text>nothing(1)</text></literalExpression>
  </decision>
</definitions>`;

describe('functions of kind Java', () => {
  const compiled = compileDmn(xml);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));

  it('maps java.lang.Math and java.lang.String methods; arguments of the wrong type give null', () => {
    expect(evaluateDecision(compiled.model, 'results', {}).output).toEqual([7.5, 1, '42', null]);
  });

  it('a method that is not mapped is null with a warning', () => {
    const result = evaluateDecision(compiled.model, 'unavailable', {});
    expect(result.output).toBeNull();
    expect(result.warnings.map((w) => w.code)).toContain('UNSUPPORTED');
  });
});
