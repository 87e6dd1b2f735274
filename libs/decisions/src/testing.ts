/**
 * Test helpers of the dmn-service: deployments made by the REAL deployment handler, their events turned into the
 * envelopes the relay publishes; DMN and BPMN models with decisions. Process instances run by the REAL engine are
 * `EngineInstance` of `@trellis/runtime/testing`; the Kafka test kit is `@trellis/messaging/testing`.
 */
import { type EventEnvelope, eventEnvelopeOf } from '@trellis/contracts';
import { DefinitionRegistry, DEPLOYMENTS_STREAM, DeployResourcesCommand, DeployResourcesHandler, type DeploymentView } from '@trellis/deployment';
import { InMemoryEventStore } from '@trellis/event-store';
import { nextPosition } from '@trellis/runtime/testing';

/** A DMN 1.3 model with one decision, `decisionId`, whose literal expression is `output`. */
export const riskDmn = (decisionId = 'risk-check', output = '"high"'): string => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drg-${decisionId}" name="Rules of ${decisionId}" namespace="http://example.org/dmn">
  <decision id="${decisionId}" name="Decision ${decisionId}">
    <literalExpression id="${decisionId}-expression"><text>${output}</text></literalExpression>
  </decision>
</definitions>`;

/** A DMN 1.3 model with one decision, `decisionId`, a literal expression over the input data `amount`. */
export const amountDmn = (decisionId: string, expression: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drg-${decisionId}" name="Rules of ${decisionId}" namespace="http://example.org/dmn/${decisionId}">
  <inputData id="${decisionId}-amount" name="amount" />
  <decision id="${decisionId}" name="${decisionId}">
    <informationRequirement id="${decisionId}-requires-amount"><requiredInput href="#${decisionId}-amount" /></informationRequirement>
    <literalExpression id="${decisionId}-expression"><text>${expression}</text></literalExpression>
  </decision>
</definitions>`;

/** `check-order`: start → `check` (a business rule task calling `decisionId`, result in `risk`) → end. */
export const decisionTaskBpmn = (decisionId = 'risk-check', options: { readonly processId?: string; readonly bindingType?: string } = {}): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="definitions" targetNamespace="http://example.org/decisions">
  <bpmn:process id="${options.processId ?? 'check-order'}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:businessRuleTask id="check" name="Check the risk">
      <bpmn:extensionElements><zeebe:calledDecision decisionId="${decisionId}" resultVariable="risk"${options.bindingType === undefined ? '' : ` bindingType="${options.bindingType}"`} /></bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

/**
 * A DMN 1.3 model of three decisions (ids usable as `<id>:<version>`):
 * - `risk-level` (decision table, UNIQUE, input `amount`): `"low"` below 1000, else `"high"`;
 * - `approval` (decision table, FIRST, requires `risk-level`): outputs `approved` and `reason`;
 * - `discounts` (decision table, COLLECT, input `tier`): one `discount` per matching rule (gold: 10 and 5 and 0).
 */
export const approvalDmn = (): string => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="approval-rules" name="Approval rules" namespace="http://example.org/approval">
  <inputData id="amount-input" name="amount" />
  <inputData id="tier-input" name="tier" />
  <decision id="risk-level" name="riskLevel">
    <informationRequirement id="req-amount"><requiredInput href="#amount-input" /></informationRequirement>
    <decisionTable id="risk-table" hitPolicy="UNIQUE">
      <input id="risk-in-amount" label="amount"><inputExpression id="risk-in-amount-expr" typeRef="number"><text>amount</text></inputExpression></input>
      <output id="risk-out" name="risk" typeRef="string" />
      <rule id="risk-low"><inputEntry id="risk-low-in"><text>&lt; 1000</text></inputEntry><outputEntry id="risk-low-out"><text>"low"</text></outputEntry></rule>
      <rule id="risk-high"><inputEntry id="risk-high-in"><text>&gt;= 1000</text></inputEntry><outputEntry id="risk-high-out"><text>"high"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="approval" name="approval">
    <informationRequirement id="req-risk"><requiredDecision href="#risk-level" /></informationRequirement>
    <decisionTable id="approval-table" hitPolicy="FIRST">
      <input id="approval-in-risk" label="risk"><inputExpression id="approval-in-risk-expr" typeRef="string"><text>riskLevel</text></inputExpression></input>
      <output id="approval-out-approved" name="approved" typeRef="boolean" />
      <output id="approval-out-reason" name="reason" typeRef="string" />
      <rule id="approve-low"><inputEntry id="approve-low-in"><text>"low"</text></inputEntry><outputEntry id="approve-low-approved"><text>true</text></outputEntry><outputEntry id="approve-low-reason"><text>"low risk"</text></outputEntry></rule>
      <rule id="review-rest"><inputEntry id="review-rest-in"><text>-</text></inputEntry><outputEntry id="review-rest-approved"><text>false</text></outputEntry><outputEntry id="review-rest-reason"><text>"needs review"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="discounts" name="discounts">
    <informationRequirement id="req-tier"><requiredInput href="#tier-input" /></informationRequirement>
    <decisionTable id="discount-table" hitPolicy="COLLECT">
      <input id="discount-in-tier" label="tier"><inputExpression id="discount-in-tier-expr" typeRef="string"><text>tier</text></inputExpression></input>
      <output id="discount-out" name="discount" typeRef="number" />
      <rule id="discount-gold"><inputEntry id="discount-gold-in"><text>"gold"</text></inputEntry><outputEntry id="discount-gold-out"><text>10</text></outputEntry></rule>
      <rule id="discount-member"><inputEntry id="discount-member-in"><text>"gold","silver"</text></inputEntry><outputEntry id="discount-member-out"><text>5</text></outputEntry></rule>
      <rule id="discount-any"><inputEntry id="discount-any-in"><text>-</text></inputEntry><outputEntry id="discount-any-out"><text>0</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>`;

/**
 * A DMN model whose decision `overlapping` (UNIQUE) matches two rules for every input: evaluating it fails, which is
 * what a business rule task calling it turns into an incident.
 */
export const overlappingDmn = (): string => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="overlapping-rules" name="Overlapping rules" namespace="http://example.org/overlapping">
  <inputData id="x-input" name="x" />
  <decision id="overlapping" name="overlapping">
    <informationRequirement id="req-x"><requiredInput href="#x-input" /></informationRequirement>
    <decisionTable id="overlapping-table" hitPolicy="UNIQUE">
      <input id="overlapping-in" label="x"><inputExpression id="overlapping-in-expr" typeRef="number"><text>x</text></inputExpression></input>
      <output id="overlapping-out" name="y" typeRef="string" />
      <rule id="first-rule"><inputEntry id="first-rule-in"><text>-</text></inputEntry><outputEntry id="first-rule-out"><text>"a"</text></outputEntry></rule>
      <rule id="second-rule"><inputEntry id="second-rule-in"><text>-</text></inputEntry><outputEntry id="second-rule-out"><text>"b"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>`;

/**
 * A DMN 1.3 model as Camunda Modeler writes it: no input data, the input expression names a process variable
 * (`amount`) directly. Decision `camunda-limit` (UNIQUE): `"small"` up to 100, else `"large"`; decision `today-is`: the
 * date of FEEL's `today()` (the service's clock).
 */
export const camundaStyleDmn = (): string => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="camunda-style" name="Camunda style" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="camunda-limit" name="Limit" camunda:versionTag="v1">
    <decisionTable id="camunda-limit-table">
      <input id="camunda-limit-in" label="Amount"><inputExpression id="camunda-limit-in-expr" typeRef="number"><text>amount</text></inputExpression></input>
      <output id="camunda-limit-out" name="size" typeRef="string" />
      <rule id="small"><inputEntry id="small-in"><text>&lt;= 100</text></inputEntry><outputEntry id="small-out"><text>"small"</text></outputEntry></rule>
      <rule id="large"><inputEntry id="large-in"><text>&gt; 100</text></inputEntry><outputEntry id="large-out"><text>"large"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="today-is" name="today is">
    <literalExpression id="today-is-expression"><text>today()</text></literalExpression>
  </decision>
</definitions>`;

/** Two DMN models deployed together: `rate` (`rates.dmn`) imports `base` (`base.dmn`) and doubles its `baseRate`. */
export const importingDmn = (): { readonly base: string; readonly rates: string } => ({
  base: `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="base-model" name="Base" namespace="http://example.org/base">
  <decision id="base-rate" name="baseRate"><literalExpression id="base-rate-expression"><text>0.05</text></literalExpression></decision>
</definitions>`,
  rates: `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="rates-model" name="Rates" namespace="http://example.org/rates">
  <import namespace="http://example.org/base" name="base" importType="https://www.omg.org/spec/DMN/20191111/MODEL/" />
  <decision id="rate" name="rate">
    <informationRequirement id="rate-requires-base"><requiredDecision href="http://example.org/base#base-rate" /></informationRequirement>
    <literalExpression id="rate-expression"><text>base.baseRate * 2</text></literalExpression>
  </decision>
</definitions>`,
});

/**
 * `c7-check`: start → `check` (a Camunda 7 business rule task: `camunda:decisionRef`, `camunda:resultVariable`,
 * `camunda:mapDecisionResult`) → end.
 */
export const camundaDecisionTaskBpmn = (decisionId: string, mapDecisionResult: string, resultVariable = 'result'): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="c7-definitions" targetNamespace="http://example.org/decisions">
  <bpmn:process id="c7-check" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:businessRuleTask id="check" name="Check" camunda:decisionRef="${decisionId}" camunda:resultVariable="${resultVariable}" camunda:mapDecisionResult="${mapDecisionResult}" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

/**
 * Deployments made by the deployment-service's own handler on an in-memory store: each returns its answer and the
 * envelope of its `DeploymentCreated`, as the relay publishes it.
 */
export class Deployments {
  private readonly store = new InMemoryEventStore();
  private readonly registry = new DefinitionRegistry(this.store);
  private readonly handler = new DeployResourcesHandler(this.store, this.registry);
  private ready: Promise<void> | undefined;

  async deploy(...resources: readonly (readonly [name: string, content: string])[]): Promise<{ view: DeploymentView; envelope: EventEnvelope }> {
    this.ready ??= this.registry.reload();
    await this.ready;
    const view = await this.handler.execute(new DeployResourcesCommand(resources.map(([name, content]) => ({ name, content }))));
    const recorded = (await this.store.readStream(DEPLOYMENTS_STREAM)).at(-1);
    if (recorded === undefined) throw new Error('The deployment left no event');
    return { view, envelope: eventEnvelopeOf({ ...recorded, position: nextPosition() }) };
  }
}
