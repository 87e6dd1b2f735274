import { describe, expect, it } from '@jest/globals';
import { FeelContext, FeelDate, FeelNumber } from '@trellis/feel';
import { compileDmn, evaluateDecision, evaluateDecisionService, type DmnModel } from './index.js';

// A small loan model: the applicant (an item definition with a date component and a constrained category), the
// monthly payment (a BKM invoked from a context), an eligibility table that needs the payment, and a decision service.
const xml = `<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="loan" name="Loan" namespace="urn:loan">
  <itemDefinition name="tCategory"><typeRef>string</typeRef><allowedValues><text>"STANDARD","PREMIUM"</text></allowedValues></itemDefinition>
  <itemDefinition name="tApplicant">
    <itemComponent name="name"><typeRef>string</typeRef></itemComponent>
    <itemComponent name="born"><typeRef>date</typeRef></itemComponent>
    <itemComponent name="category"><typeRef>tCategory</typeRef></itemComponent>
    <itemComponent name="monthly income"><typeRef>number</typeRef></itemComponent>
  </itemDefinition>
  <inputData id="applicant" name="Applicant"><variable name="Applicant" typeRef="tApplicant"/></inputData>
  <inputData id="amount" name="Amount"><variable name="Amount" typeRef="number"/></inputData>
  <businessKnowledgeModel id="pmt" name="PMT">
    <encapsulatedLogic>
      <formalParameter name="principal" typeRef="number"/><formalParameter name="months" typeRef="number"/>
      <literalExpression><text>principal / months</text></literalExpression>
    </encapsulatedLogic>
  </businessKnowledgeModel>
  <decision id="payment" name="Monthly Payment">
    <variable name="Monthly Payment" typeRef="number"/>
    <informationRequirement><requiredInput href="#amount"/></informationRequirement>
    <knowledgeRequirement><requiredKnowledge href="#pmt"/></knowledgeRequirement>
    <context>
      <contextEntry><variable name="months"/><literalExpression><text>12</text></literalExpression></contextEntry>
      <contextEntry><literalExpression><text>PMT(Amount, months)</text></literalExpression></contextEntry>
    </context>
  </decision>
  <decision id="born-in" name="Born In">
    <informationRequirement><requiredInput href="#applicant"/></informationRequirement>
    <literalExpression><text>Applicant.born.year</text></literalExpression>
  </decision>
  <decision id="eligibility" name="Eligibility">
    <informationRequirement><requiredDecision href="#payment"/></informationRequirement>
    <informationRequirement><requiredInput href="#applicant"/></informationRequirement>
    <decisionTable id="eligibility-table" hitPolicy="FIRST">
      <input id="ratio"><inputExpression><text>Monthly Payment / Applicant.monthly income</text></inputExpression></input>
      <output id="verdict"/>
      <rule id="affordable"><inputEntry><text>&lt;= 0.3</text></inputEntry><outputEntry><text>"ELIGIBLE"</text></outputEntry></rule>
      <rule id="too-much"><inputEntry><text>-</text></inputEntry><outputEntry><text>"INELIGIBLE"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="summary" name="Summary">
    <informationRequirement><requiredDecision href="#eligibility"/></informationRequirement>
    <informationRequirement><requiredDecision href="#payment"/></informationRequirement>
    <literalExpression><text>Eligibility + " at " + string(Monthly Payment)</text></literalExpression>
  </decision>
  <decision id="today" name="Today"><literalExpression><text>today()</text></literalExpression></decision>
  <decisionService id="eligibility-service" name="Eligibility Service">
    <outputDecision href="#eligibility"/>
    <inputDecision href="#payment"/>
    <inputData href="#applicant"/>
  </decisionService>
</definitions>`;

const compiled = compileDmn(xml);
if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
const model: DmnModel = compiled.model;
const applicant = { name: 'Ada', born: '1990-04-01', category: 'PREMIUM', 'monthly income': 1000 };

describe('evaluateDecision', () => {
  it('evaluates the required decisions first, each once, and audits the tables of every decision', () => {
    const result = evaluateDecision(model, 'summary', { Applicant: applicant, Amount: 1200 });
    expect(result.output).toBe('ELIGIBLE at 100');
    expect(result.evaluatedDecisions.map((d) => [d.decisionId, d.output])).toEqual([
      ['payment', 100],
      ['eligibility', 'ELIGIBLE'],
      ['summary', 'ELIGIBLE at 100'],
    ]);
    expect(result.evaluatedDecisions[1].decisionTables).toEqual([
      {
        tableId: 'eligibility-table',
        hitPolicy: 'FIRST',
        evaluatedInputs: [{ inputId: 'ratio', expression: 'Monthly Payment / Applicant.monthly income', value: 0.1 }],
        matchedRules: [{ ruleId: 'affordable', ruleIndex: 0, outputs: { Eligibility: 'ELIGIBLE' } }],
      },
    ]);
    expect(result.matchedRules).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('finds decisions by id or by name, and takes variables as a FEEL context too', () => {
    const byName = evaluateDecision(model, 'Monthly Payment', FeelContext.of({ Amount: new FeelNumber(600) }));
    expect([byName.decisionId, byName.output]).toEqual(['payment', 50]);
  });

  it('reads JSON text as the dates its item definition declares', () => {
    const result = evaluateDecision(model, 'born-in', { Applicant: applicant });
    expect(result.output).toBe(1990);
  });

  it('an input that does not conform to its type, or is not an allowed value, is null with a warning', () => {
    const wrongType = evaluateDecision(model, 'payment', { Amount: 'a lot' });
    expect(wrongType.output).toBeNull();
    expect(wrongType.warnings[0]).toEqual(expect.objectContaining({ code: 'INVALID_TYPE', decisionId: 'payment' }));
    expect(wrongType.warnings[0].message).toContain('Amount');

    const notAllowed = evaluateDecision(model, 'born-in', { Applicant: { ...applicant, category: 'GOLD' } });
    expect(notAllowed.output).toBeNull();
    expect(notAllowed.warnings[0]).toEqual(expect.objectContaining({ code: 'NOT_ALLOWED_VALUE' }));
  });

  it('never throws: an unknown decision or missing inputs give null with warnings', () => {
    const unknown = evaluateDecision(model, 'nothing', {});
    expect(unknown.value).toBeNull();
    expect(unknown.warnings).toEqual([expect.objectContaining({ code: 'UNKNOWN_DECISION' })]);
    const missing = evaluateDecision(model, 'eligibility', {});
    expect(missing.output).toBe('INELIGIBLE');
    expect(missing.warnings).toEqual([
      expect.objectContaining({ code: 'MISSING_INPUT', decisionId: 'payment', elementId: 'amount' }),
      expect.objectContaining({ code: 'MISSING_INPUT', decisionId: 'eligibility', elementId: 'applicant' }),
    ]);
  });

  it('takes now() and today() from the caller, and warns without them', () => {
    expect(evaluateDecision(model, 'today', {}, { now: '2026-12-05T10:00:00Z' }).value).toEqual(expect.any(FeelDate));
    expect(evaluateDecision(model, 'today', {}, { now: '2026-12-05T10:00:00Z' }).output).toBe('2026-12-05');
    const withoutClock = evaluateDecision(model, 'today', {});
    expect(withoutClock.output).toBeNull();
    expect(withoutClock.warnings.length).toBe(1);
  });
});

describe('evaluateDecisionService', () => {
  it('evaluates the output decisions with the input decisions given, not evaluated', () => {
    const result = evaluateDecisionService(model, 'eligibility-service', { 'Monthly Payment': 500, Applicant: applicant });
    expect(result.output).toBe('INELIGIBLE');
    expect(result.evaluatedDecisions.map((d) => d.decisionId)).toEqual(['eligibility']);
    expect(result.evaluatedDecisions[0].decisionTables[0].matchedRules.map((r) => r.ruleId)).toEqual(['too-much']);
  });

  it('finds the service by name, and an unknown one is null with a warning', () => {
    expect(evaluateDecisionService(model, 'Eligibility Service', { 'Monthly Payment': 100, Applicant: applicant }).output).toBe('ELIGIBLE');
    expect(evaluateDecisionService(model, 'nothing', {}).warnings[0].code).toBe('UNKNOWN_DECISION');
  });
});
