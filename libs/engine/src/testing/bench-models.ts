/**
 * Verbatim copies of the benchmark models in ../shared/bench (straight-through.bpmn, one-task.bpmn, user-task.bpmn):
 * the engine's tests read no files (the purity lint covers them too), so the documents are embedded here.
 * Keep them identical to the originals.
 */

export const STRAIGHT_THROUGH_BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Straight-through process: no wait states. Used to compare engines on pure execution speed.
     The condition is FEEL; an engine that cannot read FEEL gets the same model with its own condition syntax. -->
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="straight-through-definitions" targetNamespace="http://example.org/bench">
  <bpmn:process id="straight-through" name="Straight through" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-prepare" sourceRef="start" targetRef="prepare" />
    <bpmn:task id="prepare" name="Prepare order" />
    <bpmn:sequenceFlow id="to-check" sourceRef="prepare" targetRef="check-amount" />
    <bpmn:exclusiveGateway id="check-amount" name="Amount over 100?" default="small" />
    <bpmn:sequenceFlow id="large" sourceRef="check-amount" targetRef="review">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=amount &gt; 100</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="check-amount" targetRef="fork" />
    <bpmn:task id="review" name="Review order" />
    <bpmn:sequenceFlow id="review-done" sourceRef="review" targetRef="end-reviewed" />
    <bpmn:endEvent id="end-reviewed" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="to-ship" sourceRef="fork" targetRef="ship" />
    <bpmn:sequenceFlow id="to-bill" sourceRef="fork" targetRef="bill" />
    <bpmn:task id="ship" name="Ship" />
    <bpmn:task id="bill" name="Bill" />
    <bpmn:sequenceFlow id="shipped" sourceRef="ship" targetRef="join" />
    <bpmn:sequenceFlow id="billed" sourceRef="bill" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="to-end" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`;

export const ONE_TASK_BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<!-- One service task done by an external worker: the process Camunda 8 uses in its published load tests.
     The task carries both dialects: Camunda 8 (job type) and Camunda 7 (external task topic). -->
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="one-task-definitions" targetNamespace="http://example.org/bench">
  <bpmn:process id="one-task" name="One task" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-work" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work" name="Do the work" camunda:type="external" camunda:topic="work">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="work" retries="3" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="to-end" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`;

export const USER_TASK_BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<!-- One user task: used to park many instances in a wait state and measure memory and recovery. -->
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="user-task-definitions" targetNamespace="http://example.org/bench">
  <bpmn:process id="user-task" name="One user task" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-approve" sourceRef="start" targetRef="approve" />
    <bpmn:userTask id="approve" name="Approve" camunda:candidateGroups="approvers">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:assignmentDefinition candidateGroups="approvers" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="to-end" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
`;
