/**
 * Test helpers of the task-service: BPMN models with user tasks, the runtime's answer to a rejected command, and a
 * bus that fails on demand. Process instances run by the REAL engine are `EngineInstance` of `@trellis/runtime/testing`;
 * the Kafka test kit is `@trellis/messaging/testing`.
 */
import type { RuntimeCommandRejection } from '@trellis/contracts';
import type { ExecutableProcess, Failure } from '@trellis/engine';
import type { MessageBus, MessageSubscription, OutgoingMessage, SubscribeOptions, TopicSpec } from '@trellis/messaging';
import { compileProcesses as compileProcessesOf } from '@trellis/runtime/testing';

/**
 * `approval`: start → `approve` (a user task assigned from the variables `approver`, `groups`, `users`, `due`,
 * `priority`) → end. `review`: start → `stage` (a sub-process with a local `doubled` variable) holding `check`, a user
 * task with a local input `share` → end.
 */
export const USER_TASK_MODELS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="definitions" targetNamespace="http://example.org/tasks">
  <bpmn:process id="approval" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:userTask id="approve" name="Approve order">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition assignee="=approver" candidateGroups="=groups" candidateUsers="=users" />
        <zeebe:taskSchedule dueDate="=due" followUpDate="2031-01-01T09:00:00Z" />
        <zeebe:priorityDefinition priority="=priority" />
        <zeebe:formDefinition formKey="camunda-forms:bpmn:approve-form" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="review-start" />
    <bpmn:sequenceFlow id="r1" sourceRef="review-start" targetRef="stage" />
    <bpmn:subProcess id="stage">
      <bpmn:extensionElements>
        <zeebe:ioMapping><zeebe:input source="=amount * 2" target="doubled" /></zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:startEvent id="stage-start" />
      <bpmn:sequenceFlow id="s1" sourceRef="stage-start" targetRef="check" />
      <bpmn:userTask id="check" name="Check">
        <bpmn:extensionElements>
          <zeebe:ioMapping><zeebe:input source="=doubled / 4" target="share" /></zeebe:ioMapping>
        </bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="s2" sourceRef="check" targetRef="stage-end" />
      <bpmn:endEvent id="stage-end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="r2" sourceRef="stage" targetRef="review-end" />
    <bpmn:endEvent id="review-end" />
  </bpmn:process>
</bpmn:definitions>`;

/** The executable processes of a BPMN document (the user task models unless told), by process id. */
export const compileProcesses = (xml: string = USER_TASK_MODELS): Promise<Record<string, ExecutableProcess>> => compileProcessesOf(xml);

/** The contract's word for an engine failure, as the runtime answers a rejected command. */
export function rejectionOf(failure: Failure): RuntimeCommandRejection {
  switch (failure.code) {
    case 'NOT_FOUND':
      return 'not-found';
    case 'INVALID_ARGUMENT':
      return 'invalid-argument';
    default:
      return 'invalid-state';
  }
}

// The consumer's spec still imports these from here.
export { EngineInstance } from '@trellis/runtime/testing';
export { kafkaBrokers, testTopics } from '@trellis/messaging/testing';

/**
 * A real bus whose `publish` fails on demand: `failNext(n)` makes the next n calls throw before reaching Kafka, or
 * after Kafka took the messages (`afterPublishing`: the acknowledgement lost on the way).
 */
export class FaultyBus implements MessageBus {
  publishCalls = 0;
  private failures: { remaining: number; readonly afterPublishing: boolean } | undefined;

  constructor(private readonly bus: MessageBus) {}

  failNext(count: number, options: { readonly afterPublishing?: boolean } = {}): void {
    this.failures = { remaining: count, afterPublishing: options.afterPublishing ?? false };
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.publishCalls++;
    const failing = this.failures !== undefined && this.failures.remaining > 0 ? this.failures : undefined;
    if (failing) failing.remaining--;
    const error = (): Error => Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError' });
    if (failing && !failing.afterPublishing) throw error();
    await this.bus.publish(topic, messages);
    if (failing) throw error();
  }

  subscribe<T>(options: SubscribeOptions<T>): Promise<MessageSubscription> {
    return this.bus.subscribe(options);
  }

  ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    return this.bus.ensureTopics(topics);
  }

  close(): Promise<void> {
    return this.bus.close();
  }
}
