import { describe, expect, it } from '@jest/globals';
import { compiledProcess, lineOf, oneElement, problems } from './__fixtures__/bpmn-documents.js';

const zeebeDecision = (attributes: string, more = ''): string =>
  oneElement(`<bpmn:businessRuleTask id="task"><bpmn:extensionElements><zeebe:calledDecision ${attributes} />${more}</bpmn:extensionElements></bpmn:businessRuleTask>`);

describe('business rule tasks that call a DMN decision', () => {
  describe('Camunda 8 (zeebe:calledDecision)', () => {
    it('reads the decision id as FEEL when it starts with =, and the deployment and versionTag bindings', async () => {
      const byExpression = await compiledProcess(zeebeDecision('decisionId="=&quot;risk-&quot; + region" resultVariable="risk"'));
      expect(byExpression.elements.task).toMatchObject({ decision: { decisionId: { language: 'feel', source: '"risk-" + region' } } });

      const deployment = await compiledProcess(zeebeDecision('decisionId="risk" resultVariable="risk" bindingType="deployment"'));
      expect(deployment.elements.task).toMatchObject({ decision: { binding: 'deployment' } });

      const tagged = await compiledProcess(zeebeDecision('decisionId="risk" resultVariable="risk" bindingType="versionTag" versionTag="v2.1"'));
      expect(tagged.elements.task).toMatchObject({ decision: { binding: 'versionTag', versionTag: 'v2.1' } });
      expect(tagged.elements.task).not.toHaveProperty('decision.mapDecisionResult');
    });

    it('refuses a called decision without a decision id, naming the element and where it is', async () => {
      const xml = zeebeDecision('resultVariable="risk"');
      const found = await problems(xml);
      expect(found).toEqual([
        expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'task', field: 'zeebe:calledDecision/@decisionId', line: lineOf(xml, 'id="task"') }),
      ]);
      expect(found[0].message).toContain("business rule task 'task' has no decisionId");
    });

    it('asks for the result variable, as Camunda 8 does', async () => {
      expect(await problems(zeebeDecision('decisionId="risk"'))).toEqual([
        expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'task', field: 'zeebe:calledDecision/@resultVariable' }),
      ]);
    });

    it('refuses an unknown binding, a versionTag binding without a tag, and a tag without that binding', async () => {
      expect(await problems(zeebeDecision('decisionId="risk" resultVariable="r" bindingType="newest"'))).toEqual([
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', field: 'zeebe:calledDecision/@bindingType' }),
      ]);
      expect(await problems(zeebeDecision('decisionId="risk" resultVariable="r" bindingType="versionTag"'))).toEqual([
        expect.objectContaining({ code: 'MISSING_ATTRIBUTE', field: 'zeebe:calledDecision/@versionTag' }),
      ]);
      expect(await problems(zeebeDecision('decisionId="risk" resultVariable="r" versionTag="v1"'))).toEqual([
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', field: 'zeebe:calledDecision/@versionTag' }),
      ]);
    });

    it('refuses a decision id that does not parse', async () => {
      expect(await problems(zeebeDecision('decisionId="=risk +" resultVariable="r"'))).toEqual([
        expect.objectContaining({ code: 'INVALID_EXPRESSION', elementId: 'task', field: 'zeebe:calledDecision/@decisionId' }),
      ]);
    });

    it('refuses a task that calls a decision and is also a job for a worker', async () => {
      const found = await problems(
        zeebeDecision('decisionId="risk" resultVariable="r"', '<zeebe:taskDefinition type="rules" /><zeebe:taskHeaders><zeebe:header key="a" value="b" /></zeebe:taskHeaders>'),
      );
      expect(found).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'zeebe:taskDefinition' })]);
      expect(found[0].message).toContain('zeebe:taskDefinition, zeebe:taskHeaders');
    });

    it('refuses zeebe:calledDecision on a service task: it means nothing there', async () => {
      const found = await problems(
        oneElement(
          '<bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="t" /><zeebe:calledDecision decisionId="risk" resultVariable="r" /></bpmn:extensionElements></bpmn:serviceTask>',
        ),
      );
      expect(found).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'zeebe:calledDecision' })]);
    });
  });

  describe('Camunda 7 (camunda:decisionRef)', () => {
    it('reads the binding, version, result variable and result mapping', async () => {
      const process = await compiledProcess(
        oneElement(
          '<bpmn:businessRuleTask id="task" camunda:decisionRef="${decisionKey}" camunda:decisionRefBinding="version" camunda:decisionRefVersion="3" ' +
            'camunda:resultVariable="approval" camunda:mapDecisionResult="singleEntry" />',
        ),
      );
      expect(process.elements.task).toMatchObject({
        job: { type: { source: 'io.trellis.decision' }, retries: { source: '3' }, customHeaders: {}, dialect: 'camunda' },
        decision: {
          decisionId: { language: 'juel', source: '${decisionKey}' },
          resultVariable: 'approval',
          binding: 'version',
          version: { language: 'static', source: '3' },
          mapDecisionResult: 'singleEntry',
          dialect: 'camunda',
        },
      });
    });

    it('asks for the version of a version binding, and refuses a version without it', async () => {
      expect(await problems(oneElement('<bpmn:businessRuleTask id="task" camunda:decisionRef="d" camunda:decisionRefBinding="version" />'))).toEqual([
        expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'task', field: 'camunda:decisionRefVersion' }),
      ]);
      expect(await problems(oneElement('<bpmn:businessRuleTask id="task" camunda:decisionRef="d" camunda:decisionRefVersion="2" />'))).toEqual([
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'camunda:decisionRefVersion' }),
      ]);
    });

    it('refuses unknown bindings and result mappings, tenants, and the versionTag binding it cannot read', async () => {
      const found = await problems(
        oneElement(
          '<bpmn:businessRuleTask id="task" camunda:decisionRef="d" camunda:decisionRefBinding="newest" camunda:mapDecisionResult="firstRow" camunda:decisionRefTenantId="acme" />',
        ),
      );
      expect(found.map((problem) => [problem.code, problem.field])).toEqual([
        ['INVALID_ATTRIBUTE', 'camunda:decisionRefBinding'],
        ['INVALID_ATTRIBUTE', 'camunda:mapDecisionResult'],
        ['NOT_SUPPORTED', 'camunda:decisionRefTenantId'],
      ]);
      const tagged = await problems(oneElement('<bpmn:businessRuleTask id="task" camunda:decisionRef="d" camunda:decisionRefBinding="versionTag" />'));
      expect(tagged).toEqual([expect.objectContaining({ code: 'NOT_SUPPORTED', field: 'camunda:decisionRefBinding' })]);
    });

    it('refuses binding attributes without a decisionRef: they would call nothing', async () => {
      const found = await problems(oneElement('<bpmn:businessRuleTask id="task" camunda:type="external" camunda:topic="t" camunda:mapDecisionResult="singleEntry" />'));
      expect(found).toEqual([expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'task', field: 'camunda:decisionRef' })]);
      expect(found[0].message).toContain('camunda:mapDecisionResult but no camunda:decisionRef');
    });

    it('refuses a decisionRef beside an external task topic', async () => {
      const found = await problems(oneElement('<bpmn:businessRuleTask id="task" camunda:decisionRef="d" camunda:type="external" camunda:topic="t" />'));
      expect(found).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'camunda:type' })]);
    });
  });

  describe('both dialects', () => {
    it('takes the decision from both when they agree, with the Camunda 7 result mapping', async () => {
      const process = await compiledProcess(
        oneElement(
          '<bpmn:businessRuleTask id="task" camunda:decisionRef="risk" camunda:resultVariable="risk" camunda:mapDecisionResult="singleResult">' +
            '<bpmn:extensionElements><zeebe:calledDecision decisionId="risk" resultVariable="risk" /></bpmn:extensionElements></bpmn:businessRuleTask>',
        ),
      );
      expect(process.elements.task).toMatchObject({
        decision: { decisionId: { source: 'risk' }, resultVariable: 'risk', binding: 'latest', mapDecisionResult: 'singleResult', dialect: 'zeebe' },
      });
    });

    it('refuses two dialects that name different decisions', async () => {
      const found = await problems(
        oneElement(
          '<bpmn:businessRuleTask id="task" camunda:decisionRef="risk-v7">' +
            '<bpmn:extensionElements><zeebe:calledDecision decisionId="risk" resultVariable="risk" /></bpmn:extensionElements></bpmn:businessRuleTask>',
        ),
      );
      expect(found).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'task', field: 'zeebe:calledDecision/@decisionId' })]);
    });
  });
});
