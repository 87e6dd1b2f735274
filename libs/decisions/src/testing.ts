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

/** `check-order`: start → `check` (a business rule task calling `decisionId`, result in `risk`) → end. */
export const decisionTaskBpmn = (decisionId = 'risk-check'): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="definitions" targetNamespace="http://example.org/decisions">
  <bpmn:process id="check-order" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:businessRuleTask id="check" name="Check the risk">
      <bpmn:extensionElements><zeebe:calledDecision decisionId="${decisionId}" resultVariable="risk" /></bpmn:extensionElements>
    </bpmn:businessRuleTask>
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
